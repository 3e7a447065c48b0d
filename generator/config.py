"""Site settings: site.yaml → SiteConfig, and the options of one build (BuildOptions).

Reads only site.yaml. Unknown keys are errors, so a typo never passes silently.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated
from urllib.parse import urlsplit

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, field_validator

from generator.errors import Problems
from generator.yamldoc import YamlProblem, parse, report_validation

CONFIG_FILE = "site.yaml"


def _safe_url(value: str | None) -> str | None:
    """Links from site.yaml reach every page: only web, site-relative or mail links."""
    if value is None:
        return None
    text = value.strip()
    try:
        parts = urlsplit(text)
    except ValueError:
        raise ValueError(f"'{value}' is not a valid URL") from None
    if text.startswith("/") and not text.startswith("//"):
        return text
    if parts.scheme in {"http", "https"} and parts.netloc:
        return text
    if parts.scheme == "mailto" and parts.path:
        return text
    raise ValueError(f"'{value}' is not a web address: start it with https:// (or /)")


SafeUrl = Annotated[str, AfterValidator(_safe_url)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Organisation(_Strict):
    name: str = Field(
        min_length=1, description="The organisation's name, shown in the footer and feeds"
    )
    url: SafeUrl | None = Field(None, description="The organisation's main website")


class Vocabularies(_Strict):
    injustice: tuple[str, ...] = Field(
        min_length=1, description="Terms a story's `injustice` may use"
    )
    milestone_kind: tuple[str, ...] = Field(
        ("founding", "expansion", "rescue", "conviction", "law", "study", "program"),
        description="Terms a milestone's `kind` may use",
    )


class Announcement(_Strict):
    text: str = Field(min_length=1, description="Banner text shown on every page")
    url: SafeUrl | None = Field(None, description="Where the banner links")
    link_text: str = Field("Learn more", description="Text of the banner's link")


class Contact(_Strict):
    name: str
    role: str | None = None
    email: str | None = None
    phone: str | None = None


class Releases(_Strict):
    keep: int = Field(10, ge=1, description="How many releases to keep in output/releases/")


class SiteConfig(_Strict):
    """Everything site.yaml may hold."""

    title: str = Field(min_length=1, max_length=200)
    tagline: str | None = None
    base_url: str = Field(description="Public address of the site, may include a path")
    language: str = Field("en", pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
    organisation: Organisation
    donate_url: SafeUrl
    vocabularies: Vocabularies
    announcement: Announcement | None = None
    contact: Contact | None = None
    newsletter: SafeUrl | None = Field(None, description="URL the newsletter sign-up form posts to")
    video_hosts: tuple[str, ...] = ()
    per_page: int = Field(12, ge=1, le=500, description="Stories per listing page")
    feed_size: int = Field(20, ge=1, le=500, description="Stories in the Atom feed")
    releases: Releases = Releases()
    consent_warning_days: int = Field(
        60, ge=0, le=3650, description="Warn this many days before a story's consent expires"
    )

    @field_validator("base_url")
    @classmethod
    def _absolute_url(cls, value: str) -> str:
        parts = urlsplit(value)
        if parts.scheme not in {"http", "https"} or not parts.netloc:
            raise ValueError("must be an absolute http(s) URL, e.g. https://example.org/")
        return value if value.endswith("/") else value + "/"

    @property
    def base_path(self) -> str:
        """The path part of base_url, always starting and ending with '/'."""
        return urlsplit(self.base_url).path or "/"


@dataclass(frozen=True)
class BuildOptions:
    """What one build was asked to do (from the CLI or the preview server)."""

    site_dir: Path
    out_dir: Path | None = None  # default: <site_dir>/output
    base_url: str | None = None
    drafts: bool = False
    as_of: dt.date | None = None  # default: SOURCE_DATE_EPOCH, else today
    write: bool = True
    # the preview keeps the build's values for its quick path, so it always builds
    # (incrementally) rather than accept an up-to-date release it has no values for
    keep_session: bool = False
    # releases to keep (default: site.yaml's releases.keep); the preview keeps one, so
    # each rebuild recycles the one before it (release.SPARE) instead of new folders
    keep_releases: int | None = None

    @property
    def output(self) -> Path:
        return self.out_dir if self.out_dir is not None else self.site_dir / "output"


def _field_names() -> list[str]:
    names: set[str] = set()
    for model in (SiteConfig, Organisation, Vocabularies, Announcement, Contact, Releases):
        names.update(model.model_fields)
    return sorted(names)


def load_config(
    site_dir: Path, problems: Problems, base_url: str | None = None
) -> SiteConfig | None:
    """Read and validate site.yaml; None (with problems recorded) when it is unusable."""
    path = site_dir / CONFIG_FILE
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        problems.error(
            CONFIG_FILE,
            None,
            None,
            "site settings file not found",
            f"create {CONFIG_FILE} in {site_dir} (see docs/content.md)",
        )
        return None
    except UnicodeDecodeError:
        problems.error(CONFIG_FILE, None, None, "not UTF-8 text", "save the file as UTF-8")
        return None
    except OSError as exc:
        problems.error(CONFIG_FILE, None, None, f"cannot read: {exc.strerror}")
        return None
    try:
        doc = parse(text)
    except YamlProblem as exc:
        problems.error(CONFIG_FILE, exc.line, None, exc.message, exc.hint)
        return None
    data = doc.data
    if not isinstance(data, dict):
        problems.error(CONFIG_FILE, 1, None, "must be a mapping of settings (key: value)")
        return None
    if base_url is not None:
        data = {**data, "base_url": base_url}
    try:
        return SiteConfig.model_validate(data)
    except ValidationError as exc:
        report_validation(exc, CONFIG_FILE, doc.lines, 0, 1, _field_names(), problems)
        return None
