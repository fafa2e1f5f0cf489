"""The report's layout: A4, DejaVu Sans (from matplotlib's own fonts, so umlauts and every
Latin letter print without downloading anything), a cover, then the blocks in order.

Text is written with fpdf2's plain cells (no markdown, no HTML): what a mention says is
printed as it is. Characters the font has no glyph for (emoji) are left out, and control
characters dropped, so no input can break the layout or the text layer.
"""

from __future__ import annotations

import io
import re
import unicodedata
from pathlib import Path

from core.report.document import Heading, PageBreak, Paragraph, Picture, ReportDoc, Table

FONT = "DejaVu"
ACCENT = (40, 70, 170)
GREY = (110, 110, 110)
MARGIN = 16.0
# Runs of breaking spaces become one; the no-break spaces of "25 %" and "3 000" stay.
_SPACES = re.compile(r"[ \t\u2000-\u200a\u205f\u3000]+")


def font_dir() -> Path:
    """matplotlib's bundled TrueType fonts (DejaVu Sans is one of them)."""
    import matplotlib

    return Path(matplotlib.get_data_path()) / "fonts" / "ttf"


def render_pdf(doc: ReportDoc) -> bytes:
    """The document as PDF bytes."""
    from fpdf import FPDF
    from fpdf.enums import XPos, YPos

    class _Pdf(FPDF):  # type: ignore[misc]
        def footer(self) -> None:
            self.set_y(-12)
            self.set_font(FONT, size=7)
            self.set_text_color(*GREY)
            self.cell(0, 5, clean(f"{doc.footer} · {self.page_no()}/{{nb}}"), align="C")

    pdf = _Pdf(orientation="portrait", unit="mm", format="A4")
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    pdf.set_auto_page_break(auto=True, margin=18)
    pdf.add_font(FONT, "", str(font_dir() / "DejaVuSans.ttf"))
    pdf.add_font(FONT, "B", str(font_dir() / "DejaVuSans-Bold.ttf"))
    pdf.set_title(clean(doc.title))
    pdf.set_subject(clean(f"{doc.workspace} · {doc.period}"))
    pdf.set_creator("Horchposten")
    pdf.set_lang(doc.language)
    glyphs = _glyphs(pdf)

    def text(value: str) -> str:
        return clean(value, glyphs)

    def line(height: float, value: str) -> None:
        pdf.multi_cell(0, height, text(value), align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    pdf.add_page()
    pdf.set_y(70)
    pdf.set_text_color(*ACCENT)
    pdf.set_font(FONT, "B", 26)
    line(12, doc.title)
    pdf.ln(4)
    pdf.set_text_color(0, 0, 0)
    pdf.set_font(FONT, "B", 16)
    line(9, doc.workspace)
    pdf.set_font(FONT, "", 13)
    line(8, doc.period)
    pdf.ln(8)
    pdf.set_font(FONT, "", 9)
    pdf.set_text_color(*GREY)
    for cover_line in doc.cover_lines:
        line(5, cover_line)
    pdf.set_text_color(0, 0, 0)
    for block in doc.blocks:
        if isinstance(block, PageBreak):
            pdf.add_page()
        elif isinstance(block, Heading):
            if pdf.get_y() > pdf.h - 50:  # a heading never stands alone at a page's foot
                pdf.add_page()
            pdf.ln(3)
            pdf.set_font(FONT, "B", 13)
            pdf.set_text_color(*ACCENT)
            line(7, block.text)
            pdf.set_text_color(0, 0, 0)
            pdf.ln(1)
        elif isinstance(block, Paragraph):
            pdf.set_font(FONT, "", 7.5 if block.small else 9.5)
            if block.small:
                pdf.set_text_color(*GREY)
            line(4 if block.small else 5, block.text)
            pdf.set_text_color(0, 0, 0)
            pdf.ln(1)
        elif isinstance(block, Table):
            _table(pdf, block, text)
        elif isinstance(block, Picture):
            width = pdf.epw * block.width
            pdf.image(io.BytesIO(block.png), w=width, alt_text=text(block.alt))
            pdf.set_x(pdf.l_margin)
            pdf.ln(1)
    return bytes(pdf.output())


def _table(pdf, block: Table, text) -> None:  # type: ignore[no-untyped-def]
    from fpdf.fonts import FontFace

    if not block.rows:
        return
    pdf.set_font(FONT, "", 8)
    align = tuple(block.align or "L" * len(block.header))
    head = FontFace(emphasis="BOLD", fill_color=(232, 236, 248))
    with pdf.table(
        col_widths=block.widths,
        text_align=align,
        headings_style=head,
        line_height=4.2,
        padding=1.2,
        borders_layout="HORIZONTAL_LINES",
        markdown=False,
    ) as table:
        row = table.row()
        for cell in block.header:
            row.cell(text(cell))
        for values in block.rows:
            row = table.row()
            for cell in values:
                row.cell(text(cell))
    pdf.ln(3)


def _glyphs(pdf) -> frozenset[int]:  # type: ignore[no-untyped-def]
    pdf.set_font(FONT, "", 10)
    return frozenset(pdf.current_font.cmap)


def clean(value: str, glyphs: frozenset[int] | None = None) -> str:
    """Printable text: control and format characters out, runs of spaces one space, and
    (with `glyphs`) characters the font cannot draw left out."""
    out = []
    for ch in value:
        if ch in "\n":
            out.append(ch)
            continue
        category = unicodedata.category(ch)
        if category[0] == "C" or category in ("Zl", "Zp"):
            continue
        if glyphs is not None and ord(ch) not in glyphs and not ch.isspace():
            continue
        out.append(ch)
    return _SPACES.sub(" ", "".join(out)).strip()
