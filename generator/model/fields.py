"""Field types shared by the content models: slugs, countries, dates, terms.

Validators here turn editor input into clean values or raise ValueError with a message
an editor can act on. Pure.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
import unicodedata
from functools import cache
from typing import Annotated, Any
from urllib.parse import urlsplit

from pydantic import AfterValidator, BeforeValidator, ValidationInfo, WithJsonSchema

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")

# Names people write that ISO 3166's English names spell differently
_COUNTRY_ALIASES = {
    "russia": "Russia",
    "turkey": "Türkiye",
    "democratic republic of the congo": "Congo, The Democratic Republic of the",
    "dr congo": "Congo, The Democratic Republic of the",
    "ivory coast": "Côte d'Ivoire",
    "cote d'ivoire": "Côte d'Ivoire",
    "united states of america": "United States",
    "usa": "United States",
    "uk": "United Kingdom",
    "burma": "Myanmar",
    "swaziland": "Eswatini",
    "east timor": "Timor-Leste",
}


@cache
def slugify(text: str) -> str:
    """'Côte d'Ivoire' → 'cote-divoire'; 'Land theft' → 'land-theft'."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    ascii_text = re.sub(r"['’]", "", ascii_text.lower())
    return re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")


@cache
def country_table() -> dict[str, str]:
    """Lower-cased accepted spelling → the name we display (ISO common name if any)."""
    table: dict[str, str] = {}
    import pycountry  # here: importing it costs more than a build that validates no country

    for country in pycountry.countries:
        shown = getattr(country, "common_name", None) or country.name
        for attr in ("name", "common_name", "official_name"):
            value = getattr(country, attr, None)
            if value:
                table[value.lower()] = shown
    for alias, target in _COUNTRY_ALIASES.items():
        table[alias] = table.get(target.lower(), target)
    return table


def country_name(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError("must be a country name, e.g. Uganda")
    table = country_table()
    found = table.get(value.strip().lower())
    if found is None:
        close = difflib.get_close_matches(value.strip().lower(), list(table), n=1, cutoff=0.7)
        suggestion = f"; did you mean '{table[close[0]]}'?" if close else ""
        raise ValueError(f"unknown country '{value}'{suggestion} (use the English ISO 3166 name)")
    return found


def slug(value: Any) -> str:
    if not isinstance(value, str) or not SLUG_RE.match(value):
        raise ValueError(
            f"'{value}' is not a slug: use lowercase letters, digits and single hyphens"
        )
    return value


def plain_date(value: Any) -> Any:
    """Accept YYYY-MM-DD (YAML date or quoted text); refuse numbers, which pydantic would
    otherwise read as Unix timestamps."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, bool | int | float):
        raise ValueError(f"'{value}' is not a date: write it as YYYY-MM-DD")
    if isinstance(value, str):
        if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value.strip()):
            raise ValueError(f"'{value}' is not a date: write it as YYYY-MM-DD")
        try:  # YAML leaves an impossible date such as 2024-02-30 as text
            return dt.date.fromisoformat(value.strip())
        except ValueError as exc:
            raise ValueError(f"'{value}' is not a real date ({exc})") from None
    return value


def date_or_datetime(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day, tzinfo=dt.UTC)
    if isinstance(value, str):
        try:
            parsed = dt.datetime.fromisoformat(value.strip())
        except ValueError:
            raise ValueError(
                f"'{value}' is not a date or time: write YYYY-MM-DD or YYYY-MM-DD HH:MM"
            ) from None
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)
    raise ValueError(f"'{value}' is not a date or time: write YYYY-MM-DD or YYYY-MM-DD HH:MM")


def _vocabulary_term(name: str) -> Any:
    def check(value: str, info: ValidationInfo) -> str:
        vocab = (info.context or {}).get(name)
        if vocab is not None and value not in vocab:
            close = difflib.get_close_matches(value, list(vocab), n=1, cutoff=0.6)
            hint = f"; did you mean '{close[0]}'?" if close else ""
            raise ValueError(f"'{value}' is not in site.yaml's vocabularies.{name}{hint}")
        return value

    return check


def _url(value: Any) -> Any:
    if isinstance(value, str) and not re.match(r"^(https?://|/|mailto:)", value.strip()):
        raise ValueError(f"'{value}' is not a URL: start it with https://")
    try:
        urlsplit(value.strip()).port  # noqa: B018  (raises on 'https://[x' or a bad port)
    except ValueError as exc:
        raise ValueError(f"'{value}' is not a valid URL ({exc})") from None
    return value


_PATH_SEGMENT = re.compile(r"(?:[^\W_]|%)[\w.~%-]*")  # not starting with . or _
# Files the release and the hosts read: an alias there would replace them
_RESERVED_PATHS = {"manifest.json"}


def _url_path(value: Any) -> Any:
    """An old URL path that redirects here: a plain path, never a host file (_headers,
    .nojekyll), the manifest, a query, or an index.html spelling of a folder URL."""
    if not isinstance(value, str):
        return value
    if not value.startswith("/") or ".." in value.split("/"):
        raise ValueError(
            f"'{value}' must be a path on this site starting with '/', e.g. /stories/old-name/"
        )
    segments = value[1:].removesuffix("/").split("/") if value != "/" else []
    if any(not _PATH_SEGMENT.fullmatch(part) for part in segments):
        raise ValueError(
            f"'{value}' is not a plain path: use letters, digits, '-', '.' and '_' between "
            "slashes, not starting with '.' or '_', without '?', '#' or '//'"
        )
    if value.lstrip("/") in _RESERVED_PATHS:
        raise ValueError(f"'{value}' is a file every release needs; it cannot redirect")
    if segments and segments[-1].lower() in {"index.html", "index.htm"}:
        folder = "/".join(segments[:-1])
        raise ValueError(f"write '{value}' as its folder, '/{folder + '/' if folder else ''}'")
    return value


# Each type also says what JSON Schema editors should see (storysite schema)
Slug = Annotated[
    str,
    AfterValidator(slug),
    WithJsonSchema({"type": "string", "pattern": SLUG_RE.pattern}),
]
Country = Annotated[
    str,
    AfterValidator(country_name),
    WithJsonSchema({"type": "string", "x-storysite": "country"}),
]
PlainDate = Annotated[
    dt.date,
    BeforeValidator(plain_date),
    WithJsonSchema({"type": "string", "format": "date"}),
]
Moment = Annotated[
    dt.datetime,
    BeforeValidator(date_or_datetime),
    WithJsonSchema({"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}.*)?$"}),
]
InjusticeTerm = Annotated[
    str,
    AfterValidator(_vocabulary_term("injustice")),
    WithJsonSchema({"type": "string", "x-storysite": "injustice"}),
]
MilestoneKind = Annotated[
    str,
    AfterValidator(_vocabulary_term("milestone_kind")),
    WithJsonSchema({"type": "string", "x-storysite": "milestone_kind"}),
]
Url = Annotated[str, AfterValidator(_url), WithJsonSchema({"type": "string", "format": "uri"})]
UrlPath = Annotated[
    str, AfterValidator(_url_path), WithJsonSchema({"type": "string", "pattern": "^/"})
]
