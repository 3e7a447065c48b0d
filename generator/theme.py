"""The Jinja2 environment: a site's own templates/ over the built-in theme.

Autoescaping is on and undefined variables are errors, so a typo in a template fails
the build instead of printing nothing. Filters format numbers, money and dates for
people. Front matter is passed in as data, never compiled as a template. Pure.
"""

from __future__ import annotations

import datetime as dt
import functools
from importlib import resources
from pathlib import Path
from typing import Any

import jinja2
from jinja2.sandbox import SandboxedEnvironment

from generator.config import SiteConfig


def builtin_dir() -> Path:
    """The built-in theme: inside the installed package, or the repository's templates/."""
    packaged = resources.files("generator") / "templates"
    if packaged.is_dir():
        return Path(str(packaged))
    return Path(__file__).resolve().parent.parent / "templates"


class _Sandbox(SandboxedEnvironment):
    """The sandbox, with its per-access safety check remembered.

    Jinja's check runs on every ``a.b`` in a template (hundreds of thousands per build) and
    its answer depends only on the object's type and the attribute's name
    (``is_internal_attribute`` looks at nothing else), so it is worked out once per pair.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._safe: dict[tuple[type, str], bool] = {}

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        key = (type(obj), attr)
        safe = self._safe.get(key)
        if safe is None:
            safe = self._safe[key] = super().is_safe_attribute(obj, attr, value)
        return safe


class _Context(jinja2.runtime.Context):
    """Calls storysite's own functions (``href``...) straight away.

    Jinja checks every call from a template for a context or environment to pass
    (three attribute lookups and two more calls), a fifth of the time a story page
    took; the functions registered with ``plain_functions`` take none. Any other
    callable (blocks, ``super()``, a theme's own) goes through Jinja's checks.
    """

    # named as in Jinja: a keyword argument may be called "self" or "obj"
    def call(__self, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        if id(__obj) in __self.environment.plain:  # type: ignore[attr-defined]
            kwargs.pop("_loop_vars", None)
            kwargs.pop("_block_vars", None)
            return __obj(*args, **kwargs)
        return super().call(__obj, *args, **kwargs)


def plain_functions(env: jinja2.Environment, *functions: Any) -> None:
    """Mark ``functions`` as taking no context from Jinja (see ``_Context``), in place
    of those marked before: the preview calls this for every quick edit with the same
    environment, which would otherwise keep every earlier set (and its cards) alive."""
    if hasattr(env, "plain"):
        env.plain = {id(f): f for f in functions}  # held: an id is not reused meanwhile


def environment(site_dir: Path | None, config: SiteConfig) -> jinja2.Environment:
    """Build the template environment for one site."""
    loaders: list[jinja2.BaseLoader] = []
    own = site_dir / "templates" if site_dir is not None else None
    has_own = own is not None and own.is_dir() and own.resolve() != builtin_dir().resolve()
    if has_own:
        loaders.append(jinja2.FileSystemLoader(str(own)))
    loaders.append(jinja2.FileSystemLoader(str(builtin_dir())))
    # Sandboxed if the site has templates of its own: they are code from the content
    # repository, and must not reach Python internals (cycler.__init__.__globals__.os...)
    # on the build machine. The built-in theme alone is storysite's own code, as trusted
    # as this module, and runs without the sandbox's check on every attribute and call
    # (a sixth of the time spent rendering pages)
    kind = _Sandbox if has_own else jinja2.Environment
    env = kind(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=jinja2.select_autoescape(["html", "xml"], default_for_string=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        # one build never sees a template change: skip a stat() per page render
        auto_reload=False,
    )
    if kind is jinja2.Environment:
        # the sandbox calls through its own checks (environment.call), not the context's
        env.context_class = _Context
        env.plain = {}  # type: ignore[attr-defined]
    env.filters.update(
        number=number,
        bignumber=bignumber,
        money=money,
        date=human_date,
        metric=metric_value,
        plural=plural,
    )
    env.globals.update(site=config)
    return env


def number(value: float | int) -> str:
    """76063 → '76,063'; 2.5 → '2.5'."""
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.1f}"
    return f"{int(value):,}"


def bignumber(value: float | int) -> str:
    """Round large figures the way people say them: 7,300,000 → '7.3 million'."""
    for size, word in ((1_000_000_000, "billion"), (1_000_000, "million")):
        if abs(value) >= size:
            scaled = value / size
            text = f"{scaled:.2f}".rstrip("0").rstrip(".")
            return f"{text} {word}"
    return number(value)


_SYMBOLS = {"USD": "$", "GBP": "£", "EUR": "€", "CAD": "CA$", "AUD": "A$"}


def money(amount: float, currency: str = "USD", short: bool = False) -> str:
    """35 → '$35'; 1250000 → '$1.25 million' (short) or '$1,250,000'."""
    symbol = _SYMBOLS.get(currency)
    text = bignumber(amount) if short and amount >= 1_000_000 else number(amount)
    return f"{symbol}{text}" if symbol else f"{text} {currency}"


def human_date(value: dt.date | Any, fmt: str = "long") -> str:
    """2024-03-05 → '5 March 2024' (long) or 'Mar 2024' (month)."""
    if hasattr(value, "label"):
        return str(value.label())
    if isinstance(value, dt.datetime):
        value = value.date()
    # a story page formats its dates four times, and thousands of stories share a day
    return _date_text(value, fmt)


@functools.lru_cache(maxsize=65536)
def _date_text(value: dt.date, fmt: str) -> str:
    if fmt == "iso":
        return value.isoformat()
    if fmt == "month":
        return value.strftime("%B %Y")
    return f"{value.day} {value.strftime('%B %Y')}"


def metric_value(metric: Any) -> str:
    """A metric's number with its unit: 94 percent → '94%'; 1200000 usd → '$1.2 million'."""
    unit = (metric.unit or "").lower()
    if unit == "percent":
        return f"{number(metric.value)}%"
    if unit in {"usd", "eur", "gbp"}:
        return money(metric.value, unit.upper(), short=True)
    return bignumber(metric.value)


def plural(count: int, singular: str, many: str | None = None) -> str:
    """plural(1, 'story') → '1 story'; plural(3, 'story', 'stories') → '3 stories'."""
    word = singular if count == 1 else (many or singular + "s")
    return f"{number(count)} {word}"
