"""`aude-central` subcommands of the EPS channels: companies' API keys and mandates, the CNOM
feed, the Transparence Santé import. Registered by `central_api.cli.build_parser`."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

from aude_desktop.argparse_fr import FrenchArgumentParser
from central_api.audit import audit_admin

DB_HELP = "base de données : sqlite:///chemin/fichier.db ou postgresql+psycopg://utilisateur@hôte/base"


def _day(text: str) -> date:
    import argparse

    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"date invalide « {text} » (format attendu AAAA-MM-JJ)") from None


def register(sub, make, default_db: str, engine) -> None:
    """`make(sub, name, help)` builds a French subparser; `engine(url)` opens a migrated database."""
    apikeys = make(sub, "apikeys", "clés d'API des entreprises déposantes et mandats des cabinets de conseil")
    actions = apikeys.add_subparsers(dest="action", metavar="ACTION", title="actions", required=True,
                                     parser_class=FrenchArgumentParser)
    add = make(actions, "add", "crée la clé d'API d'une entreprise ou d'un cabinet mandataire")
    add.add_argument("--db", default=default_db, help=DB_HELP)
    add.add_argument("--company", required=True, help="raison sociale")
    add.add_argument("--siren", required=True, help="SIREN (9 chiffres, clé de Luhn)")
    add.set_defaults(handler=lambda args: _apikey_add(engine(args.db), args))

    mandate = make(actions, "mandate", "mandats d'un cabinet de conseil pour ses entreprises clientes")
    verbs = mandate.add_subparsers(dest="verb", metavar="ACTION", title="actions", required=True,
                                   parser_class=FrenchArgumentParser)
    madd = make(verbs, "add", "enregistre un mandat (le cabinet dépose et répond au nom de l'entreprise)")
    madd.add_argument("--db", default=default_db, help=DB_HELP)
    madd.add_argument("--mandataire", required=True, help="SIREN du cabinet mandataire (qui a sa clé d'API)")
    madd.add_argument("--siren", required=True, help="SIREN de l'entreprise mandante")
    madd.add_argument("--company", required=True, help="raison sociale de l'entreprise mandante")
    madd.add_argument("--from", dest="valid_from", type=_day, required=True, help="début du mandat (AAAA-MM-JJ)")
    madd.add_argument("--to", dest="valid_until", type=_day, required=True, help="fin du mandat, incluse (AAAA-MM-JJ)")
    madd.set_defaults(handler=lambda args: _mandate_add(engine(args.db), args))
    mlist = make(verbs, "list", "liste les mandats")
    mlist.add_argument("--db", default=default_db, help=DB_HELP)
    mlist.set_defaults(handler=lambda args: _mandate_list(engine(args.db)))
    revoke = make(verbs, "revoke", "révoque un mandat")
    revoke.add_argument("id", type=int, help="numéro du mandat (voir list)")
    revoke.add_argument("--db", default=default_db, help=DB_HELP)
    revoke.set_defaults(handler=lambda args: _mandate_revoke(engine(args.db), args.id))

    cnom = make(sub, "cnom", "flux automatique des conventions des médecins déposées par le CNOM")
    cverbs = cnom.add_subparsers(dest="action", metavar="ACTION", title="actions", required=True,
                                 parser_class=FrenchArgumentParser)
    sync = make(cverbs, "sync", "importe les fichiers nouveaux ou modifiés d'un dossier de dépôt")
    sync.add_argument("--from", dest="folder", required=True, help="dossier où le CNOM dépose ses fichiers CSV")
    sync.add_argument("--db", default=default_db, help=DB_HELP)
    sync.add_argument("--reports", help="dossier des rapports d'exécution (défaut : <dossier>/rapports)")
    sync.set_defaults(handler=lambda args: _cnom_sync(engine(args.db), args))

    ts = make(sub, "transparence", "rapprochement avec la base publique Transparence Santé")
    tverbs = ts.add_subparsers(dest="action", metavar="ACTION", title="actions", required=True,
                               parser_class=FrenchArgumentParser)
    timport = make(tverbs, "import", "importe l'export open data des conventions et rapproche les conventions EPS")
    timport.add_argument("file", help="declaration_convention_AAAA_MM_JJ_04_00.csv (export Transparence Santé)")
    timport.add_argument("--db", default=default_db, help=DB_HELP)
    timport.set_defaults(handler=lambda args: _ts_import(engine(args.db), args))
    report = make(tverbs, "report", "tableau par entreprise : non publiées, jamais déposées, montants différents")
    report.add_argument("--db", default=default_db, help=DB_HELP)
    report.set_defaults(handler=lambda args: _ts_report(engine(args.db)))


def _apikey_add(engine, args) -> int:
    from central_api.accounts import AccountError, add_api_key

    try:
        key = add_api_key(engine, args.company, args.siren)
    except AccountError as exc:
        print(f"Erreur : {exc}", file=sys.stderr)
        return 2
    audit_admin(engine, "apikeys.add", args.siren, {"company": args.company})
    print(f"Clé d'API (affichée une seule fois) : {key}")
    return 0


def _mandate_add(engine, args) -> int:
    from central_api.accounts import AccountError, add_mandate

    try:
        number = add_mandate(engine, args.mandataire, args.siren, args.company, args.valid_from, args.valid_until)
    except AccountError as exc:
        print(f"Erreur : {exc}", file=sys.stderr)
        return 2
    audit_admin(engine, "apikeys.mandate.add", args.siren, {"mandataire": args.mandataire, "numero": number})
    print(f"Mandat n° {number} enregistré : {args.mandataire} agit pour {args.company} ({args.siren}) "
          f"du {args.valid_from:%d/%m/%Y} au {args.valid_until:%d/%m/%Y}.")
    return 0


def _mandate_list(engine) -> int:
    from central_api.accounts import list_mandates

    for m in list_mandates(engine):
        state = "révoqué" if m.revoked else "actif"
        print(f"{m.id:>5}  {m.mandataire_siren} → {m.client_siren} {m.client_name}  "
              f"{m.valid_from:%d/%m/%Y}–{m.valid_until:%d/%m/%Y}  {state}")
    return 0


def _mandate_revoke(engine, number: int) -> int:
    from central_api.accounts import AccountError, revoke_mandate

    try:
        revoke_mandate(engine, number)
    except AccountError as exc:
        print(f"Erreur : {exc}", file=sys.stderr)
        return 2
    audit_admin(engine, "apikeys.mandate.revoke", str(number))
    print(f"Mandat n° {number} révoqué.")
    return 0


def _cnom_sync(engine, args) -> int:
    from central_api.cnom_feed import FeedError, sync

    try:
        run = sync(engine, Path(args.folder), Path(args.reports) if args.reports else None)
    except FeedError as exc:
        print(f"Erreur : {exc}", file=sys.stderr)
        return 2
    print(run.summary())
    return 1 if run.refused else 0


def _ts_import(engine, args) -> int:
    from central_api.transparence import TransparenceError, import_file

    try:
        result = import_file(engine, Path(args.file))
    except TransparenceError as exc:
        print(f"Import refusé, rien n'a été importé :\n{exc}", file=sys.stderr)
        return 2
    print(result.summary())
    return 0


def _ts_report(engine) -> int:
    from central_api.transparence import company_table

    rows = company_table(engine)
    if not rows:
        print("Aucune déclaration Transparence Santé importée.")
        return 0
    print(f"{'SIREN':<10} {'Entreprise':<32} {'non publiées':>12} {'jamais déposées':>16} {'montants diff.':>14} {'ambiguës':>9}")
    for r in rows:
        print(f"{r.siren:<10} {r.name[:32]:<32} {r.not_published:>12} {r.never_filed:>16} {r.amount_differs:>14} {r.ambiguous:>9}")
    return 0
