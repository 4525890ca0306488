"""Usage-report CSVs: recognised by their columns (not the file name), BOM and added columns
tolerated, concealed names detected."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from graph_standin import usage_csv
from integrations.graph.usage_reports import UnknownReport, read_file, recognise, report_of_file, rows

HEADERS = {
    "teams": ["Report Refresh Date", "User Id", "User Principal Name", "Last Activity Date", "Is Deleted",
              "Deleted Date", "Assigned Products", "Team Chat Message Count", "Private Chat Message Count",
              "Call Count", "Meeting Count", "Report Period"],
    "onedrive": ["Report Refresh Date", "User Principal Name", "Is Deleted", "Deleted Date", "Last Activity Date",
                 "Viewed Or Edited File Count", "Synced File Count", "Shared Internally File Count",
                 "Shared Externally File Count", "Assigned Products", "Report Period"],
    "sharepoint": ["Report Refresh Date", "User Principal Name", "Is Deleted", "Deleted Date", "Last Activity Date",
                   "Viewed Or Edited File Count", "Synced File Count", "Shared Internally File Count",
                   "Shared Externally File Count", "Visited Page Count", "Assigned Products", "Report Period"],
    "email": ["Report Refresh Date", "User Principal Name", "Display Name", "Is Deleted", "Deleted Date",
              "Last Activity Date", "Send Count", "Receive Count", "Read Count", "Meeting Created Count",
              "Meeting Interacted Count", "Assigned Products", "Report Period"],
    "apps": ["Report Refresh Date", "User Principal Name", "Last Activation Date", "Last Activity Date",
             "Report Period", "Windows", "Mac", "Mobile", "Web", "Outlook", "Word", "Excel", "PowerPoint",
             "OneNote", "Teams"],
}


@pytest.mark.parametrize("workload", sorted(HEADERS))
def test_each_report_is_known_by_its_columns_in_any_order(workload: str) -> None:
    assert recognise(HEADERS[workload]).workload == workload
    assert recognise(list(reversed(HEADERS[workload])) + ["Something New"]).workload == workload


def test_a_foreign_csv_is_refused_with_its_columns_named() -> None:
    with pytest.raises(UnknownReport, match="Name"):
        recognise(["Name", "Email", "Phone"])


def test_files_are_told_apart_whatever_their_names(tmp_path: Path) -> None:
    names = {"teams": "TeamsUserActivity11_28_2026 (1).csv", "sharepoint": "export.csv",
             "onedrive": "SharePointActivityUserDetail.csv", "email": "a.csv", "apps": "b.csv"}
    for workload, name in names.items():
        (tmp_path / name).write_text(usage_csv(HEADERS[workload], []), encoding="utf-8")
    (tmp_path / "notes.csv").write_text("Name,Email\nx,y\n", encoding="utf-8")
    found = {path.name: spec.workload for path in tmp_path.iterdir()
             if (spec := report_of_file(path)) is not None}
    assert found == {name: workload for workload, name in names.items()}


def test_rows_read_counts_flags_dates_and_skip_deleted_users(tmp_path: Path) -> None:
    path = tmp_path / "apps.csv"
    path.write_text(usage_csv(HEADERS["apps"], [
        ["2026-11-28", "Ann@Contoso.example", "2026-01-02", "2026-11-20", 30,
         "Yes", "No", "Yes", "No", "Yes", "No", "No", "No", "No", "Yes"],
    ]), encoding="utf-8")
    (row,) = read_file(path)
    assert row.workload == "apps" and row.report_date == date(2026, 11, 28)
    assert row.metrics["outlook"] == 1 and row.metrics["word"] == 0 and row.metrics["teams"] == 1
    assert row.last_activity == date(2026, 11, 20) and not row.concealed

    deleted = list(rows(usage_csv(HEADERS["email"], [
        ["2026-11-28", "x@contoso.example", "X", "True", "2026-11-01", "", 5, 5, 5, 0, 0, "", 30],
        ["2026-11-28", "y@contoso.example", "Y", "False", "", "2026-11-27", "7", "", "bad", 1, 0, "", 30],
    ]).splitlines()))
    assert [(r.upn, r.metrics["sent"], r.metrics["received"], r.metrics["read"]) for r in deleted] == [
        ("y@contoso.example", 7, 0, 0)]


def test_concealed_names_are_detected_and_kept_as_is() -> None:
    (row,) = rows(usage_csv(HEADERS["onedrive"], [
        ["2026-11-28", "554630B7593DDE8E04F27933A965D5B2", "False", "", "2026-11-02", 3, 0, 1, 0, "", 30],
    ]).splitlines())
    assert row.concealed and row.upn == "554630B7593DDE8E04F27933A965D5B2"
