"""One letter of each kind, on fictitious data, to PDF and PNG (pdftoppm): the gallery of the letters
in docs/letters/. `python -m aude_desktop.letters.gallery [DIR]`."""

from __future__ import annotations

import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

from aude_desktop.letters import compose
from aude_desktop.letters.register import signatory
from aude_desktop.letters.samples import (
    EPS_STATES,
    aude_payload,
    eps_payload,
    sample_sender,
    sample_settings,
)
from aude_desktop.letters.templates import templates


def samples() -> dict[tuple[str, str], dict]:
    """A fictitious record in the right state for each letter (the tests use the same shapes)."""
    # Men and women, countries taking « en », « au » and « aux »: agreement is visible in the gallery.
    who = {"decision_autorisation": "M-CA", "decision_refus": "M-US", "decision_irrecevabilite": "F-NL"}
    out = {("aude", kind): aude_payload(kind, who.get(kind, "F-BE")) for kind in templates("aude")}
    out.update({("eps", kind): eps_payload(kind) for kind in EPS_STATES})
    return out


def render(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.png"):  # pages of a previous run that a shorter letter no longer has
        old.unlink()
    written = []
    for (procedure, kind), payload in samples().items():
        pdf = compose.render(procedure, kind, payload, reference=f"{procedure.upper()}-C-EXEMPLE-000001",
                             issued_on=date(2026, 11, 23), signatory=signatory(sample_settings(procedure)),
                             sender=sample_sender(procedure))
        target = folder / f"{procedure}-{kind}.pdf"
        target.write_bytes(pdf)
        written.append(target)
        if shutil.which("pdftoppm"):  # every page: « aude-decision_mesures-1.png », « …-2.png »
            subprocess.run(["pdftoppm", "-r", "70", "-png", str(target), str(folder / f"{procedure}-{kind}")], check=True)
            written.extend(sorted(folder.glob(f"{procedure}-{kind}-*.png")))
    return written


if __name__ == "__main__":
    for path in render(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/letters")):
        print(path)
