"""Rotating log file in the user's log folder, scrubbed of personal data and secrets.

Log records must never carry an applicant's identity or a secret. Code logs ids and counts, not
names; the scrubbing filter is a second line of defence for what slips through (e-mail addresses,
RPPS/phone-like digit runs, bearer tokens, passwords in URLs).
"""

from __future__ import annotations

import logging
import logging.handlers
import os
import re
from pathlib import Path

LOG_FILE_NAME = "aude-desktop.log"

_SCRUBBERS = (
    (re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+"), "<courriel>"),
    (re.compile(r"(?i)(bearer\s+)[\w.~+/=-]+"), r"\1<jeton>"),
    (re.compile(r"(?i)((?:password|passphrase|token|secret|key)[\"']?\s*[:=]\s*[\"']?)[^\s\"',}]+"), r"\1<masqué>"),
    (re.compile(r"(://[^:/\s]+:)[^@\s]+@"), r"\1<masqué>@"),
    (re.compile(r"\b\d{9,15}\b"), "<numéro>"),
)


def scrub(text: str) -> str:
    for pattern, replacement in _SCRUBBERS:
        text = pattern.sub(replacement, text)
    return text


class ScrubbingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = scrub(record.getMessage())
        record.args = ()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = scrub(record.exc_text)
        return True


class _PrivateLog(logging.handlers.RotatingFileHandler):
    """Log files readable by this user only (0600), the new one after each rotation too."""

    def _open(self):
        stream = super()._open()
        if os.name == "posix":
            os.chmod(self.baseFilename, 0o600)
        return stream


def configure_logging(log_dir: Path, level: int = logging.INFO) -> Path:
    """Install the rotating, scrubbed file handler once; returns the log file path."""
    log_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    path = log_dir / LOG_FILE_NAME
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_aude_handler", False):
            root.removeHandler(handler)
            handler.close()
    handler = _PrivateLog(path, maxBytes=2_000_000, backupCount=5, encoding="utf-8")
    handler._aude_handler = True  # type: ignore[attr-defined]
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(ScrubbingFilter())
    root.addHandler(handler)
    root.setLevel(level)
    return path
