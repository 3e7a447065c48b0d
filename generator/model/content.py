"""The content models: front matter of each kind, exactly as the contract names it.

``*Meta`` classes are what an editor may write (unknown fields are errors); the
document classes add what the build knows about the file (path, slug, body).
Pure data: the model does not render itself.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Annotated, Any, Literal, NamedTuple

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, WithJsonSchema, model_validator

from generator.model.fields import (
    Country,
    InjusticeTerm,
    MilestoneKind,
    Moment,
    PlainDate,
    Slug,
    Url,
    UrlPath,
)


class _Strict(BaseModel):
    # nan and inf are valid YAML floats (.nan, .inf) but no goal or metric is either
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False, defer_build=True)


class Consent(_Strict):
    obtained: PlainDate = Field(description="Date the survivor gave consent")
    scope: tuple[Literal["web", "social", "print"], ...] = Field(
        (), description="Where the story may appear: web, social, print"
    )
    expires: PlainDate | None = Field(None, description="Consent ends on this date")
    withdrawn: PlainDate | None = Field(None, description="Consent was withdrawn on this date")


class Survivor(_Strict):
    name: str = Field(min_length=1, max_length=100)
    pseudonym: bool = Field(False, description="Shown as Name* with a footnote")
    age: int | None = Field(None, ge=0, le=120)


class ImageRef(_Strict):
    src: str = Field(min_length=1, description="Path inside the story's folder or content/")
    alt: str = Field(min_length=1, description="Describes the image for people who cannot see it")
    caption: str | None = None
    credit: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _alt_required(cls, data: Any) -> Any:
        # here rather than on the story, so the message carries the image's line
        if isinstance(data, dict) and data.get("src") and not data.get("alt"):
            raise ValueError("image.alt is required: describe the photo for screen-reader users")
        return data


class Video(_Strict):
    url: Url
    title: str | None = None
    transcript: str | None = None


class StoryMeta(_Strict):
    title: str = Field(min_length=1, max_length=200)
    date: PlainDate
    summary: str = Field(min_length=1, max_length=300)
    country: Country
    injustice: tuple[InjusticeTerm, ...] = Field(min_length=1)
    consent: Consent | None = None
    status: Literal["published", "draft", "withdrawn"] = "published"
    slug: Slug | None = None
    publish_at: Moment | None = None
    survivor: Survivor | None = None
    tags: tuple[Annotated[str, Field(min_length=1, max_length=60)], ...] = ()
    image: ImageRef | None = None
    video: Video | None = None
    content_warning: str | None = None
    quote: str | None = None
    aliases: tuple[UrlPath, ...] = ()
    related: tuple[Slug, ...] = ()
    updated: PlainDate | None = None


class PartialDate(NamedTuple):
    """A milestone's date: a year, a month or a day."""

    year: int
    month: int = 0  # 0: not given (so partial dates sort before precise ones that year)
    day: int = 0

    def label(self) -> str:
        if not self.month:
            return str(self.year)
        if not self.day:
            return dt.date(self.year, self.month, 1).strftime("%B %Y")
        return dt.date(self.year, self.month, self.day).strftime("%-d %B %Y")

    def iso(self) -> str:
        parts = [f"{self.year:04d}"] + [f"{p:02d}" for p in (self.month, self.day) if p]
        return "-".join(parts)

    def as_date(self) -> dt.date:
        return dt.date(self.year, self.month or 1, self.day or 1)


def _partial_date(value: Any) -> Any:
    if isinstance(value, PartialDate):
        return value
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return PartialDate(value.year, value.month, value.day)
    if isinstance(value, int) and not isinstance(value, bool) and 1000 <= value <= 9999:
        return PartialDate(value)
    if isinstance(value, str):
        parts = value.strip().split("-")
        ascii_digits = all(p.isascii() and p.isdigit() for p in parts)
        if 1 <= len(parts) <= 3 and ascii_digits and len(parts[0]) == 4:
            nums = [int(p) for p in parts]
            try:
                dt.date(nums[0], nums[1] if len(nums) > 1 else 1, nums[2] if len(nums) > 2 else 1)
            except (ValueError, OverflowError):  # OverflowError: a 20-digit month
                raise ValueError(f"'{value}' is not a real date") from None
            return PartialDate(*nums)
    raise ValueError(f"'{value}' is not a year (1997), month (2010-06) or date (2010-06-15)")


class Metric(_Strict):
    value: float = Field(description="The number")
    label: str = Field(min_length=1)
    unit: str | None = Field(None, description="people, percent, usd, cases, ...")
    as_of: PlainDate | None = None
    source: str | None = None
    source_url: Url | None = None


class MilestoneMeta(_Strict):
    title: str = Field(min_length=1, max_length=200)
    date: Annotated[
        PartialDate,
        BeforeValidator(_partial_date),
        WithJsonSchema(
            {
                "anyOf": [
                    {"type": "integer", "minimum": 1000, "maximum": 9999},
                    {"type": "string", "pattern": r"^\d{4}(-\d{2}){0,2}$"},
                ]
            }
        ),
    ]
    kind: MilestoneKind | None = None
    country: Country | None = None
    metrics: tuple[Metric, ...] = ()
    headline: bool = False
    stories: tuple[Slug, ...] = ()
    summary: str | None = Field(None, max_length=300)
    slug: Slug | None = None


class PageMeta(_Strict):
    title: str = Field(min_length=1, max_length=200)
    summary: str | None = Field(None, max_length=300)
    stories: tuple[Slug, ...] = Field(
        (), description="A curated roundup of these stories, in order"
    )
    slug: Slug | None = None
    menu: int | None = Field(
        None, description="Position in the main navigation (omit to leave out)"
    )


class Money(_Strict):
    amount: float = Field(gt=0)
    currency: str = Field("USD", pattern=r"^[A-Z]{3}$")


class TeamMember(_Strict):
    name: str = Field(min_length=1)
    raised: float = Field(0, ge=0)


class CampaignMeta(_Strict):
    title: str = Field(min_length=1, max_length=200)
    summary: str = Field(min_length=1, max_length=300)
    goal: Money
    raised: float = Field(0, ge=0)
    starts: PlainDate
    ends: PlainDate
    donate_url: Url
    image: ImageRef | None = None
    team: tuple[TeamMember, ...] = ()
    slug: Slug | None = None

    @model_validator(mode="after")
    def _order(self) -> CampaignMeta:
        if self.ends < self.starts:
            raise ValueError("ends is before starts")
        return self


class Gift(_Strict):
    amount: float = Field(gt=0)
    currency: str = Field("USD", pattern=r"^[A-Z]{3}$")
    provides: str = Field(min_length=1)


class Source(_Strict):
    """Where a document came from, for messages and links (not editor-writable)."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True, defer_build=True)
    path: str
    lines: Mapping[tuple[str | int, ...], int]
    body_line: int  # the body itself is not kept: see load.bodies
    sha256: str
    folder: str


class Story(StoryMeta):
    slug: str  # type: ignore[assignment]  # always set once validated
    source: Source
    image_path: str | None = None  # site-relative path of the image file


class Milestone(MilestoneMeta):
    slug: str  # type: ignore[assignment]
    source: Source


class Page(PageMeta):
    slug: str  # type: ignore[assignment]
    source: Source


class Campaign(CampaignMeta):
    slug: str  # type: ignore[assignment]
    source: Source
    image_path: str | None = None


# Pydantic gives every model instance its own set of the fields that were given
# (``model_fields_set``, for ``exclude_unset``, which storysite never uses): 2 KB for
# a story, 47 MB of the build's memory at 10,000 stories, and scattered pages that
# each page worker copies. Documents share one set per model class instead. Pydantic
# copies the set before changing it (``model_copy``), so sharing it is safe.
_FIELDS_SETS: dict[type, set[str]] = {}


def fields_set(model: type[BaseModel]) -> set[str]:
    shared = _FIELDS_SETS.get(model)
    if shared is None:
        shared = _FIELDS_SETS[model] = set(model.model_fields)
    return shared


META = {"story": StoryMeta, "milestone": MilestoneMeta, "page": PageMeta, "campaign": CampaignMeta}
FULL: dict[str, type[BaseModel]] = {
    "story": Story,
    "milestone": Milestone,
    "page": Page,
    "campaign": Campaign,
}
KIND_OF = {cls: kind for kind, cls in FULL.items()}
