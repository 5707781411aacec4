"""ReportLab engine for official letters: letterhead, window-envelope address, "page n / N" footer.

Output is deterministic (same data → byte-identical PDF: ReportLab's invariant mode fixes the
document id and dates) so a re-issued letter can be compared with the registered one by SHA-256.
Every style uses the bundled DejaVu font, embedded as a subset, so accents and any applicant's
name render and no unembedded font remains.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cache

from reportlab.lib import colors
from reportlab.lib.enums import TA_JUSTIFY, TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas as pdfcanvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    KeepTogether,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from aude_desktop.paths import resources_dir
from aude_desktop.rules.calendar import format_date_fr

FONT = "DejaVuSans"
PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN_X = 20 * mm
# Right-window envelope (DL/C5, NF EN ISO 269 practice in French administrations): the address
# block starts 110 mm from the left and 45 mm from the top of the sheet.
ADDRESS_X = 110 * mm
ADDRESS_TOP = 45 * mm
ADDRESS_WIDTH = 85 * mm
ADDRESS_HEIGHT = 35 * mm
BODY_TOP_FIRST = 95 * mm
BODY_TOP_NEXT = 30 * mm
FOOTER_Y = 12 * mm

@cache
def register_fonts() -> str:
    folder = resources_dir() / "fonts"
    faces = {
        FONT: "DejaVuSans.ttf",
        f"{FONT}-Bold": "DejaVuSans-Bold.ttf",
        f"{FONT}-Oblique": "DejaVuSans-Oblique.ttf",
        f"{FONT}-BoldOblique": "DejaVuSans-BoldOblique.ttf",
    }
    for name, filename in faces.items():
        pdfmetrics.registerFont(TTFont(name, str(folder / filename)))
    pdfmetrics.registerFontFamily(
        FONT, normal=FONT, bold=f"{FONT}-Bold", italic=f"{FONT}-Oblique", boldItalic=f"{FONT}-BoldOblique"
    )
    return FONT


@cache
def styles() -> dict[str, ParagraphStyle]:
    register_fonts()
    base = ParagraphStyle("body", fontName=FONT, fontSize=10, leading=13.5, alignment=TA_JUSTIFY, spaceAfter=6)
    return {
        "body": base,
        "small": ParagraphStyle("small", parent=base, fontSize=8, leading=10.5, alignment=TA_LEFT),
        # Voies et délais de recours and the personal-data notice: readable, never below 9 pt.
        "notice": ParagraphStyle("notice", parent=base, fontSize=9, leading=11.5, alignment=TA_JUSTIFY, spaceAfter=4),
        "head": ParagraphStyle("head", parent=base, fontSize=8.5, leading=10.5, alignment=TA_LEFT, spaceAfter=0),
        "head_bold": ParagraphStyle("head_bold", parent=base, fontName=f"{FONT}-Bold", fontSize=10, leading=12.5,
                                    alignment=TA_LEFT, spaceAfter=1),
        "object": ParagraphStyle("object", parent=base, fontName=f"{FONT}-Bold", spaceBefore=4, spaceAfter=10, alignment=TA_LEFT),
        "heading": ParagraphStyle("heading", parent=base, fontName=f"{FONT}-Bold", fontSize=10.5, spaceBefore=8, spaceAfter=4, alignment=TA_LEFT),
        "article": ParagraphStyle("article", parent=base, fontName=f"{FONT}-Bold", spaceBefore=6, spaceAfter=2, alignment=TA_LEFT),
        "visa": ParagraphStyle("visa", parent=base, fontSize=9, leading=12, spaceAfter=2),
        "signature": ParagraphStyle("signature", parent=base, leftIndent=95 * mm, alignment=TA_LEFT, spaceBefore=14),
        "cell": ParagraphStyle("cell", parent=base, fontSize=9, leading=11.5, alignment=TA_LEFT, spaceAfter=0),
    }


@dataclass(frozen=True)
class Letterhead:
    """Who issues the letter (CRPA L.111-2, R.112-5): authority, service and its postal address, then the
    service's telephone, e-mail and opening hours, then the case officer."""

    authority: str  # e.g. "Préfet de la région Occitanie"
    service_lines: tuple[str, ...]  # DREETS, service, address
    city: str  # "Fait à Toulouse, le …"
    contact_lines: tuple[str, ...] = ()
    officer_lines: tuple[str, ...] = ()


@dataclass(frozen=True)
class LetterSpec:
    title: str  # PDF metadata and the "Objet" line
    reference: str
    issued_on: date
    letterhead: Letterhead
    addressee: tuple[str, ...]
    body: Sequence[Flowable] = field(default_factory=tuple)
    author: str = "AUDE Desktop"
    subject: str = ""


def escape(text: str) -> str:
    """Paragraph text is mini-HTML: user data must never be read as markup."""
    return (text or "").replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def paragraph(text: str, style: str = "body") -> Paragraph:
    return Paragraph(text, styles()[style])


def table(rows: Sequence[Sequence[str]], col_widths: Sequence[float], header: bool = True) -> Table:
    """A table that splits across pages, repeating its header row."""
    cell = styles()["cell"]
    data = [[Paragraph(escape(str(c)), cell) for c in row] for row in rows]
    result = Table(data, colWidths=list(col_widths), repeatRows=1 if header else 0, splitByRow=True)
    commands = [
        ("FONT", (0, 0), (-1, -1), FONT, 9),  # the Table default is Helvetica, left unembedded
        ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
    ]
    if header:
        commands.append(("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#E8ECF2")))
    result.setStyle(TableStyle(commands))
    return result


def signature_block(first_name: str, last_name: str, position: str, for_authority: str,
                    image: bytes | None = None, delegation: str = "délégation", keep_with: Flowable | None = None) -> KeepTogether:
    """CRPA L.212-1: first name, last name and position of the signatory (and the signature image).
    `keep_with`: the paragraph before it, so the signature never stands alone on a page."""
    from reportlab.platypus import Image

    mark = Spacer(1, 14 * mm)
    if image:
        mark = Image(io.BytesIO(image), width=40 * mm, height=14 * mm, kind="proportional")
        mark.hAlign = "LEFT"
        mark = Table([["", mark]], colWidths=[95 * mm, 60 * mm], style=[("LEFTPADDING", (0, 0), (-1, -1), 0)])
    return KeepTogether(
        [
            # A group kept together is flattened: ReportLab moves a nested KeepTogether to the next page.
            *(getattr(keep_with, "_content", None) or ([keep_with] if keep_with is not None else [])),
            paragraph(f"Pour {escape(for_authority)} et par {escape(delegation)},<br/>{escape(position)}", "signature"),
            mark,
            paragraph(f"{escape(first_name)} {escape(last_name)}", "signature"),
        ]
    )


def _numbered_canvas_class(reference: str):
    class NumberedCanvas(pdfcanvas.Canvas):
        """Defers page output until the total page count is known, for "page n / N"."""

        def __init__(self, *args, **kwargs):
            # Otherwise the canvas starts on Helvetica, which would remain as an unembedded font.
            kwargs["initialFontName"] = FONT
            super().__init__(*args, **kwargs)
            self._saved_pages: list[dict] = []

        def showPage(self):  # noqa: N802 — ReportLab API
            self._saved_pages.append(dict(self.__dict__))
            self._startPage()

        def save(self):
            total = len(self._saved_pages)
            for state in self._saved_pages:
                self.__dict__.update(state)
                self._draw_footer(total)
                super().showPage()
            super().save()

        def _draw_footer(self, total: int) -> None:
            self.saveState()
            self.setFont(FONT, 8)
            self.setFillColor(colors.HexColor("#444444"))
            self.drawString(MARGIN_X, FOOTER_Y, f"Réf. {reference}")
            self.drawRightString(PAGE_WIDTH - MARGIN_X, FOOTER_Y, f"page {self._pageNumber} / {total}")
            self.restoreState()

    return NumberedCanvas


def _draw_first_page(spec: LetterSpec):
    def draw(canvas, _doc):
        canvas.saveState()
        top = PAGE_HEIGHT - 15 * mm
        head = spec.letterhead
        # The sender block wraps within the left column, clear of the address window.
        y = top + 9
        blocks = [[(head.authority, "head_bold")], [(line, "head") for line in head.service_lines],
                  [(line, "head") for line in head.contact_lines], [(line, "head") for line in head.officer_lines]]
        for group in (g for g in blocks if g):
            for text, style in group:
                para = paragraph(escape(text), style)
                _w, h = para.wrap(ADDRESS_X - MARGIN_X - 5 * mm, 50 * mm)
                y -= h
                para.drawOn(canvas, MARGIN_X, y)
            y -= 4
        canvas.setFont(FONT, 9)
        canvas.drawRightString(PAGE_WIDTH - MARGIN_X, top, f"Réf. : {spec.reference}")
        canvas.drawRightString(
            PAGE_WIDTH - MARGIN_X, top - 12, f"{head.city}, le {format_date_fr(spec.issued_on)}".replace(" ", "\u00a0")
        )
        text = canvas.beginText(ADDRESS_X, PAGE_HEIGHT - ADDRESS_TOP - 10)
        text.setFont(FONT, 10)
        text.setLeading(13)
        for line in spec.addressee[:6]:
            text.textLine(line)
        canvas.drawText(text)
        canvas.restoreState()

    return draw


def _draw_next_page(spec: LetterSpec):
    def draw(canvas, _doc):
        canvas.saveState()
        canvas.setFont(FONT, 8.5)
        canvas.drawString(MARGIN_X, PAGE_HEIGHT - 15 * mm, spec.letterhead.authority)
        canvas.drawRightString(PAGE_WIDTH - MARGIN_X, PAGE_HEIGHT - 15 * mm, f"Réf. : {spec.reference}")
        canvas.restoreState()

    return draw


def render(spec: LetterSpec) -> bytes:
    """The PDF bytes of a letter; identical input gives identical bytes."""
    register_fonts()
    buffer = io.BytesIO()
    doc = BaseDocTemplate(
        buffer,
        pagesize=A4,
        title=spec.title,
        author=spec.author,
        subject=spec.subject or spec.title,
        creator="AUDE Desktop",
        producer="AUDE Desktop (ReportLab)",
        invariant=1,
        leftMargin=MARGIN_X,
        rightMargin=MARGIN_X,
    )
    body_width = PAGE_WIDTH - 2 * MARGIN_X
    first = Frame(MARGIN_X, 20 * mm, body_width, PAGE_HEIGHT - BODY_TOP_FIRST - 20 * mm, id="first")
    later = Frame(MARGIN_X, 20 * mm, body_width, PAGE_HEIGHT - BODY_TOP_NEXT - 20 * mm, id="later")
    doc.addPageTemplates(
        [
            PageTemplate(id="First", frames=[first], onPage=_draw_first_page(spec), autoNextPageTemplate="Later"),
            PageTemplate(id="Later", frames=[later], onPage=_draw_next_page(spec)),
        ]
    )
    story = [paragraph(f"Objet : {escape(spec.title)}", "object"), *spec.body]
    doc.build(story, canvasmaker=_numbered_canvas_class(spec.reference))
    return buffer.getvalue()
