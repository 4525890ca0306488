"""`coach content check|preview`: validate the training content for an organisation, and show a
module the way a worker sees it."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from bot.content import CONTENT_DIR, LOCALES, Catalog, ContentError, load_catalog, load_raw_catalog, shown_path
from bot.content_check import check_module, freshness_problems, summary
from bot.content_render import render_catalog
from bot.org_profile import EMPTY_PROFILE, EXAMPLE_PROFILE, OrgProfile, read_profile
from bot.quiz_figures import LONGEST_LIMIT, module_figures, total

CHECK_EPILOG = """\
Without --org, every module is rendered twice: for content/org-profile.example.yaml and for an
empty profile (no ORG_PROFILE). Each must resolve every {org.NAME} placeholder and keep the
schema bounds after `when:` filtering.
Quiz figures (English decides, sv/nl are reported): the right option is the uniquely longest in
at most 30 % of single-choice questions, and listed first in at most 35 % of questions, per
module and for the whole catalogue.
Warnings (exit code stays 0): a module reviewed more than 180 days ago; a translation whose
option lengths give the right answer away more often than the English does.
"""


@dataclass
class CheckResult:
    errors: list[ContentError] = field(default_factory=list)
    warnings: list[ContentError] = field(default_factory=list)
    profiles: list[str] = field(default_factory=list)
    quiz: dict[str, dict[str, dict]] = field(default_factory=dict)  # locale -> module id | "all" -> figures


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date: use YYYY-MM-DD") from None


def _profiles(org: str | None) -> tuple[list[tuple[str, OrgProfile]], list[ContentError]]:
    if org is None:
        example, errors = read_profile(EXAMPLE_PROFILE)
        found = [(shown_path(EXAMPLE_PROFILE, CONTENT_DIR), example)] if example else []
        return found + [("an empty profile", EMPTY_PROFILE)], errors
    profile, errors = read_profile(Path(org))
    return ([(org, profile)] if profile else []), errors


def _quiz_figures(raw: Catalog, root: Path, result: CheckResult) -> None:
    """English fails the check; a translation only warns, on the length figure (the option order
    is the same in every locale)."""
    for locale in LOCALES:
        tree = raw.locales[locale]
        figures = {module_id: module_figures(module) for module_id, module in tree.modules.items()}
        figures["all"] = total(tree.modules.values())
        result.quiz[locale] = {key: value.as_dict() for key, value in figures.items()}
        for key, value in figures.items():
            file = shown_path(tree.files[key], root) if key != "all" else f"content/{locale} (all modules)"
            if locale == "en":
                result.errors += [ContentError(file, 1, f"quiz: {p}") for p in value.problems()]
            elif value.longest_share > LONGEST_LIMIT:
                result.warnings += [ContentError(file, 1, f"quiz: {value.problems()[0]}")]


def run_check(root: Path, org: str | None, today: date) -> tuple[Catalog, CheckResult]:
    result = CheckResult()
    raw, result.errors = load_raw_catalog(root)
    profiles, profile_errors = _profiles(org)
    result.errors += profile_errors
    for name, profile in profiles:
        result.profiles.append(name)
        rendered, errors = render_catalog(raw, profile, root, shown_as=name)
        result.errors += errors
        for tree in rendered.locales.values():
            for module_id, module in tree.modules.items():
                file = shown_path(tree.files[module_id], root)
                result.errors += [ContentError(file, 1, f"with {name}: {p}") for p in check_module(module, file)]
    _quiz_figures(raw, root, result)
    errors, warnings = freshness_problems(raw, root, today)
    result.errors += errors
    result.warnings += warnings
    return raw, result


def _print_text(raw: Catalog, result: CheckResult) -> None:
    from rich.console import Console
    from rich.table import Table

    for error in result.errors:
        print(error, file=sys.stderr)
    for warning in result.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    console = Console()
    counts = Table(title="Content per locale")
    for column in ("locale", "modules", "steps", "exercises", "questions"):
        counts.add_column(column, justify="left" if column == "locale" else "right")
    for locale, row in summary(raw).items():
        counts.add_row(locale, *(str(row[k]) for k in ("modules", "steps", "exercises", "questions")))
    console.print(counts)
    quiz = Table(title="Quiz figures: right option uniquely longest (≤ 30 %) · listed first (≤ 35 %)")
    for column in ("module", "en longest", "sv longest", "nl longest", "first", "ok"):
        quiz.add_column(column, justify="left" if column == "module" else "right", no_wrap=column == "module")
    for key, en in result.quiz["en"].items():
        shares = [result.quiz[loc].get(key, {}) for loc in LOCALES]
        quiz.add_row(key, *(f"{s.get('longest', 0)}/{s.get('single', 0)} ({s.get('longest_share', 0):.0%})"
                            for s in shares),
                     f"{en['first']}/{en['questions']} ({en['first_share']:.0%})", "yes" if en["ok"] else "NO")
    console.print(quiz)
    print(f"rendered for: {', '.join(result.profiles) or '-'}")
    print(f"{len(result.errors)} problem(s), {len(result.warnings)} warning(s)" if result.errors
          else f"content OK, {len(result.warnings)} warning(s)")


def cmd_content_check(args: argparse.Namespace) -> int:
    root = Path(args.path) if args.path else CONTENT_DIR
    if not root.is_dir():
        print(f"coach: no content folder at {root}", file=sys.stderr)
        return 2
    if args.org and not Path(args.org).is_file():
        print(f"coach: no organisation profile at {args.org}", file=sys.stderr)
        return 2
    raw, result = run_check(root, args.org, args.today or date.today())
    if args.json:
        print(json.dumps({"ok": not result.errors, "errors": [str(e) for e in result.errors],
                          "warnings": [str(w) for w in result.warnings], "profiles": result.profiles,
                          "locales": summary(raw), "quiz": result.quiz}, ensure_ascii=False, indent=2))
    else:
        _print_text(raw, result)
    return 1 if result.errors else 0


def cmd_content_preview(args: argparse.Namespace) -> int:
    from bot.content_preview import preview
    from bot.i18n import Texts

    profile = None
    if args.org:
        profile, errors = read_profile(Path(args.org))
        if errors:
            for error in errors:
                print(error, file=sys.stderr)
            return 2
    catalog, errors = load_catalog(strict=False, profile=profile)
    module = catalog.module(args.locale, args.module)
    if module is None:
        print(f"coach: no module '{args.module}'. Modules: {', '.join(catalog.module_ids())}", file=sys.stderr)
        return 2
    for error in errors:
        print(f"warning: {error}", file=sys.stderr)
    sys.stdout.write(preview(module, Texts(catalog, args.locale)))
    return 0


def add_content_parser(commands: argparse._SubParsersAction) -> None:
    content = commands.add_parser("content", help="training content tools",
                                  description="Check the training content, or preview a module.")
    actions = content.add_subparsers(dest="content_command", metavar="ACTION", required=True)
    check = actions.add_parser(
        "check", help="validate content/ for the organisation profile and print a summary",
        description="Validate every module and UI string file (errors show file:line), render every "
                    "module for the organisation profile(s) and compute the quiz figures. "
                    "Exit code 1 when anything is wrong.",
        epilog=CHECK_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    check.add_argument("--json", action="store_true", help="print the result as JSON")
    check.add_argument("--path", help="content folder (default: the project's content/)")
    check.add_argument("--org", metavar="FILE",
                       help="organisation profile to render for (default: the example and an empty one)")
    check.add_argument("--today", type=_day, metavar="YYYY-MM-DD",
                       help="date to measure freshness against (default: today)")
    check.set_defaults(func=cmd_content_check)
    show = actions.add_parser(
        "preview", help="print a module as a worker sees it, quiz answers marked",
        description="Print one module, rendered for the organisation profile: every step, exercise "
                    "(and its \"I'm stuck\" help), the FAQ, and the quiz with ✓ on right options.")
    show.add_argument("module", metavar="MODULE", help="module id, e.g. mfa-sign-in")
    show.add_argument("--locale", choices=LOCALES, default="en", help="language (default en)")
    show.add_argument("--org", metavar="FILE", help="organisation profile (default: none, the ui.yaml defaults)")
    show.set_defaults(func=cmd_content_preview)
