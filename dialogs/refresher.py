"""Which completed modules a worker's menu suggests again: those whose expectation their
Microsoft 365 use in the latest usage import doesn't meet (domain/adoption_patterns.py).
Nothing without a directory entry, an import or names in the reports."""

from __future__ import annotations

from domain.adoption import WorkerFacts
from domain.adoption_patterns import refresher_modules
from domain.models import ModuleProgress, ProgressStatus
from domain.usage_records import latest_per_workload

from .turn import Turn


async def refreshers(turn: Turn, progress: list[ModuleProgress]) -> list[str]:
    expectations = turn.catalog.expectations
    if expectations is None:
        return []
    completed = {p.module_id: p.completed_at.date() for p in progress
                 if p.status == ProgressStatus.DONE and p.completed_at and p.module_id in expectations.by_module}
    if not completed:
        return []  # nothing to suggest again: no store reads on the usual menu
    imports = latest_per_workload(await turn.store.usage.list_imports())
    if not imports or any(i.concealed for i in imports):
        return []
    entry = (await turn.store.directory.get_users([turn.worker.id])).get(turn.worker.id)
    if entry is None or not entry.reportable:
        return []
    records = await turn.store.usage.rows_of(entry.upn, [(i.report_date, i.workload) for i in imports])
    worker = WorkerFacts(entry.id, entry.name, entry.upn, entry.department or "-", completed)
    return refresher_modules(worker, records, imports, expectations)
