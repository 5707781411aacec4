"""A fictitious scanned paper application, one numbered page per sheet, for the gallery and the tests
of the split (what each pièce received can be read back: page k reads « Page k »)."""

from __future__ import annotations

import io


def sample_scan(pages: int) -> bytes:
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    pdf = canvas.Canvas(out)
    for k in range(1, pages + 1):
        pdf.setFont("Helvetica-Bold", 40)
        pdf.drawString(100, 700, f"Page {k}")
        for line in range(20):  # the look of a typed letter in the thumbnails
            pdf.line(100, 640 - 24 * line, 500 - 37 * (line % 4), 640 - 24 * line)
        pdf.showPage()
    pdf.save()
    return out.getvalue()
