"""A report as a neutral document: a cover and blocks (headings, text, tables, pictures).

`core.report.compose` fills it from the figures in the channel's language; `core.report.pdf`
lays it out. Every string in it is plain text: the PDF writer never interprets markup, so a
mention's text cannot style, link or hide anything.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Heading:
    text: str


@dataclass(frozen=True)
class Paragraph:
    text: str
    small: bool = False


@dataclass(frozen=True)
class Table:
    """Rows of plain-text cells; `widths` relative, `align` one of L, R, C per column."""

    header: tuple[str, ...]
    rows: Sequence[tuple[str, ...]]
    widths: tuple[float, ...]
    align: str = ""


@dataclass(frozen=True)
class Picture:
    png: bytes
    alt: str
    width: float = 1.0  # share of the text width


@dataclass(frozen=True)
class PageBreak:
    pass


Block = Heading | Paragraph | Table | Picture | PageBreak


@dataclass
class ReportDoc:
    """What the PDF shows, in one language."""

    title: str
    workspace: str
    period: str
    cover_lines: list[str]
    footer: str
    language: str
    blocks: list[Block] = field(default_factory=list)
