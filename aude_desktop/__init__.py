"""AUDE Desktop: autorisations d'exercice (AUDE) and conventions d'avantages (EPS)."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("aude-desktop")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+source"

APP_NAME = "AUDE Desktop"
APP_ID = "aude-desktop"
