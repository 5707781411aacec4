"""`aude-cli`: the headless command line (Qt-free). Each subcommand is one small registration."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable

from aude_desktop import APP_NAME, __version__
from aude_desktop.argparse_fr import FrenchArgumentParser, FrenchHelpFormatter, french_parser
from aude_desktop.auth.secrets import secure_keyring_available
from aude_desktop.auth.session import AuthSession, KeyringTokens, MemoryTokens
from aude_desktop.paths import Profile
from aude_desktop.settings import Settings
from aude_desktop.store.keys import StoreKeyError, database_key, read_keyinfo
from aude_desktop.sync.http import ApiError, Transport

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


def _store(profile: Profile):
    from aude_desktop.store.database import open_store

    return open_store(profile, database_key(profile))


def _session(profile: Profile):
    """The saved session of this profile: server and login from the settings, token from the keyring."""
    settings = Settings.load(profile.settings_path)
    if not settings.last_user:
        raise SystemExit("Aucune session : connectez-vous d'abord avec « aude-cli login ».")
    if secure_keyring_available():
        return settings, AuthSession(Transport.from_settings(settings), settings.last_user)
    # No keyring: nothing was kept, sign in again for this command (AUDE_PASSWORD or a prompt).
    auth = AuthSession(Transport.from_settings(settings), settings.last_user, tokens=MemoryTokens())
    auth.sign_in(_password())
    return settings, auth


NO_KEYRING_SESSION = (
    "Aucun trousseau sécurisé sur ce poste : la session n'est pas conservée. Chaque commande se "
    "reconnectera (mot de passe demandé, ou AUDE_PASSWORD pour les scripts)."
)


def _password() -> str:
    import getpass
    import os

    return os.environ.get("AUDE_PASSWORD") or getpass.getpass("Mot de passe : ")


def _login_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--server", required=True, help="adresse du serveur, par exemple https://aude.exemple.gouv.fr")
    who = parser.add_mutually_exclusive_group(required=True)
    who.add_argument("--user", help="identifiant (connexion par mot de passe)")
    who.add_argument("--oidc", choices=("proconnect", "prosante-connect"),
                     help="connexion par ProConnect (agents de l'État) ou ProSanté Connect (ordres), dans le navigateur")


@command("login", "se connecter (mot de passe demandé, ou AUDE_PASSWORD pour les scripts)", _login_options)
def login(args: argparse.Namespace, profile: Profile) -> int:
    from dataclasses import replace

    settings = replace(Settings.load(profile.settings_path), server_url=args.server.rstrip("/"), last_user=args.user or "")
    settings.validate()
    _store(profile).close()  # creates or checks the local database and its key first
    keep = secure_keyring_available()
    if not keep:
        print(NO_KEYRING_SESSION, file=sys.stderr)
    try:
        auth = AuthSession(Transport.from_settings(settings), args.user or "", tokens=KeyringTokens() if keep else MemoryTokens())
        if args.oidc:
            from aude_desktop.auth import oidc

            def show(url: str) -> None:
                print(f"Connexion dans le navigateur ; si rien ne s'ouvre, ouvrez cette adresse :\n{url}", file=sys.stderr)
                import webbrowser

                webbrowser.open(url)

            user = oidc.sign_in(auth, args.oidc, open_browser=show)
            settings = replace(settings, last_user=user.login)
        else:
            user = auth.sign_in(_password())
    except ApiError as exc:
        print(f"Connexion impossible : {exc}", file=sys.stderr)
        return 2
    settings.save(profile.settings_path)
    from aude_desktop.auth.actor import remember_user

    store = _store(profile)
    try:
        remember_user(store, user)  # so this user can work offline (courriers, commands)
    finally:
        store.close()
    print(f"Connecté : {user.display_name} ({user.role}).")
    return 0


@command("sync", "synchronise (progression sur la sortie d'erreur, bilan sur la sortie standard)")
def sync(args: argparse.Namespace, profile: Profile) -> int:
    from aude_desktop.sync.engine import SyncEngine
    from aude_desktop.sync.http import ApiError

    try:
        _settings, auth = _session(profile)
    except ApiError as exc:
        print(f"Connexion impossible : {exc}", file=sys.stderr)
        return 2
    store = _store(profile)

    def progress(p) -> None:
        print(f"\r{p.phase} : {p.records} enregistrement(s), {p.pages} page(s)", end="", file=sys.stderr, flush=True)

    try:
        report = SyncEngine(store, auth, on_progress=progress).run()
    except ApiError as exc:
        print(f"\nSynchronisation impossible : {exc}", file=sys.stderr)
        return 2
    finally:
        store.close()
    print(file=sys.stderr)
    print(f"Reçus : {report.pulled} ; envoyés : {report.applied} ; refusés : {report.rejected} ; "
          f"conflits : {report.conflicts} ; curseur : {report.cursor}")
    for warning in report.warnings:  # records skipped or out of scope, a copy that differs: said, not hidden
        print(f"Attention : {warning}", file=sys.stderr)
    if report.audit_alert:
        print(report.audit_alert, file=sys.stderr)
        return 1
    return 0


@command("status", "modifications en attente, refusées, conflits, curseur, dernière synchronisation",
         lambda p: p.add_argument("--json", action="store_true", help="sortie JSON"))
def status(args: argparse.Namespace, profile: Profile) -> int:
    from aude_desktop.sync.engine import CURSOR_KEY, get_state

    store = _store(profile)
    try:
        st = store.status()
        with store.session() as s:
            cursor = int(get_state(s, CURSOR_KEY) or 0)
    finally:
        store.close()
    facts = {"pending": st.pending, "rejected": st.rejected, "conflicts": st.conflicts, "cursor": cursor,
             "last_sync": st.last_sync.isoformat() if st.last_sync else None}
    if args.json:
        print(json.dumps(facts, ensure_ascii=False))
    else:
        for key, value in facts.items():
            print(f"{INFO_LABELS.get(key, 'Curseur')} : {value if value is not None else '—'}")
    return 0


def _purge_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--months", type=int, help="durée de conservation en mois (par défaut : celle des paramètres)")
    parser.add_argument("--json", action="store_true", help="sortie JSON")


@command("purge", "retire de ce poste les dossiers et conventions clos au-delà de la durée de conservation "
                  "(ils restent sur le serveur)", _purge_options)
def purge(args: argparse.Namespace, profile: Profile) -> int:
    from datetime import date

    from aude_desktop.settings import Settings
    from aude_desktop.store.retention import purge_closed

    months = args.months if args.months is not None else Settings.load(profile.settings_path).retention_months
    if not 1 <= months <= 120:
        print("Erreur : la durée de conservation doit être comprise entre 1 et 120 mois.", file=sys.stderr)
        return 2
    store = _store(profile)
    try:
        report = purge_closed(store, date.today(), months)
    finally:
        store.close()
    if args.json:
        print(json.dumps({"cutoff": report.cutoff.isoformat(), "removed": report.counts, "files": report.files,
                          "kept_unsent": report.kept_unsent}, ensure_ascii=False))
    else:
        print(report.summary())
    return 0


@command("logout", "se déconnecter : révoque la session et efface le jeton du trousseau")
def logout(args: argparse.Namespace, profile: Profile) -> int:
    if not secure_keyring_available():
        print("Aucune session n'est conservée sur ce poste (pas de trousseau) : rien à effacer.")
        return 0
    _settings, auth = _session(profile)
    auth.sign_out()
    print("Déconnecté : le jeton a été effacé du trousseau.")
    return 0


def _read_json(path: str):
    """A JSON file, or standard input for « - » (OSError and ValueError carry the French reason up)."""
    return json.loads(sys.stdin.read() if path == "-" else open(path, encoding="utf-8").read())


def _deadlines_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("action", choices=("compute",))
    parser.add_argument("file", help="fichier JSON des événements datés (voir docs/cli.md), ou - pour l'entrée standard")


@command("deadlines", "calcule les dates légales d'une procédure à partir de ses événements (JSON)", _deadlines_options)
def deadlines(args: argparse.Namespace, profile: Profile) -> int:
    from datetime import date

    from aude_desktop.rules.deadlines import ClockInputError, aude_clock, eps_clock

    try:
        spec = _read_json(args.file)
        today = date.fromisoformat(spec.get("today") or date.today().isoformat())
        if spec.get("procedure") == "aude":
            clock = aude_clock(spec["events"], spec["profession"], spec["region"], today)
        elif spec.get("procedure") == "eps":
            octroi = date.fromisoformat(spec["octroi_on"]) if spec.get("octroi_on") else None
            clock = eps_clock(spec["events"], spec["regime"], spec["authority"], bool(spec.get("urgent")), octroi, today)
        else:
            raise ClockInputError("« procedure » doit valoir « aude » ou « eps ».")
    except (OSError, ValueError, KeyError, TypeError) as exc:
        detail = f"champ manquant {exc}" if isinstance(exc, KeyError) else str(exc)
        print(f"Erreur : {detail}", file=sys.stderr)
        return 2
    print(json.dumps({
        "next_date": clock.next_date.isoformat() if clock.next_date else None,
        "next_label": clock.next_label, "days_left": clock.days_left, "status": clock.status,
        "status_label": clock.status_label, "history": list(clock.history), "flags": list(clock.flags),
    }, ensure_ascii=False, indent=2))
    return 0


def _dossiers_options(parser: argparse.ArgumentParser) -> None:
    from aude_desktop.dossiers.queue import DEADLINE_FILTERS
    from aude_desktop.dossiers.states import DossierState

    parser.add_argument("action", choices=("list",), metavar="list", help="liste les dossiers")
    parser.add_argument("--state", action="append", choices=[s.value for s in DossierState], metavar="ÉTAT",
                        help="état (répétable) : " + ", ".join(s.value for s in DossierState))
    parser.add_argument("--profession", default="", metavar="CODE", help="code de la profession (ex. infirmier)")
    parser.add_argument("--deadline", default="", choices=[k for k in DEADLINE_FILTERS if k], metavar="ÉCHÉANCE", help="overdue, soon ou later")
    parser.add_argument("--search", default="", metavar="TEXTE", help="texte recherché (nom, référence, diplôme, pays ; sans accents)")
    parser.add_argument("--assigned-to", default="", metavar="AGENT", help="identifiant de l'agent")
    parser.add_argument("--limit", type=int, default=0, metavar="N", help="nombre maximal de lignes (0 : toutes)")
    parser.add_argument("--json", action="store_true", help="sortie JSON (une liste d'objets)")


@command("dossiers", "liste les dossiers de la copie locale (filtres de la file de travail)", _dossiers_options)
def dossiers(args: argparse.Namespace, profile: Profile) -> int:
    from datetime import date

    from aude_desktop.dossiers import queue
    from aude_desktop.store.database import open_store

    f = queue.QueueFilter(text=args.search, states=tuple(args.state or ()), profession=args.profession,
                          deadline=args.deadline, assigned_to=args.assigned_to)
    today = date.today()
    store = open_store(profile, database_key(profile))
    try:
        with store.session() as s:
            total = queue.count(s, f, today)
            wanted = min(total, args.limit) if args.limit > 0 else total
            rows = []
            while len(rows) < wanted:
                page = queue.page(s, f, today, offset=len(rows), limit=min(1000, wanted - len(rows)), total=total)
                if not page:
                    break
                rows.extend(page)
    finally:
        store.close()
    if args.json:
        print(json.dumps([{
            "id": r.id, "reference": r.reference, "name": r.name, "profession": r.profession, "state": r.state,
            "received_on": r.received_on.isoformat(), "next_due_on": r.next_due_on.isoformat() if r.next_due_on else None,
            "deadline": r.deadline, "deadline_status": r.deadline_status,
        } for r in rows], ensure_ascii=False, indent=2))
    else:
        for r in rows:
            print(f"{r.reference}\t{r.state}\t{r.deadline}\t{r.name}")
        print(f"{len(rows)} dossier(s) sur {total}", file=sys.stderr)
    return 0


def _transfer_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--dossier", required=True, metavar="ID", help="identifiant ou référence du dossier")
    parser.add_argument("--region", required=True, metavar="CODE", help="code de la région compétente (ex. IDF)")
    parser.add_argument("--reason", required=True, metavar="MOTIF", help="motif du transfert (conservé avec le dossier)")


@command("transfer", "transfère un dossier à la région compétente (il quitte votre région à la synchronisation)", _transfer_options)
def transfer(args: argparse.Namespace, profile: Profile) -> int:
    from sqlalchemy import or_, select

    from aude_desktop.auth.actor import local_actor
    from aude_desktop.dossiers.models import Dossier
    from aude_desktop.rules.reference import regions
    from aude_desktop.store.database import open_store
    from aude_desktop.sync.commands import CommandRejected
    from aude_desktop.sync.local import run_command

    settings = Settings.load(profile.settings_path)
    store = open_store(profile, database_key(profile))
    try:
        actor = local_actor(store, settings.last_user)
        if actor is None:
            print("Erreur : connectez-vous une première fois sur ce poste (aude-cli login).", file=sys.stderr)
            return 2
        with store.session() as s:
            found = s.execute(select(Dossier.id, Dossier.reference).where(
                or_(Dossier.id == args.dossier, Dossier.reference == args.dossier))).first()
        if found is None:
            print(f"Erreur : dossier « {args.dossier} » introuvable sur ce poste.", file=sys.stderr)
            return 2
        try:
            run_command(store, actor, "dossier.move_region", {"id": found.id, "region": args.region, "reason": args.reason})
        except CommandRejected as exc:
            print(f"Erreur : {exc.message}", file=sys.stderr)
            return 2
    finally:
        store.close()
    print(f"Dossier {found.reference} transféré à la région {regions()[args.region].label} ; "
          "il quittera ce poste à la prochaine synchronisation (aude-cli sync).")
    return 0


def _eps_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("action", choices=("classify",), metavar="classify", help="classe une convention")
    parser.add_argument("file", help="convention au format JSON de l'API (voir docs/cli.md), ou - pour l'entrée standard")


@command("eps", "classe une convention d'avantages par les seuils (déclaration, autorisation, indéterminé)", _eps_options)
def eps(args: argparse.Namespace, profile: Profile) -> int:
    from aude_desktop.conventions.thresholds import RulesetError, classify, default_ruleset

    try:
        convention = _read_json(args.file)
        if not isinstance(convention, dict):
            raise ValueError("un objet JSON (la convention) est attendu.")
        _check_amounts(convention)
        rules = default_ruleset()
        result = classify(convention, rules)
    except (OSError, ValueError, RulesetError) as exc:
        print(f"Erreur : {exc}", file=sys.stderr)
        return 2
    print(json.dumps({"regime": result.regime, "explanation": result.lines, "hors_regime": result.hors_regime,
                      "ruleset": {"version": rules.version, "text": rules.text}}, ensure_ascii=False, indent=2))
    return 0


def _check_amounts(convention: dict) -> None:
    from decimal import Decimal, InvalidOperation

    for a in convention.get("avantages") or []:
        raw = str(a.get("amount"))
        try:
            amount = Decimal(raw)
        except InvalidOperation:
            raise ValueError(f"avantage « {a.get('id')} » : montant non numérique « {raw} ».") from None
        if not amount.is_finite() or amount < 0 or amount.as_tuple().exponent < -2:
            raise ValueError(f"avantage « {a.get('id')} » : montant « {raw} » invalide (euros positifs, deux décimales au plus).")


def _letters_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("action", choices=("render", "batch"), metavar="render|batch",
                        help="render : un courrier ; batch : le même courrier pour plusieurs dossiers ou conventions")
    parser.add_argument("--kind", required=True, metavar="TYPE", help="type de courrier, ex. accuse_reception, decision_refus, refus…")
    target = parser.add_mutually_exclusive_group(required=True)
    target.add_argument("--dossier", nargs="+", metavar="ID", help="identifiant(s) de dossier")
    target.add_argument("--convention", nargs="+", metavar="ID", help="identifiant(s) de convention")
    parser.add_argument("--out", metavar="FICHIER.pdf", help="render : fichier PDF à écrire")
    parser.add_argument("--out-dir", metavar="DOSSIER", help="batch : dossier où écrire les PDF (nommés par référence)")


@command("letters", "émet et enregistre des courriers (PDF) ; une réémission rend le courrier enregistré", _letters_options)
def letters(args: argparse.Namespace, profile: Profile) -> int:
    from datetime import date
    from pathlib import Path

    from aude_desktop.auth.actor import local_actor
    from aude_desktop.letters import compose, register
    from aude_desktop.letters.templates import templates
    from aude_desktop.store.database import open_store

    procedure, ids = ("aude", args.dossier) if args.dossier else ("eps", args.convention)
    if args.kind not in templates(procedure):
        print(f"Erreur : type de courrier inconnu « {args.kind} » ; possibles : {', '.join(sorted(templates(procedure)))}.", file=sys.stderr)
        return 2
    if args.action == "render" and (len(ids) != 1 or not args.out):
        print("Erreur : render prend un seul identifiant et --out FICHIER.pdf.", file=sys.stderr)
        return 2
    if args.action == "batch" and not args.out_dir:
        print("Erreur : batch demande --out-dir DOSSIER.", file=sys.stderr)
        return 2
    settings = Settings.load(profile.settings_path)
    store = open_store(profile, database_key(profile))
    failures = 0
    try:
        actor = local_actor(store, settings.last_user)
        if actor is None:
            print("Erreur : connectez-vous une première fois sur ce poste (aude-cli login) pour émettre des courriers.", file=sys.stderr)
            return 2
        for n, record_id in enumerate(ids, start=1):
            try:
                issued = register.issue(store, actor, settings, procedure, args.kind, record_id, date.today())
            except compose.LetterNotApplicable as exc:
                failures += 1
                print(f"{record_id} : refusé — {exc}", file=sys.stderr)
                continue
            target = Path(args.out) if args.action == "render" else Path(args.out_dir) / f"{issued.reference}.pdf"
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(issued.pdf)
            state = "réémis (courrier enregistré)" if issued.reissued else "émis et enregistré"
            print(f"[{n}/{len(ids)}] {record_id} : {issued.reference} {state} → {target}", file=sys.stderr)
    finally:
        store.close()
    print(f"{len(ids) - failures} courrier(s) écrit(s), {failures} refusé(s).")
    return 0 if failures == 0 else 1


@command("stats", "chiffres de la vue d'ensemble nationale (copie locale) : états, retards, délais, flux mensuels",
         lambda p: p.add_argument("--json", action="store_true", help="sortie JSON"))
def stats(args: argparse.Namespace, profile: Profile) -> int:
    from datetime import date

    from aude_desktop.store.database import open_store
    from aude_desktop.supervision.overview import compute

    store = open_store(profile, database_key(profile))
    try:
        with store.session() as s:
            figures = compute(s, date.today()).as_json()
    finally:
        store.close()
    if args.json:
        print(json.dumps(figures, ensure_ascii=False, indent=2))
        return 0
    for title, groups in (("Dossiers par région", figures["aude"]["by_region"]), ("Conventions par autorité", figures["eps"]["by_authority"])):
        print(title)
        for key, g in groups.items():
            print(f"  {key} : {g['total']} dont {g['open']} en cours, {g['overdue']} en retard, {g['due_soon']} à échéance "
                  f"sous 15 jours, {g['implicit']} décision(s) implicite(s) sans décision expresse")
    return 0


def _export_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--queue", required=True, metavar="NOM", help="nom d'une file enregistrée, ex. « Échéance sous 15 jours »")
    parser.add_argument("--conventions", action="store_true", help="une file de conventions (par défaut : de dossiers)")
    parser.add_argument("--format", required=True, choices=("csv", "xlsx"), metavar="csv|xlsx", help="csv ou xlsx")
    parser.add_argument("--out", required=True, metavar="FICHIER", help="fichier à écrire")


@command("export", "exporte une file (CSV pour Excel/LibreOffice en français, ou XLSX), filtres et date en tête", _export_options)
def export(args: argparse.Namespace, profile: Profile) -> int:
    from datetime import date

    from aude_desktop.store.database import open_store
    from aude_desktop.supervision import export as exporting

    if args.conventions:
        from aude_desktop.conventions import queue as source

        saved = source.saved_queues()
    else:
        from aude_desktop.dossiers import queue as source

        saved = source.saved_queues(Settings.load(profile.settings_path).last_user)
    chosen = next((q for q in saved if q.name.casefold() == args.queue.casefold()), None)
    if chosen is None:
        print(f"Erreur : file inconnue « {args.queue} » ; files possibles : {' ; '.join(q.name for q in saved)}.", file=sys.stderr)
        return 2
    store = open_store(profile, database_key(profile))
    try:
        count = exporting.write(args.out, args.format, chosen.name, exporting.describe(chosen.filter), source.HEADERS,
                                exporting.queue_rows(store, source, chosen.filter, date.today()),
                                on_progress=lambda n: print(f"\r{n} ligne(s)", end="", file=sys.stderr, flush=True) or True)
    finally:
        store.close()
    print(f"\n{count} ligne(s) exportée(s) dans {args.out}.", file=sys.stderr)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = french_parser(
        prog="aude-cli",
        description=f"{APP_NAME}, en ligne de commande (sans interface graphique).",
        epilog="La phrase de passe de la base locale peut venir de AUDE_DB_PASSPHRASE (scripts).",
    )
    parser.add_argument("--version", action="version", version=f"{APP_NAME} {__version__}", help="affiche la version et quitte")
    parser.add_argument("--profile", metavar="DOSSIER", help="dossier de profil isolé")
    sub = parser.add_subparsers(dest="command", metavar="COMMANDE", title="commandes", parser_class=FrenchArgumentParser)
    for name, (help_text, configure, _handler) in COMMANDS.items():
        sub_parser = sub.add_parser(
            name, help=help_text, description=help_text, add_help=False, formatter_class=FrenchHelpFormatter
        )
        sub_parser._optionals.title = "options"
        sub_parser._positionals.title = "arguments"
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
    except (ValueError, OSError) as exc:  # SettingsError and friends: French messages
        print(f"Erreur : {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
