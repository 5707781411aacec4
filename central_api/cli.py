"""`aude-central`: serve, migrate, users, apikeys, seed, import-cnom, audit verify."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

from aude_desktop.argparse_fr import FrenchArgumentParser, FrenchHelpFormatter, french_parser

DEFAULT_DB = "sqlite:///aude-central.db"
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


def _administrator() -> str:
    """Who ran an administration command, for the audit log: the system account (no password, no data)."""
    import getpass

    try:
        return f"admin:{getpass.getuser()}"[:80]
    except (OSError, KeyError):
        return "admin:inconnu"


def _audit_admin(engine, command: str, record_id: str, detail=None) -> None:
    from central_api.audit import audit_event

    audit_event(engine, _administrator(), command, "ok", kind="administration", record_id=record_id, detail=detail)


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
    db = args.db
    if args.demo:
        folder = Path(tempfile.mkdtemp(prefix="aude-central-demo-"))
        db = f"sqlite:///{folder / 'demo.db'}"
        engine = _engine(db)
        from central_api.seed import seed

        started = time.perf_counter()
        counts = seed(engine, dossiers=args.dossiers, conventions=args.conventions, seed_value=args.seed)
        print(f"Données de démonstration : {counts} en {time.perf_counter() - started:.1f} s", flush=True)
        _print_demo_users()
    standin = args.demo or args.oidc_standin
    if standin:
        print("Fournisseurs d'identité de démonstration (ProConnect, ProSanté Connect) actifs : aide aux tests, "
              "jamais en production.", flush=True)
    if args.workers > 1:
        _engine(db).dispose()  # migrate and seal the audit log once, before the workers race to do it
        os.environ["AUDE_CENTRAL_DB"] = db
        os.environ["AUDE_CENTRAL_OIDC_STANDIN"] = "1" if standin else "0"
        uvicorn.run("central_api.asgi:create_from_env", factory=True, host=args.host, port=args.port,
                    workers=args.workers, log_level="warning")
        return 0
    app = create_app(db, oidc_standin=standin)
    print(f"Serveur prêt sur http://{args.host}:{args.port}", flush=True)
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning")
    return 0


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

    engine = _engine(args.db)
    try:
        if args.action == "add":
            password = os.environ.get("AUDE_PASSWORD") or _ask_password()
            add_user(engine, args.login, password, args.role, region=args.region, authority=args.authority,
                     display_name=args.name)
            _audit_admin(engine, "users.add", args.login, {"role": args.role, "region": args.region,
                                                           "authority": args.authority})
            print(f"Utilisateur {args.login} créé.")
        elif args.action == "disable":
            set_disabled(engine, args.login)
            _audit_admin(engine, "users.disable", args.login)
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

    first = getpass.getpass("Mot de passe : ")
    if getpass.getpass("Confirmation : ") != first:
        raise SystemExit("Les deux saisies diffèrent.")
    return first


def cmd_apikeys(args) -> int:
    from central_api.accounts import add_api_key

    engine = _engine(args.db)
    key = add_api_key(engine, args.company, args.siren)
    _audit_admin(engine, "apikeys.add", args.siren, {"company": args.company})
    print(f"Clé d'API (affichée une seule fois) : {key}")
    return 0


def cmd_seed(args) -> int:
    from central_api.seed import seed

    engine = _engine(args.db)
    started = time.perf_counter()
    counts = seed(engine, dossiers=args.dossiers, conventions=args.conventions, seed_value=args.seed)
    print(f"{counts} en {time.perf_counter() - started:.1f} s")
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
    _audit_admin(engine, "oidc.link", args.login, {"provider": args.provider, "subject": args.subject})
    print(f"Identité {oidc.PROVIDERS[args.provider]} « {args.subject} » rattachée au compte {args.login}.")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = french_parser(prog="aude-central", description="API centrale de référence d'AUDE Desktop.")
    sub = parser.add_subparsers(dest="command", metavar="COMMANDE", title="commandes", parser_class=FrenchArgumentParser)

    serve = _sub(sub, "serve", "démarre le serveur")
    serve.add_argument("--db", default=DEFAULT_DB, help="base de données (SQLite ou postgresql+psycopg://…)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8765)
    serve.add_argument("--workers", type=int, default=1, help="processus (PostgreSQL conseillé au-delà de 1)")
    serve.add_argument("--allow-remote", action="store_true", help="autorise une écoute hors boucle locale")
    serve.add_argument("--demo", action="store_true", help="base temporaire remplie de données fictives")
    serve.add_argument("--oidc-standin", action="store_true",
                       help="fournisseurs d'identité de démonstration (aide aux tests ; jamais en production)")
    serve.add_argument("--dossiers", type=int, default=QUICK_DEMO["dossiers"])
    serve.add_argument("--conventions", type=int, default=QUICK_DEMO["conventions"])
    serve.add_argument("--seed", type=int, default=42)
    serve.set_defaults(handler=cmd_serve)

    migrate = _sub(sub, "migrate", "met le schéma de la base à jour")
    migrate.add_argument("--db", default=DEFAULT_DB)
    migrate.set_defaults(handler=cmd_migrate)

    users = _sub(sub, "users", "gère les comptes (add, list, disable)")
    users.add_argument("action", choices=("add", "list", "disable"))
    users.add_argument("login", nargs="?")
    users.add_argument("--db", default=DEFAULT_DB)
    users.add_argument("--role", choices=("agent_dreets", "ordre", "ars", "dgos"))
    users.add_argument("--region")
    users.add_argument("--authority")
    users.add_argument("--name", help="nom affiché")
    users.set_defaults(handler=cmd_users)

    apikeys = _sub(sub, "apikeys", "crée une clé d'API pour une entreprise déposante")
    apikeys.add_argument("action", choices=("add",))
    apikeys.add_argument("--db", default=DEFAULT_DB)
    apikeys.add_argument("--company", required=True)
    apikeys.add_argument("--siren", required=True)
    apikeys.set_defaults(handler=cmd_apikeys)

    seed = _sub(sub, "seed", "remplit la base de données fictives réalistes")
    seed.add_argument("--db", default=DEFAULT_DB)
    seed.add_argument("--dossiers", type=int, default=61300)
    seed.add_argument("--conventions", type=int, default=150000)
    seed.add_argument("--seed", type=int, default=42)
    seed.set_defaults(handler=cmd_seed)

    cnom = _sub(sub, "import-cnom", "importe les conventions des médecins transmises par le CNOM (CSV)")
    cnom.add_argument("file")
    cnom.add_argument("--db", default=DEFAULT_DB)
    cnom.set_defaults(handler=cmd_import_cnom)

    rules = _sub(sub, "rules", "publie un fichier de règles (seuils EPS d'un nouvel arrêté) vers tous les postes")
    rules.add_argument("action", choices=("publish",), metavar="publish", help="publie le fichier")
    rules.add_argument("file", help="fichier JSON des seuils (format de resources/rules/eps_thresholds.json)")
    rules.add_argument("--db", default=DEFAULT_DB)
    rules.set_defaults(handler=cmd_rules)

    link = _sub(sub, "oidc", "rattache une identité ProConnect ou ProSanté Connect à un compte AUDE")
    link.add_argument("action", choices=("link",), metavar="link", help="rattache l'identité")
    link.add_argument("provider", choices=("proconnect", "prosante-connect"))
    link.add_argument("subject", help="identifiant de la personne chez le fournisseur (« sub » du jeton d'identité)")
    link.add_argument("login", help="compte AUDE auquel elle se connecte")
    link.add_argument("--db", default=DEFAULT_DB)
    link.set_defaults(handler=cmd_oidc)

    audit = _sub(sub, "audit", "vérifie la chaîne du journal d'audit")
    audit.add_argument("action", choices=("verify",))
    audit.add_argument("--db", help="base à vérifier (obligatoire)")
    audit.set_defaults(handler=cmd_audit)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help()
        return 0
    if args.command == "users" and args.action in ("add", "disable") and not args.login:
        parser.error("indiquez l'identifiant")
    from central_api.audit import AuditKeyError

    try:
        return args.handler(args)
    except AuditKeyError as exc:
        print(f"Refus : {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
