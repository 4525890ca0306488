"""Cross-checks over the loaded content: ids, answers, placeholders, parity between locales,
and how fresh each module's facts are."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

from bot.content import DEFAULT_LOCALE, LOCALES, Catalog, ContentError, Module, shown_path as _rel
from bot.content_render import ORG_PLACEHOLDER, PLACEHOLDERS

PLACEHOLDER = re.compile(r"\{(\w+)\}")
STALE_AFTER_DAYS = 180


def _duplicates(values: list[str]) -> list[str]:
    seen: set[str] = set()
    return sorted({v for v in values if v in seen or seen.add(v)})


def check_module(module: Module, file: str) -> list[str]:
    problems: list[str] = []
    if Path(file).stem != module.id:
        problems.append(f"file name must be the module id: {module.id}.yaml")
    for dup in _duplicates([s.id for s in module.steps]):
        problems.append(f"step id '{dup}' is used twice")
    if not any(s.exercise for s in module.steps):
        problems.append("needs at least one hands-on exercise")
    for dup in _duplicates([q.id for q in module.quiz.questions]):
        problems.append(f"question id '{dup}' is used twice")
    for q in module.quiz.questions:
        for dup in _duplicates([o.id for o in q.options]):
            problems.append(f"question '{q.id}': option id '{dup}' is used twice")
        right = sum(o.correct for o in q.options)
        if q.type == "single" and right != 1:
            problems.append(f"question '{q.id}' is single choice and needs exactly one correct option (has {right})")
        if q.type == "multiple" and not 2 <= right < len(q.options):
            problems.append(f"question '{q.id}' is multiple choice: mark 2 or more correct options, not all")
    return problems


def _shape(module: Module) -> dict:
    """What must be identical in every locale."""
    return {
        "order": module.order,
        "minutes": module.minutes,
        "steps": [(s.id, s.exercise is not None, s.when, s.exercise.when if s.exercise else None)
                  for s in module.steps],
        "faq": [f.when for f in module.faq],
        "pass_mark": module.quiz.pass_mark,
        "questions": [
            (q.id, q.type, [(o.id, o.correct) for o in q.options]) for q in module.quiz.questions
        ],
    }


def _parity(base: Module, other: Module) -> list[str]:
    a, b = _shape(base), _shape(other)
    problems = []
    for key in a:
        if a[key] != b[key]:
            problems.append(f"{key} differ from the {DEFAULT_LOCALE} version")
    return problems


def cross_check(catalog: Catalog, root: Path) -> list[ContentError]:
    errors: list[ContentError] = []
    base = catalog.locales[DEFAULT_LOCALE]
    for locale in LOCALES:
        tree = catalog.locales[locale]
        for module_id, module in tree.modules.items():
            file = _rel(tree.files[module_id], root)
            errors += [ContentError(file, 1, p) for p in check_module(module, file)]
            errors += _unknown_placeholders(module, tree.files[module_id], file)
            if locale != DEFAULT_LOCALE:
                if module_id not in base.modules:
                    errors.append(ContentError(file, 1, f"module '{module_id}' has no {DEFAULT_LOCALE} version"))
                else:
                    errors += [ContentError(file, 1, f"module '{module_id}': {p}")
                               for p in _parity(base.modules[module_id], module)]
        if locale != DEFAULT_LOCALE:
            for module_id in base.modules:
                if module_id not in tree.modules:
                    errors.append(ContentError(f"content/{locale}/modules/{module_id}.yaml", 1,
                                               f"missing: the {DEFAULT_LOCALE} module '{module_id}' has no {locale} version"))
            errors += _ui_parity(base.ui, tree.ui, locale)
    errors += [ContentError(f"content/{DEFAULT_LOCALE}/ui.yaml", 1, f"missing default string 'org.default.{name}'")
               for name in PLACEHOLDERS if f"org.default.{name}" not in base.ui]
    return errors


def strings_of(node: Any) -> Iterator[str]:
    """Every text of a module (step, exercise, FAQ, quiz...), from its model_dump()."""
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for key, value in node.items():
            if key not in ("id", "url", "when"):
                yield from strings_of(value)
    elif isinstance(node, list):
        for item in node:
            yield from strings_of(item)


def _line_of(path: Path, needle: str) -> int:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError:
        return 1
    return next((n for n, line in enumerate(lines, 1) if needle in line), 1)


def _unknown_placeholders(module: Module, path: Path, file: str) -> list[ContentError]:
    unknown = sorted({name for text in strings_of(module.model_dump())
                      for name in ORG_PLACEHOLDER.findall(text) if name not in PLACEHOLDERS})
    known = ", ".join(f"{{org.{p}}}" for p in PLACEHOLDERS)
    return [ContentError(file, _line_of(path, f"{{org.{name}}}"),
                         f"unknown placeholder {{org.{name}}} (known: {known})") for name in unknown]


def freshness_problems(catalog: Catalog, root: Path, today: date) -> tuple[list[ContentError], list[ContentError]]:
    """(errors, warnings): a module without `reviewed:` or `sources:` is an error; one whose
    facts were last checked more than STALE_AFTER_DAYS ago is a warning."""
    errors, warnings = [], []
    for tree in catalog.locales.values():
        for module_id, module in tree.modules.items():
            path = tree.files[module_id]
            file = _rel(path, root)
            if module.reviewed is None:
                errors.append(ContentError(file, 1, "reviewed: required (YYYY-MM-DD: when its facts were "
                                                    "last checked against Microsoft's docs)"))
            elif (age := (today - module.reviewed).days) > STALE_AFTER_DAYS:
                warnings.append(ContentError(
                    file, _line_of(path, "reviewed:"),
                    f"reviewed {module.reviewed.isoformat()}, {age} days ago: check its facts against "
                    f"its sources again (limit {STALE_AFTER_DAYS} days)"))
            elif age < 0:
                errors.append(ContentError(file, _line_of(path, "reviewed:"),
                                           f"reviewed {module.reviewed.isoformat()} is in the future"))
            if not module.sources:
                errors.append(ContentError(file, 1, "sources: required (at least one {title, url} of the "
                                                    "Microsoft page its facts come from)"))
    return errors, warnings
def _ui_parity(base: dict[str, str], other: dict[str, str], locale: str) -> list[ContentError]:
    file = f"content/{locale}/ui.yaml"
    errors = [ContentError(file, 1, f"missing string '{key}'") for key in base if key not in other]
    errors += [ContentError(file, 1, f"string '{key}' is not in the {DEFAULT_LOCALE} file")
               for key in other if key not in base]
    for key in base.keys() & other.keys():
        if set(PLACEHOLDER.findall(base[key])) != set(PLACEHOLDER.findall(other[key])):
            errors.append(ContentError(file, 1, f"string '{key}': placeholders differ from {DEFAULT_LOCALE}"))
    return errors


def summary(catalog: Catalog) -> dict[str, dict[str, int]]:
    result = {}
    for locale, tree in catalog.locales.items():
        modules = list(tree.modules.values())
        result[locale] = {
            "modules": len(modules),
            "steps": sum(len(m.steps) for m in modules),
            "exercises": sum(1 for m in modules for s in m.steps if s.exercise),
            "questions": sum(len(m.quiz.questions) for m in modules),
        }
    return result
