"""Training content and UI strings: the schema, and loading content/ into a Catalog.

Layout: content/<locale>/ui.yaml (flat key -> string, `{name}` placeholders) and
content/<locale>/modules/<module-id>.yaml (one Module each). Every model forbids unknown keys.
Cross-checks between files and locales live in bot/content_check.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

if TYPE_CHECKING:
    from domain.adoption import Expectations
    from bot.org_profile import OrgProfile

LOCALES: tuple[str, ...] = ("en", "sv", "nl")
DEFAULT_LOCALE = "en"
CONTENT_DIR = Path(__file__).resolve().parent.parent / "content"
IMAGES_DIR = CONTENT_DIR / "images"  # served by the bot at /static/images/ (bot/app.py)

Id = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{0,47}$")]
Text = Annotated[str, StringConstraints(min_length=1, strip_whitespace=True)]
HttpsUrl = Annotated[str, StringConstraints(pattern=r"^https://[A-Za-z0-9.-]+\.[A-Za-z]{2,}(/\S*)?$")]
# A picture of the project itself (content/images/), turned into the bot's own URL on a card.
ImagePath = Annotated[str, StringConstraints(pattern=r"^images/[a-z0-9][a-z0-9-]{0,47}\.png$")]


# `when:` on a step, an exercise or an FAQ entry: shown unless the organisation profile
# contradicts it (bot/content_render.py).
PLATFORMS: tuple[str, ...] = ("windows", "macos", "ios", "android")
METHODS: tuple[str, ...] = ("authenticator", "passkey", "fido2", "windows_hello", "sms", "voice", "email",
                            "hardware_oath")
CONDITIONS: tuple[str, ...] = ("hybrid", "not hybrid", *(f"platform:{p}" for p in PLATFORMS),
                               *(f"method:{m}" for m in METHODS))
Condition = Literal[CONDITIONS]  # type: ignore[valid-type]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Link(Strict):
    title: Text
    url: HttpsUrl


class Image(Strict):
    url: HttpsUrl | ImagePath
    alt: Text

    def address(self, base_url: str) -> str:
        """Where a client loads it: an https URL as written, a project image under `base_url`."""
        return self.url if self.url.startswith("https://") else f"{base_url.rstrip('/')}/static/{self.url}"


class Exercise(Strict):
    task: Text  # what to do right now, hands-on
    help: Text  # shown after "I'm stuck"
    link: Link | None = None
    when: Condition | None = None


class Step(Strict):
    id: Id
    title: Text
    text: Text
    image: Image | None = None
    links: list[Link] = Field(default_factory=list)
    exercise: Exercise | None = None
    when: Condition | None = None


class Option(Strict):
    id: Id
    text: Text
    correct: bool = False
    explanation: Text


class Question(Strict):
    id: Id
    type: Literal["single", "multiple"] = "single"
    text: Text
    options: list[Option] = Field(min_length=3, max_length=4)


class Quiz(Strict):
    pass_mark: int = Field(default=80, ge=1, le=100)
    questions: list[Question] = Field(min_length=6, max_length=10)


class Faq(Strict):
    q: Text
    a: Text
    when: Condition | None = None


class Module(Strict):
    id: Id
    order: int = Field(ge=1)
    title: Text
    summary: Text
    minutes: int = Field(ge=5, le=15)
    # When its facts were last checked against Microsoft's docs, and against which pages.
    # Required by `coach content check` (content_check.freshness_problems); the service loads
    # a module without them, so a missing date never keeps workers from their training.
    reviewed: date | None = None
    sources: list[Link] = Field(default_factory=list)
    keywords: list[Text] = Field(min_length=3)
    steps: list[Step] = Field(min_length=4, max_length=10)
    faq: list[Faq] = Field(min_length=3, max_length=5)
    quiz: Quiz

    def step(self, index: int) -> Step | None:
        return self.steps[index] if 0 <= index < len(self.steps) else None

    def question(self, question_id: str) -> Question | None:
        return next((q for q in self.quiz.questions if q.id == question_id), None)


@dataclass
class ContentError:
    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


@dataclass
class LocaleContent:
    locale: str
    ui: dict[str, str] = field(default_factory=dict)
    modules: dict[str, Module] = field(default_factory=dict)  # sorted by `order`
    files: dict[str, Path] = field(default_factory=dict)  # module id -> file


@dataclass
class Catalog:
    locales: dict[str, LocaleContent]
    # What each module should lead to in real use (content/expectations.yaml + ORG_EXPECTATIONS);
    # None when it does not load (`coach content check` says why): no refresher suggestions then.
    expectations: Expectations | None = None

    def module_ids(self) -> list[str]:
        return list(self.locales[DEFAULT_LOCALE].modules)

    def modules(self, locale: str) -> list[Module]:
        return list(self._tree(locale).modules.values())

    def module(self, locale: str, module_id: str) -> Module | None:
        return self._tree(locale).modules.get(module_id)

    def ui(self, locale: str) -> dict[str, str]:
        return self._tree(locale).ui

    def _tree(self, locale: str) -> LocaleContent:
        return self.locales.get(locale) or self.locales[DEFAULT_LOCALE]


class ContentInvalid(Exception):
    def __init__(self, errors: list[ContentError]):
        self.errors = errors
        super().__init__("\n".join(str(e) for e in errors[:20]))


def _line_index(node: yaml.Node, path: tuple = ()) -> dict[tuple, int]:
    """Map each key path (as pydantic reports it in `loc`) to its 1-based line."""
    lines = {path: node.start_mark.line + 1}
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            child = path + (key_node.value,)
            lines.update(_line_index(value_node, child))
            lines[child] = key_node.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            lines.update(_line_index(item, path + (i,)))
    return lines


def _line_for(lines: dict[tuple, int], loc: tuple) -> int:
    for cut in range(len(loc), -1, -1):
        if loc[:cut] in lines:
            return lines[loc[:cut]]
    return 1


def shown_path(path: Path, root: Path) -> str:
    """How a file is named in messages: relative to the content folder's parent when inside it."""
    return str(path.relative_to(root.parent)) if root.parent in path.parents else str(path)


def read_yaml(path: Path, root: Path, shown_as: str | None = None) -> tuple[Any, dict[tuple, int], list[ContentError]]:
    rel = shown_as or shown_path(path, root)
    try:
        text = path.read_text(encoding="utf-8")
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except UnicodeDecodeError as exc:
        return None, {}, [ContentError(rel, 1, f"not UTF-8 text ({exc.reason})")]
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else 1
        return None, {}, [ContentError(rel, line, f"YAML syntax: {exc.problem}")]
    return data, (_line_index(node) if node is not None else {}), []


def validate(model: type[BaseModel], path: Path, root: Path,
             shown_as: str | None = None) -> tuple[Any, list[ContentError]]:
    data, lines, errors = read_yaml(path, root, shown_as)
    if errors:
        return None, errors
    rel = shown_as or shown_path(path, root)
    try:
        return model.model_validate(data), []
    except ValidationError as exc:
        return None, [
            ContentError(rel, _line_for(lines, tuple(err["loc"])),
                         f"{'.'.join(str(p) for p in err['loc']) or '(file)'}: {err['msg']}")
            for err in exc.errors()
        ]


def load_locale(root: Path, locale: str) -> tuple[LocaleContent, list[ContentError]]:
    tree = LocaleContent(locale)
    errors: list[ContentError] = []
    ui_path = root / locale / "ui.yaml"
    if ui_path.exists():
        data, _, errs = read_yaml(ui_path, root)
        errors += errs
        if isinstance(data, dict) and all(isinstance(v, str) for v in data.values()):
            tree.ui = {str(k): v for k, v in data.items()}
        elif not errs:
            errors.append(ContentError(str(ui_path.relative_to(root.parent)), 1,
                                       "ui.yaml must map keys to plain strings"))
    else:
        errors.append(ContentError(f"content/{locale}/ui.yaml", 1, "file is missing"))
    found: list[tuple[Module, Path]] = []
    for path in sorted((root / locale / "modules").glob("*.yaml")):
        module, errs = validate(Module, path, root)
        errors += errs
        if module is not None:
            found.append((module, path))
    for module, path in sorted(found, key=lambda item: (item[0].order, item[0].id)):
        tree.modules.setdefault(module.id, module)
        tree.files.setdefault(module.id, path)
    return tree, errors


def load_raw_catalog(root: Path = CONTENT_DIR) -> tuple[Catalog, list[ContentError]]:
    """Every locale as written, placeholders and conditions untouched, with every error found."""
    from bot.content_check import cross_check

    errors: list[ContentError] = []
    locales: dict[str, LocaleContent] = {}
    for locale in LOCALES:
        tree, errs = load_locale(root, locale)
        locales[locale] = tree
        errors += errs
    catalog = Catalog(locales)
    errors += cross_check(catalog, root)
    return catalog, errors


def load_catalog(root: Path = CONTENT_DIR, *, strict: bool = True,
                 profile: OrgProfile | None = None,
                 expectations_file: Path | None = None) -> tuple[Catalog, list[ContentError]]:
    """Every locale, rendered for the organisation (`profile`; None: the ui.yaml defaults),
    with the expectations (`expectations_file`: the organisation's override).
    With strict=True any error (schema, cross-check, rendering) raises."""
    from bot.content_render import render_catalog
    from bot.expectations import load_expectations

    raw, errors = load_raw_catalog(root)
    catalog, render_errors = render_catalog(raw, profile, root)
    errors += render_errors
    if strict and errors:
        raise ContentInvalid(errors)
    if DEFAULT_LOCALE in catalog.locales:
        catalog.expectations = load_expectations(root, catalog.module_ids(), expectations_file)[0]
    return catalog, errors
