"""Cross-checks over the loaded content: ids, answers, and parity between locales."""

from __future__ import annotations

import re
from pathlib import Path

from bot.content import DEFAULT_LOCALE, LOCALES, Catalog, ContentError, Module

PLACEHOLDER = re.compile(r"\{(\w+)\}")


def _rel(path: Path, root: Path) -> str:
    return str(path.relative_to(root.parent)) if root.parent in path.parents else str(path)


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
        "steps": [(s.id, s.exercise is not None) for s in module.steps],
        "faq": len(module.faq),
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
    return errors


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
