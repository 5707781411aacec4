"""The letter engine: accents, embedded fonts, page numbering, determinism, metadata, escaping."""

from __future__ import annotations

import io
from datetime import date

import pytest
from pypdf import PdfReader
from reportlab.lib.units import mm

from aude_desktop.letters.engine import (
    Letterhead,
    LetterSpec,
    escape,
    format_date_fr,
    paragraph,
    render,
    signature_block,
    table,
)

LETTERHEAD = Letterhead(
    authority="Préfet de la région Occitanie",
    service_lines=("DREETS Occitanie", "Pôle Solidarités — Professions de santé", "31000 Toulouse"),
    city="Toulouse",
)


def _spec(rows: int = 3, name: str = "Élodie Bérénice Nguyễn") -> LetterSpec:
    body = [
        paragraph(escape(f"Madame {name} a déposé une demande d'autorisation d'exercice.")),
        table([["Matière", "Heures"]] + [[f"Pédiatrie {i}", "120"] for i in range(rows)], [100 * mm, 40 * mm]),
        signature_block("Anne", "Dupré", "la directrice régionale adjointe", "le préfet de région"),
    ]
    return LetterSpec(
        title="Décision d'autorisation d'exercice",
        reference="AUDE-2026-OCC-000123-D1",
        issued_on=date(2026, 11, 23),
        letterhead=LETTERHEAD,
        addressee=(f"Madame {name}", "12 rue des Lilas", "31000 TOULOUSE"),
        body=body,
        subject="Autorisation d'exercice — infirmier",
    )


def _text(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def _fonts(pdf: bytes) -> list[tuple[str, bool]]:
    """(font name, embedded?) of every font resource of every page."""
    found = []
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descriptor = font.get("/FontDescriptor")
            embedded = descriptor is not None and any(
                k in descriptor.get_object() for k in ("/FontFile", "/FontFile2", "/FontFile3")
            )
            found.append((str(font["/BaseFont"]), embedded))
    return found


def test_accents_render_and_read_back():
    text = "\n".join(_text(render(_spec())))
    assert "Élodie Bérénice Nguyễn" in text
    assert "Décision d'autorisation d'exercice" in text
    assert "Toulouse, le 23 novembre 2026" in text


def test_every_font_is_embedded():
    fonts = _fonts(render(_spec(rows=80)))
    assert fonts, "no font found"
    assert all(embedded for _, embedded in fonts), fonts
    assert all("DejaVuSans" in name for name, _ in fonts), fonts


def test_multi_page_letter_is_numbered_and_table_header_repeats():
    pages = _text(render(_spec(rows=120)))
    assert len(pages) >= 3
    for number, page in enumerate(pages, start=1):
        assert f"page {number} / {len(pages)}" in page
        assert "Réf. AUDE-2026-OCC-000123-D1" in page
    assert "Matière" in pages[1]  # repeated header row on the next page


def test_same_data_gives_byte_identical_pdf_and_other_data_does_not():
    assert render(_spec()) == render(_spec())
    assert render(_spec()) != render(_spec(name="Zoé Lefèvre"))


def test_pdf_metadata():
    meta = PdfReader(io.BytesIO(render(_spec()))).metadata
    assert meta.title == "Décision d'autorisation d'exercice"
    assert meta.author == "AUDE Desktop"
    assert meta.subject == "Autorisation d'exercice — infirmier"


def test_user_text_is_never_markup():
    text = "\n".join(_text(render(_spec(name="<b>Dupont</b> & fils"))))
    assert "<b>Dupont</b> & fils" in text


@pytest.mark.parametrize(
    ("day", "expected"),
    [(date(2026, 11, 1), "1er novembre 2026"), (date(2027, 2, 28), "28 février 2027"), (date(2026, 8, 15), "15 août 2026")],
)
def test_french_dates(day, expected):
    assert format_date_fr(day) == expected
