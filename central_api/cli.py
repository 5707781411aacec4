"""`aude-central`: serve, migrate, users, apikeys, seed, import-cnom, audit verify."""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from aude_desktop.argparse_fr import FrenchArgumentParser, FrenchHelpFormatter, french_parser
from aude_desktop.cli_errors import InputError, non_negative_int, port_number, positive_int, run
from aude_desktop.domain.scope import ROLES
from aude_desktop.frtext import fr_number
from central_api import cli_eps
from central_api.audit import audit_admin
from central_api.cli_eps import DB_HELP

DEFAULT_DB = "sqlite:///aude-central.db"
SEED_LABELS = (("dossier", "dossier(s)"), ("piece", "pièce(s)"), ("convention", "convention(s)"), ("users", "compte(s) de démonstration"))
QUICK_DEMO = {"dossiers": 2000, "conventions": 3000}


def _engine(url: str):
    """The migrated database, its audit log opened with its key (AuditKeyError: French message)."""
    from central_api.audit import open_log
    from central_api.db import make_engine
    from central_api.migrate import upgrade

    engine = make_engine(url)
    upgrade(engine)
    open_log(engine, url)
    return engine


def _sub(sub, name: str, help_text: str) -> argparse.ArgumentParser:
    parser = sub.add_parser(name, help=help_text, description=help_text, add_help=False, formatter_class=FrenchHelpFormatter)
    parser._optionals.title = "options"
    parser._positionals.title = "arguments"
    parser.add_argument("-h", "--help", action="help", help="affiche cette aide et quitte")
    return parser


def cmd_serve(args) -> int:
    import uvicorn

    from central_api.app import create_app

    if args.host not in ("127.0.0.1", "localhost", "::1") and not args.allow_remote:
        print("Refus : écoute limitée à la boucle locale sans --allow-remote.", file=sys.stderr)
        return 2
    _check_port_free(args.host, args.port)
    db = args.db
    if args.demo:
        from aude_desktop.scratch import exit_on_signals, scratch_dir

        exit_on_signals()  # SIGTERM / Ctrl+C while seeding or serving: the demo database is removed
        _stop_when_parent_goes()
        folder = scratch_dir("aude-central-demo-")
        db = f"sqlite:///{folder / 'demo.db'}"
        engine = _engine(db)
        from central_api.seed import seed

        started = time.perf_counter()
        counts = seed(engine, dossiers=args.dossiers, conventions=args.conventions, seed_value=args.seed)
        print(f"Données de démonstration : {_seed_summary(counts, time.perf_counter() - started)}", flush=True)
        print(f"Base de démonstration (temporaire) : {folder / 'demo.db'}", flush=True)
        _print_demo_users()
    standin = args.demo or args.oidc_standin
    if standin:
        print("Fournisseurs d'identité de démonstration (ProConnect, ProSanté Connect) actifs : aide aux tests, "
              "jamais en production.", flush=True)
    if args.workers > 1:
        _engine(db).dispose()  # migrate and seal the audit log once, in French if --db is bad, before the workers
        os.environ["AUDE_CENTRAL_DB"] = db
        os.environ["AUDE_CENTRAL_OIDC_STANDIN"] = "1" if standin else "0"
        uvicorn.run("central_api.asgi:create_from_env", factory=True, host=args.host, port=args.port,
                    workers=args.workers, log_level="warning")
        return 0
    app = create_app(db, oidc_standin=standin)
    print(f"Serveur prêt sur http://{args.host}:{args.port}", flush=True)
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning")
    return 0


def _check_port_free(host: str, port: int) -> None:
    """Before any work: a busy port is said in French, not by uvicorn after « Serveur prêt »."""
    import socket

    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror:
        raise InputError(f"--host : adresse « {host} » inconnue.") from None
    family, _, _, _, address = infos[0]
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # what uvicorn sets: TIME_WAIT is no obstacle
        try:
            probe.bind(address)
        except PermissionError:
            raise InputError(f"Le port {port} est réservé à l'administrateur : choisissez un port au-delà de 1023 (--port).") from None
        except OSError:
            raise InputError(f"Le port {port} est déjà utilisé sur {host} (un autre serveur ?) : arrêtez-le ou "
                             "choisissez un autre port (--port).") from None


def _seed_summary(counts: dict, seconds: float) -> str:
    parts = [f"{fr_number(counts[key])} {label}" for key, label in SEED_LABELS if key in counts]
    parts += [f"{fr_number(n)} {key}" for key, n in counts.items() if key not in dict(SEED_LABELS)]
    return f"{', '.join(parts)} en {seconds:.1f} s".replace(".", ",")


STOP_ON_EOF = "AUDE_DEMO_STOP_ON_EOF"


def _stop_when_parent_goes() -> None:
    """Started by `aude-desktop --demo` (which sets AUDE_DEMO_STOP_ON_EOF and holds our stdin open):
    when the app ends, even killed, stdin closes and the server stops as on SIGTERM, removing its
    demo database, instead of running on alone."""
    if os.environ.get(STOP_ON_EOF) != "1":
        return
    import signal
    import threading

    def watch() -> None:
        while sys.stdin.buffer.read(4096):
            pass
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def _print_demo_users() -> None:
    from central_api.demo_data import demo_users

    print("Comptes de démonstration (fictifs) :")
    for user in demo_users():
        scope = user.region or user.authority or "national"
        print(f"  {user.login:<14} {user.password:<22} {user.role:<13} {scope}")


def cmd_migrate(args) -> int:
    _engine(args.db)
    print("Schéma à jour.")
    return 0


def cmd_users(args) -> int:
    from central_api.accounts import AccountError, add_user, list_users, set_disabled

    if args.action in ("add", "disable") and not args.login:
        raise InputError(f"users {args.action} : indiquez l'identifiant du compte.")
    ignored = [option for option, value in (("--role", args.role), ("--region", args.region), ("--authority", args.authority),
                                            ("--name", args.name), ("identifiant", args.login if args.action == "list" else None))
               if value and args.action != "add"]
    if ignored:
        raise InputError(f"users {args.action} : {', '.join(ignored)} ne s'applique qu'à la création (users add).")
    engine = _engine(args.db)
    try:
        if args.action == "add":
            password = os.environ.get("AUDE_PASSWORD") or _ask_password()
            add_user(engine, args.login, password, args.role, region=args.region, authority=args.authority,
                     display_name=args.name)
            audit_admin(engine, "users.add", args.login, {"role": args.role, "region": args.region,
                                                           "authority": args.authority})
            print(f"Utilisateur {args.login} créé.")
        elif args.action == "disable":
            set_disabled(engine, args.login)
            audit_admin(engine, "users.disable", args.login)
            print(f"Utilisateur {args.login} désactivé.")
        else:
            for u in list_users(engine):
                state = "désactivé" if u.disabled else "actif"
                print(f"{u.login:<20} {u.role:<13} {u.region or u.authority or 'national':<12} {state}")
    except AccountError as exc:
        print(f"Erreur : {exc}", file=sys.stderr)
        return 2
    return 0


def _ask_password() -> str:
    import getpass

    if sys.stdin is None or sys.stdin.closed or not sys.stdin.isatty():
        raise InputError("Mot de passe attendu : saisissez-le sur un terminal, ou définissez AUDE_PASSWORD (scripts).")
    first = getpass.getpass("Mot de passe : ")
    if getpass.getpass("Confirmation : ") != first:
        raise InputError("Les deux saisies diffèrent : aucun compte créé.")
    return first


def cmd_seed(args) -> int:
    from sqlalchemy import func, select

    from central_api.db import Record
    from central_api.seed import seed

    engine = _engine(args.db)
    with engine.connect() as conn:
        present = conn.scalar(select(func.count()).select_from(Record))
    if present:
        raise InputError(f"La base contient déjà {fr_number(present)} enregistrement(s) : « seed » remplit une base vide. "
                         "Rien n'a été ajouté ; indiquez une autre base (--db).")
    started = time.perf_counter()
    counts = seed(engine, dossiers=args.dossiers, conventions=args.conventions, seed_value=args.seed)
    print(f"Données fictives ajoutées : {_seed_summary(counts, time.perf_counter() - started)}.")
    return 0


def cmd_import_cnom(args) -> int:
    from central_api.cnom import CnomImportError, import_cnom

    try:
        count = import_cnom(_engine(args.db), Path(args.file))
    except CnomImportError as exc:
        print(f"Import refusé, rien n'a été importé :\n{exc}", file=sys.stderr)
        return 2
    print(f"{count} conventions du CNOM importées (lecture seule).")
    return 0


def cmd_ds(args) -> int:
    """Reads the démarche through the DS API v2; endpoint and token from the environment only."""
    import os
    from datetime import date

    from central_api.ds_import import DSClient, DSError, import_demarche

    endpoint, token = os.environ.get("AUDE_DS_ENDPOINT", "").strip(), os.environ.get("AUDE_DS_TOKEN", "").strip()
    if not endpoint or not token:
        raise InputError("Indiquez l'adresse de l'API Démarches Simplifiées et le jeton dans les variables "
                         "d'environnement AUDE_DS_ENDPOINT et AUDE_DS_TOKEN (jamais sur la ligne de commande).")
    since = None
    if args.since:
        try:
            since = date.fromisoformat(args.since).isoformat()
        except ValueError:
            raise InputError(f"--since : date invalide « {args.since} » (format AAAA-MM-JJ).") from None
    engine = _engine(args.db)
    files = Path(args.files) if args.files else _files_dir(args.db)
    try:
        report = import_demarche(engine, files, DSClient(endpoint, token), args.demarche, since, date.today())
    except DSError as exc:
        raise InputError(str(exc)) from None
    for line in report.lines():
        print(line)
    return 0


def _files_dir(db_url: str) -> Path:
    """Where `serve` keeps attachments for this database (beside a SQLite file)."""
    if not db_url.startswith("sqlite:///"):
        raise InputError("--files DOSSIER est obligatoire avec une base PostgreSQL (le dossier des pièces jointes du serveur).")
    return Path(db_url.removeprefix("sqlite:///")).parent / "attachments"


def cmd_rules(args) -> int:
    from aude_desktop.conventions.thresholds import RulesetError
    from central_api.rulesets import publish

    try:
        record_id = publish(_engine(args.db), Path(args.file))
    except RulesetError as exc:
        print(f"Publication refusée, rien n'a été publié : {exc}", file=sys.stderr)
        return 2
    print(f"Règles publiées ({record_id}) : les postes les recevront à leur prochaine synchronisation.")
    return 0


def cmd_audit(args) -> int:
    from central_api.audit import audit_verify

    if not args.db:
        print("Indiquez la base à vérifier : aude-central audit verify --db URL (aucune base par défaut, "
              "pour ne jamais vérifier une base vide créée par erreur).", file=sys.stderr)
        return 2
    if args.db.startswith("sqlite:///") and not Path(args.db.removeprefix("sqlite:///")).is_file():
        print(f"Base introuvable : {args.db.removeprefix('sqlite:///')} (rien n'a été créé).", file=sys.stderr)
        return 2
    count, broken, message = audit_verify(_engine(args.db))
    print(message)
    return 0 if broken is None else 1


def cmd_oidc(args) -> int:
    from central_api import oidc

    engine = _engine(args.db)
    try:
        oidc.link(engine, args.provider, args.subject, args.login)
    except ValueError as exc:
        print(f"Erreur : {exc}", file=sys.stderr)
        return 2
    audit_admin(engine, "oidc.link", args.login, {"provider": args.provider, "subject": args.subject})
    print(f"Identité {oidc.PROVIDERS[args.provider]} « {args.subject} » rattachée au compte {args.login}.")
    return 0


def build_parser() -> argparse.ArgumentParser:
    from aude_desktop import __version__

    parser = french_parser(prog="aude-central", description="API centrale de référence d'AUDE Desktop.",
                           epilog="Codes de sortie : 0 réussite, 2 saisie ou usage incorrect (message en français), "
                                  "1 erreur inattendue (détail dans le journal).")
    parser.add_argument("--version", action="version", version=f"aude-central {__version__}", help="affiche la version et quitte")
    sub = parser.add_subparsers(dest="command", metavar="COMMANDE", title="commandes", parser_class=FrenchArgumentParser)

    serve = _sub(sub, "serve", "démarre le serveur")
    serve.add_argument("--db", default=DEFAULT_DB, help=DB_HELP)
    serve.add_argument("--host", default="127.0.0.1", help="adresse d'écoute (hors boucle locale : --allow-remote)")
    serve.add_argument("--port", type=port_number, default=8765, help="port d'écoute")
    serve.add_argument("--workers", type=positive_int, default=1, help="processus (PostgreSQL conseillé au-delà de 1)")
    serve.add_argument("--allow-remote", action="store_true", help="autorise une écoute hors boucle locale")
    serve.add_argument("--demo", action="store_true", help="base temporaire remplie de données fictives (--db ignoré)")
    serve.add_argument("--oidc-standin", action="store_true",
                       help="fournisseurs d'identité de démonstration (aide aux tests ; jamais en production)")
    serve.add_argument("--dossiers", type=non_negative_int, default=QUICK_DEMO["dossiers"], help="avec --demo : nombre de dossiers fictifs")
    serve.add_argument("--conventions", type=non_negative_int, default=QUICK_DEMO["conventions"], help="avec --demo : nombre de conventions fictives")
    serve.add_argument("--seed", type=int, default=42, help="avec --demo : graine du générateur (mêmes données à graine égale)")
    serve.set_defaults(handler=cmd_serve)

    migrate = _sub(sub, "migrate", "met le schéma de la base à jour")
    migrate.add_argument("--db", default=DEFAULT_DB)
    migrate.set_defaults(handler=cmd_migrate)

    users = _sub(sub, "users", "gère les comptes (add, list, disable)")
    users.add_argument("action", choices=("add", "list", "disable"), help="add : crée ; list : liste ; disable : désactive")
    users.add_argument("login", nargs="?", help="identifiant du compte (add, disable)")
    users.add_argument("--db", default=DEFAULT_DB)
    users.add_argument("--role", choices=tuple(ROLES), help="rôle du compte créé")
    users.add_argument("--region", help="code de région (agent_dreets), ex. OCC")
    users.add_argument("--authority", help="code d'autorité (ordre, ars), ex. ARS-OCC")
    users.add_argument("--name", help="nom affiché")
    users.set_defaults(handler=cmd_users)

    cli_eps.register(sub, _sub, DEFAULT_DB, _engine)  # apikeys (and mandates), cnom sync, transparence
    from central_api import rpps

    rpps.register(sub, _sub, DEFAULT_DB, _engine, DB_HELP)  # rpps export

    seed = _sub(sub, "seed", "remplit la base de données fictives réalistes")
    seed.add_argument("--db", default=DEFAULT_DB)
    seed.add_argument("--dossiers", type=non_negative_int, default=61300, help="nombre de dossiers fictifs")
    seed.add_argument("--conventions", type=non_negative_int, default=150000, help="nombre de conventions fictives")
    seed.add_argument("--seed", type=int, default=42, help="graine du générateur (mêmes données à graine égale)")
    seed.set_defaults(handler=cmd_seed)

    cnom = _sub(sub, "import-cnom", "importe les conventions des médecins transmises par le CNOM (CSV)")
    cnom.add_argument("file", help="fichier CSV du CNOM")
    cnom.add_argument("--db", default=DEFAULT_DB)
    cnom.set_defaults(handler=cmd_import_cnom)

    rules = _sub(sub, "rules", "publie un fichier de règles (seuils EPS d'un nouvel arrêté) vers tous les postes")
    rules.add_argument("action", choices=("publish",), metavar="publish", help="publie le fichier")
    rules.add_argument("file", help="fichier JSON des seuils (format de resources/rules/eps_thresholds.json)")
    rules.add_argument("--db", default=DEFAULT_DB)
    rules.set_defaults(handler=cmd_rules)

    ds = _sub(sub, "ds", "importe les demandes déposées sur Démarches Simplifiées (API GraphQL v2)")
    ds.add_argument("action", choices=("import",), metavar="import", help="importe les dossiers de la démarche")
    ds.add_argument("--demarche", type=positive_int, required=True, metavar="N", help="numéro de la démarche")
    ds.add_argument("--since", default="", metavar="AAAA-MM-JJ", help="seulement les dossiers modifiés depuis cette date")
    ds.add_argument("--files", default="", metavar="DOSSIER", help="dossier des pièces jointes du serveur (par défaut : à côté de la base SQLite)")
    ds.add_argument("--db", default=DEFAULT_DB)
    ds.set_defaults(handler=cmd_ds)

    link = _sub(sub, "oidc", "rattache une identité ProConnect ou ProSanté Connect à un compte AUDE")
    link.add_argument("action", choices=("link",), metavar="link", help="rattache l'identité")
    link.add_argument("provider", choices=("proconnect", "prosante-connect"), help="fournisseur d'identité")
    link.add_argument("subject", help="identifiant de la personne chez le fournisseur (« sub » du jeton d'identité)")
    link.add_argument("login", help="compte AUDE auquel elle se connecte")
    link.add_argument("--db", default=DEFAULT_DB)
    link.set_defaults(handler=cmd_oidc)

    audit = _sub(sub, "audit", "vérifie la chaîne du journal d'audit")
    audit.add_argument("action", choices=("verify",), help="verify : vérifie la chaîne")
    audit.add_argument("--db", help="base à vérifier (obligatoire : rien n'est créé)")
    audit.set_defaults(handler=cmd_audit)
    _common_help(parser)
    return parser


def _common_help(parser: argparse.ArgumentParser) -> None:
    """Options every subcommand shares get one help text, including subcommands added later."""
    for sub in (a for a in parser._actions if isinstance(a, argparse._SubParsersAction)):
        for sub_parser in sub.choices.values():
            for action in sub_parser._actions:
                if action.dest == "db":
                    action.help = action.help or DB_HELP
                    action.metavar = action.metavar or "URL"


def _known_errors(exc: BaseException) -> tuple[str, int] | None:
    from central_api.accounts import AccountError
    from central_api.audit import AuditKeyError

    if isinstance(exc, InputError | AccountError):
        return str(exc), 2
    if isinstance(exc, AuditKeyError):
        return f"Refus : {exc}", 2
    return None


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # usage errors (2), --help and --version (0): a code, as for the handlers
        return exc.code if isinstance(exc.code, int) else 2
    if not getattr(args, "handler", None):
        parser.print_help()
        return 0
    return run(lambda: args.handler(args), known=_known_errors)


if __name__ == "__main__":
    raise SystemExit(main())
