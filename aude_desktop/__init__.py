"""AUDE Desktop: autorisations d'exercice (AUDE) and conventions d'avantages (EPS)."""

APP_NAME = "AUDE Desktop"
APP_ID = "aude-desktop"


def __getattr__(name: str) -> str:
    # Read when first asked for: importlib.metadata costs a noticeable part of a cold start.
    if name != "__version__":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib.metadata import PackageNotFoundError, version

    global __version__
    try:
        __version__ = version("aude-desktop")
    except PackageNotFoundError:  # running from a source tree that was never installed
        __version__ = "0.0.0+source"
    return __version__
