"""`aude-cli`: the headless command line (Qt-free). Each subcommand is one small registration."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable

from aude_desktop import APP_NAME, __version__
from aude_desktop.argparse_fr import FrenchHelpFormatter, french_parser
from aude_desktop.paths import Profile
from aude_desktop.store.keys import StoreKeyError, database_key, read_keyinfo

Handler = Callable[[argparse.Namespace, Profile], int]
COMMANDS: dict[str, tuple[str, Callable[[argparse.ArgumentParser], None], Handler]] = {}


def command(name: str, help_text: str, configure: Callable[[argparse.ArgumentParser], None] | None = None):
    def register(handler: Handler) -> Handler:
        COMMANDS[name] = (help_text, configure or (lambda _p: None), handler)
        return handler

    return register


KEY_MODES = {
    "keyring": "trousseau du système",
    "passphrase": "phrase de passe",
    "demo": "démonstration (clé éphémère)",
}
INFO_LABELS = {
    "version": "Version",
    "profile": "Dossier de profil",
    "database": "Base locale",
    "key_mode": "Protection de la clé",
    "logs": "Journaux",
    "schema": "Version du schéma",
    "pending": "Modifications en attente",
    "rejected": "Modifications refusées",
    "conflicts": "Conflits",
    "last_sync": "Dernière synchronisation",
}


def _profile(args: argparse.Namespace) -> Profile:
    return (Profile.isolated(args.profile) if args.profile else Profile.default()).ensure()


@command("info", "affiche le dossier de profil, la base locale et son état", lambda p: p.add_argument("--json", action="store_true", help="sortie JSON"))
def info(args: argparse.Namespace, profile: Profile) -> int:
    from aude_desktop.store.database import open_store

    store = open_store(profile, database_key(profile))  # first: it may create the key
    keyinfo = read_keyinfo(profile) or {}
    facts = {
        "version": __version__,
        "profile": str(profile.data_dir.parent),
        "database": str(profile.database_path),
        "key_mode": KEY_MODES.get(keyinfo.get("mode"), "inconnue"),
        "logs": str(profile.log_dir),
    }
    try:
        status = store.status()
        facts.update(
            schema=store.schema_revision(),
            pending=status.pending,
            rejected=status.rejected,
            conflicts=status.conflicts,
            last_sync=status.last_sync.isoformat() if status.last_sync else None,
        )
    finally:
        store.close()
    if args.json:
        print(json.dumps(facts, ensure_ascii=False, indent=2))
    else:
        for key, value in facts.items():
            print(f"{INFO_LABELS[key]} : {value if value is not None else '—'}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = french_parser(
        prog="aude-cli",
        description=f"{APP_NAME}, en ligne de commande (sans interface graphique).",
        epilog="La phrase de passe de la base locale peut venir de AUDE_DB_PASSPHRASE (scripts).",
    )
    parser.add_argument("--version", action="version", version=f"{APP_NAME} {__version__}", help="affiche la version et quitte")
    parser.add_argument("--profile", metavar="DOSSIER", help="dossier de profil isolé")
    sub = parser.add_subparsers(dest="command", metavar="COMMANDE", title="commandes")
    for name, (help_text, configure, _handler) in COMMANDS.items():
        sub_parser = sub.add_parser(
            name, help=help_text, description=help_text, add_help=False, formatter_class=FrenchHelpFormatter
        )
        sub_parser._optionals.title = "options"
        sub_parser.add_argument("-h", "--help", action="help", help="affiche cette aide et quitte")
        configure(sub_parser)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not args.command:
        parser.print_help()
        return 0
    try:
        return COMMANDS[args.command][2](args, _profile(args))
    except StoreKeyError as exc:
        print(f"Erreur : {exc}", file=sys.stderr)
        return 3


if __name__ == "__main__":
    raise SystemExit(main())
