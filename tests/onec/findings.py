"""One finding = one line `file:line: [check] what is wrong`."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True, order=True)
class Finding:
    path: str
    line: int
    check: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: [{self.check}] {self.message}"


@dataclass
class Report:
    """Findings plus the summary lines a check wants printed."""

    findings: list[Finding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def add(self, path: Path | str, line: int, check: str, message: str) -> None:
        self.findings.append(Finding(str(path), line, check, message))
