"""What `aude-cli` and `aude-central` share so that every subcommand, including the ones added later,
answers bad input the same way: a French message on stderr, exit 2 for usage and input errors, never a
traceback, never Python's English text, nothing half-written (Qt-free).

- `read_json` / `read_text`: input files (or « - » for standard input) with French reasons;
- `output_file`: checks an output path before any work and writes through `FILE.partiel`, removed on
  every failure path;
- `positive_int` / `non_negative_int`: argparse types that refuse negative numbers in French;
- `run`: the one exception-to-message mapping both `main()` call around their handlers.
"""

from __future__ import annotations

import errno
import json
import logging
import os
import re
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

log = logging.getLogger(__name__)

EXIT_INPUT = 2  # usage and input errors (argparse's own code)
EXIT_UNEXPECTED = 1
EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE, like other Unix tools whose reader went away (`| head`)
EXIT_INTERRUPTED = 130


class InputError(ValueError):
    """Bad input the user can fix; `str(exc)` is the French message. Exit 2."""


_ERRNO_FR = {
    errno.ENOENT: "introuvable",
    errno.EACCES: "accès refusé (droits insuffisants)",
    errno.EPERM: "opération non permise",
    errno.EISDIR: "c'est un dossier, pas un fichier",
    errno.ENOTDIR: "un élément du chemin n'est pas un dossier",
    errno.ENOSPC: "plus de place sur le disque",
    errno.EROFS: "support en lecture seule",
    errno.EEXIST: "existe déjà",
    errno.ENAMETOOLONG: "nom trop long",
    errno.EADDRINUSE: "adresse déjà utilisée",
    errno.ECONNREFUSED: "connexion refusée",
    errno.EDQUOT: "quota disque dépassé",
    errno.EMFILE: "trop de fichiers ouverts",
}


def os_error_message(exc: OSError) -> str:
    """« fichier /x : introuvable » — never `[Errno 2] No such file or directory`."""
    reason = _ERRNO_FR.get(exc.errno or 0, "erreur d'accès au système de fichiers")
    name = exc.filename if exc.filename is not None else None
    return f"« {name} » : {reason}." if name is not None else f"{reason[0].upper()}{reason[1:]}."


def read_text(path: str, what: str = "fichier") -> str:
    """A UTF-8 text file, or standard input for « - »; InputError (French) otherwise."""
    if path == "-":
        if sys.stdin is None or sys.stdin.closed:
            raise InputError("L'entrée standard est fermée : indiquez un fichier ou envoyez les données sur l'entrée standard.")
        try:
            data = sys.stdin.buffer.read() if hasattr(sys.stdin, "buffer") else sys.stdin.read().encode("utf-8")
        except (OSError, ValueError):
            raise InputError("L'entrée standard est illisible ou fermée.") from None
        where = "l'entrée standard"
    else:
        p = Path(path)
        if p.is_dir():
            raise InputError(f"Le {what} « {path} » est un dossier : indiquez un fichier.")
        if not p.exists():
            raise InputError(f"Le {what} « {path} » est introuvable.")
        try:
            data = p.read_bytes()
        except OSError as exc:
            raise InputError(f"Le {what} « {path} » est illisible : {os_error_message(exc)}") from None
        where = f"le {what} « {path} »"
    if b"\x00" in data:
        raise InputError(f"{where[0].upper()}{where[1:]} n'est pas un fichier texte (contenu binaire).")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(f"{where[0].upper()}{where[1:]} n'est pas encodé en UTF-8 : enregistrez-le en UTF-8.") from None


def read_json(path: str, what: str = "fichier JSON"):
    """The parsed JSON of a file (or « - »), with the line and column of a syntax error, in French."""
    text = read_text(path, what)
    if not text.strip():
        raise InputError(f"Le {what} « {path} » est vide." if path != "-" else "L'entrée standard est vide.")
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        where = f"« {path} »" if path != "-" else "l'entrée standard"
        raise InputError(f"JSON mal formé dans {where}, ligne {exc.lineno}, colonne {exc.colno}.") from None
    except RecursionError:
        raise InputError("JSON trop profondément imbriqué.") from None


def check_output_file(path: str | Path, *, suffixes: tuple[str, ...] = ()) -> Path:
    """Refuse, before any work, an output that is a folder, whose folder is missing, or whose
    extension contradicts the format (a .csv holding XLSX)."""
    p = Path(path)
    if p.is_dir():
        raise InputError(f"« {path} » est un dossier : indiquez un nom de fichier.")
    parent = p.parent if str(p.parent) else Path(".")
    if not parent.is_dir():
        raise InputError(f"Le dossier « {parent} » n'existe pas : créez-le ou choisissez un autre emplacement.")
    if not os.access(parent, os.W_OK):
        raise InputError(f"Le dossier « {parent} » n'est pas accessible en écriture.")
    if suffixes and p.suffix.lower() not in suffixes:
        raise InputError(f"« {p.name} » : l'extension ne correspond pas au format (attendu : {' ou '.join(suffixes)}).")
    return p


@contextmanager
def output_file(path: str | Path, *, suffixes: tuple[str, ...] = ()) -> Iterator[Path]:
    """Yields `FILE.partiel` to write; renamed to FILE on success, removed on any failure."""
    target = check_output_file(path, suffixes=suffixes)
    partial = target.with_name(target.name + ".partiel")
    try:
        yield partial
        if partial.exists():
            os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)


def _int_type(minimum: int, what: str) -> Callable[[str], int]:
    import argparse

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"« {text} » n'est pas un nombre entier") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"« {text} » : {what}")
        return value

    parse.__name__ = "entier"
    return parse


positive_int = _int_type(1, "un nombre entier supérieur ou égal à 1 est attendu")
non_negative_int = _int_type(0, "un nombre positif ou nul est attendu")


def iso_date(text: str):
    """An argparse type: a calendar date written AAAA-MM-JJ, refused in French otherwise."""
    import argparse
    from datetime import date

    try:
        if len(text) != 10:  # fromisoformat also reads 20261126 and week dates: only AAAA-MM-JJ here
            raise ValueError(text)
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"« {text[:40]} » : une date AAAA-MM-JJ est attendue") from None


def port_number(text: str) -> int:
    value = _int_type(1, "un port entre 1 et 65535 est attendu")(text)
    if value > 65535:
        import argparse

        raise argparse.ArgumentTypeError(f"« {text} » : un port entre 1 et 65535 est attendu")
    return value


_FRENCH_HINT = re.compile(r"[éèêàâçùûôîœ«»]|\b(?:le|la|les|du|des|une?|est|pas|doit|inconnue?s?)\b", re.IGNORECASE)
_RAW_PYTHON = re.compile(r"Errno|Traceback|Expecting value|codec|isoformat|object has no attribute|"
                         r"IntegrityError|OperationalError|\{'|invalid literal", re.IGNORECASE)


def user_message(exc: BaseException) -> str | None:
    """The exception's text when it is a French message meant for the user, else None."""
    text = str(exc).strip()
    if not text or _RAW_PYTHON.search(text) or not _FRENCH_HINT.search(text):
        return None
    return text


def _database_message(exc: BaseException) -> tuple[str, int] | None:
    """SQLAlchemy errors (aude-central's --db, or a local store) in French, or None."""
    try:
        from sqlalchemy import exc as sa
    except ImportError:  # pragma: no cover - sqlalchemy is a dependency of both commands
        return None
    if isinstance(exc, sa.ArgumentError | sa.NoSuchModuleError):
        return ("Adresse de base de données invalide : attendu sqlite:///chemin/fichier.db ou "
                "postgresql+psycopg://utilisateur@hôte/base.", EXIT_INPUT)
    if isinstance(exc, sa.IntegrityError):
        return "Refusé : cet enregistrement existe déjà dans la base (rien n'a été modifié).", EXIT_INPUT
    if isinstance(exc, sa.OperationalError | sa.InterfaceError):
        detail = str(getattr(exc, "orig", exc))
        if "unable to open database file" in detail or "readonly database" in detail:
            return ("Base de données impossible à ouvrir ou à écrire : vérifiez que le dossier existe et "
                    "qu'il est accessible en écriture.", EXIT_INPUT)
        if "connection" in detail.lower() or "could not" in detail.lower():
            return ("Serveur de base de données injoignable : vérifiez l'hôte, le port, l'utilisateur et "
                    "que PostgreSQL est démarré.", EXIT_INPUT)
        if "not a database" in detail or "malformed" in detail:
            return "Ce fichier n'est pas une base de données lisible.", EXIT_INPUT
        return "Base de données inaccessible (détail technique dans le journal).", EXIT_INPUT
    if isinstance(exc, sa.SQLAlchemyError):
        return "Erreur de base de données (détail technique dans le journal).", EXIT_UNEXPECTED
    return None


def _quiet_stdout() -> None:
    """After a broken pipe, send what is still buffered nowhere (no « Exception ignored » at exit)."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass


def run(handler: Callable[[], int], *, prefix: str = "Erreur", known: Callable[[BaseException], tuple[str, int] | None] | None = None) -> int:
    """Call a subcommand's handler and turn whatever escapes it into a French line and an exit code.

    `known(exc)` lets a command add its own mapping (aude-cli: key errors → 3, server errors → 2)."""
    try:
        return handler()
    except SystemExit:
        raise
    except BrokenPipeError:
        _quiet_stdout()
        return EXIT_BROKEN_PIPE
    except KeyboardInterrupt:
        print("\nInterrompu.", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BaseException as exc:  # noqa: BLE001 - the one place every error becomes French
        mapped = known(exc) if known else None
        if mapped is None:
            mapped = _database_message(exc)
        if mapped is None and isinstance(exc, OSError) and not isinstance(exc, ConnectionError):
            mapped = os_error_message(exc), EXIT_INPUT
        if mapped is None and isinstance(exc, ValueError | LookupError | TypeError) and user_message(exc):
            mapped = user_message(exc), EXIT_INPUT
        if mapped is None:
            log.exception("unexpected error in a command")
            mapped = ("Erreur inattendue : la commande n'a pas abouti (détail technique dans le journal). "
                      "Signalez-la à votre support informatique."), EXIT_UNEXPECTED
        message, code = mapped
        try:
            print(f"{prefix} : {message}", file=sys.stderr)
        except (OSError, ValueError):
            pass
        return code
