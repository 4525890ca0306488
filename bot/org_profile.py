"""The organisation profile (ORG_PROFILE): who the helpdesk is, which sign-in methods and
platforms the organisation uses, its sensitivity labels, where workers practise.

Every key is optional: what the profile leaves out falls back to the defaults in ui.yaml, and
content conditioned on it stays visible. The example is content/org-profile.example.yaml.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, StringConstraints, model_validator

from bot.content import METHODS, PLATFORMS, ContentError, HttpsUrl, Strict, Text, read_yaml, validate

EXAMPLE_PROFILE = Path(__file__).resolve().parent.parent / "content" / "org-profile.example.yaml"

Method = Literal[METHODS]  # type: ignore[valid-type]
Platform = Literal[PLATFORMS]  # type: ignore[valid-type]
Email = Annotated[str, StringConstraints(pattern=r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$")]


class Helpdesk(Strict):
    name: Text | None = None
    link: HttpsUrl | None = None
    email: Email | None = None
    teams_channel: Text | None = None


class SignInMethods(Strict):
    allowed: list[Method] = Field(default_factory=list)
    recommended: Method | None = None

    @model_validator(mode="after")
    def _recommended_is_allowed(self) -> SignInMethods:
        if self.recommended and self.allowed and self.recommended not in self.allowed:
            raise ValueError(f"recommended method '{self.recommended}' is not in allowed {self.allowed}")
        return self


class PasswordReset(Strict):
    methods: list[Method] = Field(default_factory=list)
    hybrid_writeback: bool | None = None


class Label(Strict):
    name: Text
    meaning: Text


class Practice(Strict):
    team: Text | None = None
    channel: Text | None = None


class OrgProfile(Strict):
    organisation: Text | None = None
    helpdesk: Helpdesk = Helpdesk()
    sign_in_methods: SignInMethods = SignInMethods()
    password_reset: PasswordReset = PasswordReset()
    hybrid: bool | None = None
    device_platforms: list[Platform] = Field(default_factory=list)
    sensitivity_labels: list[Label] = Field(default_factory=list)
    practice: Practice = Practice()

    @model_validator(mode="after")
    def _writeback_needs_hybrid(self) -> OrgProfile:
        if self.hybrid is False and self.password_reset.hybrid_writeback:
            raise ValueError("password_reset.hybrid_writeback: true needs hybrid identities (hybrid is false)")
        return self

    def is_hybrid(self) -> bool | None:
        """Hybrid identity (synced from on-premises AD); writeback implies it. None = not stated."""
        if self.hybrid is not None:
            return self.hybrid
        return True if self.password_reset.hybrid_writeback else None

    def methods(self) -> set[str] | None:
        """Every method the organisation offers, for sign-in or reset. None = not stated."""
        stated = set(self.sign_in_methods.allowed) | set(self.password_reset.methods)
        return stated or None


EMPTY_PROFILE = OrgProfile()


class ProfileInvalid(Exception):
    def __init__(self, errors: list[ContentError]):
        self.errors = errors
        super().__init__("organisation profile: " + "; ".join(str(e) for e in errors[:10]))


def read_profile(path: Path) -> tuple[OrgProfile | None, list[ContentError]]:
    """The profile in `path`, or the reasons (file:line) it is not valid. An empty file is an
    empty profile."""
    if not path.is_file():
        return None, [ContentError(str(path), 1, "organisation profile file not found")]
    data, _, errors = read_yaml(path, path.parent, shown_as=str(path))
    if errors or data is None:
        return (None if errors else EMPTY_PROFILE), errors
    return validate(OrgProfile, path, path.parent, shown_as=str(path))


def load_profile(path: Path | None) -> OrgProfile | None:
    """For the service: None without a path; raises ProfileInvalid on a bad file."""
    if path is None or not str(path).strip():
        return None
    profile, errors = read_profile(Path(path))
    if errors:
        raise ProfileInvalid(errors)
    return profile
