"""Problems: the one error type every stage reports in.

Stages never raise for bad content; they append a Problem to the Problems collector
they are given. Only ``build.run`` turns collected errors into ``BuildFailed``, before
anything is written. Knows nothing of the other stages.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with the site, located as precisely as we can."""

    path: str  # site-relative, POSIX slashes ("" for the site as a whole)
    line: int | None
    field: str | None
    message: str
    hint: str | None = None
    severity: Severity = Severity.ERROR

    def format(self) -> str:
        """Render as ``path:line: field: message`` with an optional indented fix line.

        Control characters from content are shown escaped, so a value quoted back in a
        message cannot drive the terminal."""
        where = _printable(self.path) or "site"
        if self.line is not None:
            where = f"{where}:{self.line}"
        text = f"{where}: "
        if self.severity is Severity.WARNING:
            text += "warning: "
        if self.field:
            text += f"{_printable(self.field)}: "
        text += _printable(self.message)
        if self.hint:
            text += f"\n  fix: {_printable(self.hint)}"
        return text

    def format_github(self) -> str:
        """Render as a GitHub Actions workflow command (an annotation on the file)."""
        kind = "error" if self.severity is Severity.ERROR else "warning"
        loc = f"file={_property(self.path)}" if self.path else ""
        if self.line is not None and loc:
            loc += f",line={self.line}"
        message = (f"{self.field}: " if self.field else "") + self.message
        if self.hint:
            message += f" (fix: {self.hint})"
        message = _printable(message.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A"))
        return f"::{kind} {loc}::{message}" if loc else f"::{kind}::{message}"


def _printable(text: str) -> str:
    """Control characters (ESC, BEL, …) as \\x1b-style escapes."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode() for c in text)


def _property(text: str) -> str:
    """A value for a GitHub workflow command property: no way to end it early."""
    for raw, escaped in (("%", "%25"), ("\r", "%0D"), ("\n", "%0A"), (":", "%3A"), (",", "%2C")):
        text = text.replace(raw, escaped)
    return _printable(text)


@dataclass
class Problems:
    """Collects problems across stages; passed in explicitly, never global."""

    items: list[Problem] = field(default_factory=list)

    def error(
        self,
        path: str,
        line: int | None,
        field: str | None,
        message: str,
        hint: str | None = None,
    ) -> None:
        self.items.append(Problem(path, line, field, message, hint, Severity.ERROR))

    def warning(
        self,
        path: str,
        line: int | None,
        field: str | None,
        message: str,
        hint: str | None = None,
    ) -> None:
        self.items.append(Problem(path, line, field, message, hint, Severity.WARNING))

    def extend(self, other: Problems) -> None:
        self.items.extend(other.items)

    @property
    def errors(self) -> list[Problem]:
        return sorted(p for p in self.items if p.severity is Severity.ERROR)

    @property
    def warnings(self) -> list[Problem]:
        return sorted(p for p in self.items if p.severity is Severity.WARNING)

    def sorted(self) -> list[Problem]:
        """Every problem, deduplicated, ordered by file then line (stable output)."""
        return sorted(
            set(self.items), key=lambda p: (p.path, p.line or 0, p.field or "", p.message)
        )


class BuildFailed(Exception):
    """Raised once by build.run when any error was collected; nothing has been written."""

    def __init__(self, problems: list[Problem]):
        super().__init__(f"{len(problems)} problem(s)")
        self.problems = problems


class OutputError(Exception):
    """The output folder could not be written (permissions, full disk, lock held)."""
