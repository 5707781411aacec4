"""One scanned PDF holding several pièces (the paper application is often scanned in one pass) split
onto the pièces of the checklist: the agent says which pages go to which pièce (« 1-2 », « 3, 5-6 »).

Everything is checked before anything is written — the file (a PDF by its content, readable, not
password-protected), every pièce code, every page range (within the document, no page given to two
pièces) — then the parts and the pièces that name them are written in one transaction: all or nothing.
Pages given to no pièce (a blank separator sheet, a cover letter) are simply not kept.

Qt-free: the dossier view (« Découper un PDF… ») and `aude-cli pieces split` call `split_onto_pieces`.
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass
from pathlib import Path

from aude_desktop.domain.commands import Actor
from aude_desktop.dossiers import scans
from aude_desktop.dossiers.scans import ScanRefused
from aude_desktop.store.database import LocalStore


@dataclass(frozen=True)
class Part:
    code: str
    pages: tuple[int, ...]  # 1-based, in the order given
    filename: str


def page_count(path: Path) -> int:
    """The number of pages of a scanned PDF, or a French refusal (an image, not a PDF, unreadable, protected)."""
    return len(_scanned_pdf(Path(path)).pages)


def _scanned_pdf(path: Path):
    if scans.check_file(path) != "application/pdf":
        raise ScanRefused(f"« {path.name} » est une image : seul un PDF de plusieurs pages peut être découpé.", "type_refuse")
    return _reader(path)


def parse_pages(text: str, count: int, code: str = "") -> tuple[int, ...]:
    """« 1-3, 5 » → (1, 2, 3, 5); a French refusal naming the pièce for anything else."""
    where = f" (pièce {code})" if code else ""
    pages: list[int] = []
    for chunk in (text or "").replace(";", ",").split(","):
        chunk = chunk.strip().replace("–", "-").replace(" ", "")
        if not chunk:
            continue
        first, dash, last = chunk.partition("-")
        if not first.isdigit() or (dash and not last.isdigit()):
            raise ScanRefused(f"Pages « {text.strip()} »{where} : écrivez des numéros ou des plages, par exemple « 1-2, 4 ».",
                              "pages_invalides")
        start, end = int(first), int(last) if dash else int(first)
        if start < 1 or end > count or start > end:
            raise ScanRefused(f"Pages « {chunk} »{where} : le document a {count} page(s) (de 1 à {count}).", "pages_hors_document")
        pages.extend(range(start, end + 1))
    if not pages:
        raise ScanRefused(f"Aucune page indiquée{where}.", "pages_invalides")
    if len(set(pages)) != len(pages):
        raise ScanRefused(f"Pages « {text.strip()} »{where} : une page est indiquée deux fois.", "pages_invalides")
    return tuple(pages)


def plan(path: Path, assignments: dict[str, str]) -> list[Part]:
    """The parts to write, from {pièce code: page ranges}; pièces left blank are skipped."""
    return _plan(Path(path), page_count(path), assignments)


def _plan(path: Path, count: int, assignments: dict[str, str]) -> list[Part]:
    parts: list[Part] = []
    owner: dict[int, str] = {}
    for code, text in assignments.items():
        if not (text or "").strip():
            continue
        scans.check_code(code)
        pages = parse_pages(text, count, code)
        for page in pages:
            if page in owner:
                raise ScanRefused(f"La page {page} est attribuée aux pièces {owner[page]} et {code} : une page va à une seule pièce.",
                                  "pages_en_double")
            owner[page] = code
        parts.append(Part(code, pages, f"{path.stem} (p. {page_label(pages)}).pdf"))
    if not parts:
        raise ScanRefused("Indiquez les pages d'au moins une pièce.", "pages_invalides")
    return parts


def split_onto_pieces(store: LocalStore, actor: Actor, dossier_id: str, path: Path, assignments: dict[str, str]) -> list[Part]:
    """Split the PDF and mark each pièce received with its pages; all or nothing. Returns the parts written."""
    path = Path(path)
    reader = _scanned_pdf(path)  # read once: checked, counted and split from the same parse
    parts = _plan(path, len(reader.pages), assignments)
    documents = [(part, _extract(reader, part.pages, Path(path).name)) for part in parts]
    for part, data in documents:
        if len(data) > scans.max_bytes():
            raise ScanRefused(f"La partie de la pièce {part.code} pèse plus de {scans.max_bytes() // 1_048_576} Mo : "
                              "numérisez-la en 200 ou 300 ppp.", "fichier_trop_gros")
    with store.session() as s:
        for part, data in documents:
            scans.receive(s, actor, dossier_id, part.code, data, part.filename, "application/pdf")
    return parts


_UNREADABLE = (ValueError, KeyError, TypeError, AttributeError, IndexError, OSError, RecursionError)


def _unreadable(name: str) -> ScanRefused:
    return ScanRefused(f"« {name} » n'est pas un PDF lisible : numérisez à nouveau le document.", "pdf_illisible")


def _reader(path: Path):
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    logging.getLogger("pypdf").setLevel(logging.ERROR)  # its warnings would name the file's internals
    try:
        reader = PdfReader(str(path), strict=False)
        if reader.is_encrypted:
            raise ScanRefused(f"« {path.name} » est protégé par un mot de passe : enregistrez-le sans protection "
                              "puis recommencez.", "pdf_protege")
        if len(reader.pages) == 0:
            raise ScanRefused(f"« {path.name} » ne contient aucune page.", "pdf_illisible")
    except ScanRefused:
        raise
    except (PyPdfError, *_UNREADABLE):
        raise _unreadable(path.name) from None
    return reader


def _extract(reader, pages: tuple[int, ...], name: str) -> bytes:
    from pypdf import PdfWriter
    from pypdf.errors import PyPdfError

    try:  # pypdf reads the pages lazily: a damaged page shows only now
        writer = PdfWriter()
        for page in pages:
            writer.add_page(reader.pages[page - 1])
        out = io.BytesIO()
        writer.write(out)
    except (PyPdfError, *_UNREADABLE):
        raise _unreadable(name) from None
    return out.getvalue()


def page_label(pages: tuple[int, ...]) -> str:
    """(1, 2, 3, 5) → « 1-3, 5 »."""
    runs: list[list[int]] = []
    for page in pages:
        if runs and page == runs[-1][-1] + 1:
            runs[-1].append(page)
        else:
            runs.append([page])
    return ", ".join(str(r[0]) if len(r) == 1 else f"{r[0]}-{r[-1]}" for r in runs)
