"""`aude-cli`: the headless command line (Qt-free). Each subcommand is one small registration."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path

from aude_desktop import APP_NAME, __version__
from aude_desktop.argparse_fr import FrenchArgumentParser, FrenchHelpFormatter, french_parser
from aude_desktop.auth.secrets import secure_keyring_available
from aude_desktop.auth.session import AuthSession, KeyringTokens, MemoryTokens
from aude_desktop.cli_errors import (
    InputError,
    iso_date,
    non_negative_int,
    output_file,
    positive_int,
    read_json,
)
from aude_desktop.domain.commands import CommandRejected
from aude_desktop.frtext import fr_datetime, fr_number
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
    from pathlib import Path

    if args.profile and Path(args.profile).exists() and not Path(args.profile).is_dir():
        raise InputError(f"--profile : « {args.profile} » est un fichier ; un dossier de profil est attendu.")
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
        if status.last_sync:
            facts["last_sync"] = fr_datetime(status.last_sync)
        for key, value in facts.items():
            print(f"{INFO_LABELS[key]} : {fr_number(value) if isinstance(value, int) else value if value is not None else '—'}")
    return 0


def _store(profile: Profile):
    from aude_desktop.store.database import open_store

    return open_store(profile, database_key(profile))


def _session(profile: Profile):
    """The saved session of this profile: server and login from the settings, token from the keyring."""
    settings = Settings.load(profile.settings_path)
    if not settings.last_user:
        raise InputError("Aucune session : connectez-vous d'abord avec « aude-cli login ».")
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
    """AUDE_PASSWORD, a prompt on a terminal, or one line of a pipe (without getpass's English warning)."""
    import getpass
    import os

    if os.environ.get("AUDE_PASSWORD"):
        return os.environ["AUDE_PASSWORD"]
    if sys.stdin is not None and not sys.stdin.closed and sys.stdin.isatty():
        return getpass.getpass("Mot de passe : ")
    line = sys.stdin.readline().rstrip("\r\n") if sys.stdin is not None and not sys.stdin.closed else ""
    if not line:
        raise InputError("Mot de passe attendu : saisissez-le sur un terminal, ou définissez AUDE_PASSWORD (scripts).")
    return line


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
    from aude_desktop.sync.http import ApiError
    from aude_desktop.workspace import Workspace

    try:
        settings, auth = _session(profile)
    except ApiError as exc:
        print(f"Connexion impossible : {exc}", file=sys.stderr)
        return 2
    store = _store(profile)

    progress = _Progress()
    try:  # the window's path: push, pull, then the daily backup and the retention purge
        report = Workspace(store, profile).sync(auth, retention_months=settings.retention_months, on_progress=lambda p: progress.show(
            f"{SYNC_PHASES.get(p.phase, p.phase)} : {fr_number(p.records)}"
            + (f" ({fr_number(p.pages)} page(s))" if p.pages else "")))
    except ApiError as exc:
        progress.done()
        print(f"Synchronisation impossible : {exc}", file=sys.stderr)
        return 2
    finally:
        store.close()
    progress.done()
    print(f"Reçus : {fr_number(report.pulled)} ; envoyés : {fr_number(report.applied)} ; refusés : {fr_number(report.rejected)} ; "
          f"conflits : {fr_number(report.conflicts)} ; curseur : {fr_number(report.cursor)}")
    for notice in report.notices:  # the retention purge's report
        print(notice)
    for warning in report.warnings:  # records skipped or out of scope, a copy that differs: said, not hidden
        print(f"Attention : {warning}", file=sys.stderr)
    if report.audit_alert:
        print(report.audit_alert, file=sys.stderr)
        return 1
    return 0


# The progress lines use the words of the final summary (« Envoyés : 5 », « Reçus : 1 200 »).
SYNC_PHASES = {"envoi": "Envoyés", "réception": "Reçus"}


class _Progress:
    """One line rewritten in place on a terminal; whole lines (at most one per second) in a log."""

    def __init__(self) -> None:
        self.tty = sys.stderr.isatty()
        self.shown = False  # a terminal line is open
        self.last = float("-inf")
        self.unprinted = ""  # the newest line a log has not received yet

    def show(self, text: str) -> bool:
        import time

        if self.tty:
            print(f"\r{text}", end="", file=sys.stderr, flush=True)
            self.shown = True
        elif time.monotonic() - self.last >= 1.0:
            print(text, file=sys.stderr, flush=True)
            self.last, self.unprinted = time.monotonic(), ""
        else:
            self.unprinted = text
        return True

    def done(self) -> None:
        if self.shown:
            print(file=sys.stderr)
            self.shown = False
        if self.unprinted:
            print(self.unprinted, file=sys.stderr)
            self.unprinted = ""


@command("status", "modifications en attente, refusées, conflits, curseur, dernière synchronisation",
         lambda p: p.add_argument("--json", action="store_true", help="sortie JSON"))
def status(args: argparse.Namespace, profile: Profile) -> int:
    from aude_desktop.store.state import get_state
    from aude_desktop.sync.engine import CURSOR_KEY

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
        shown = {key: fr_number(value) for key, value in facts.items() if isinstance(value, int)}
        shown["last_sync"] = fr_datetime(st.last_sync) if st.last_sync else "—"
        for key in facts:
            print(f"{INFO_LABELS.get(key, 'Curseur')} : {shown[key]}")
    return 0


def _purge_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--months", type=int, help="durée de conservation en mois (par défaut : celle des paramètres)")
    parser.add_argument("--json", action="store_true", help="sortie JSON")


@command("purge", "retire de ce poste les dossiers et conventions clos au-delà de la durée de conservation "
                  "(ils restent sur le serveur)", _purge_options)
def purge(args: argparse.Namespace, profile: Profile) -> int:
    from datetime import date

    from aude_desktop.retention import purge_closed
    from aude_desktop.settings import Settings

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


def _deadlines_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("action", choices=("compute",), help="compute : calcule les dates")
    parser.add_argument("file", help="fichier JSON des événements datés (voir docs/cli.md), ou - pour l'entrée standard")


@command("deadlines", "calcule les dates légales d'une procédure à partir de ses événements (JSON)", _deadlines_options)
def deadlines(args: argparse.Namespace, profile: Profile) -> int:
    clock = _clock_of(read_json(args.file))
    print(json.dumps({
        "next_date": clock.next_date.isoformat() if clock.next_date else None,
        "next_label": clock.next_label, "days_left": clock.days_left, "status": clock.status,
        "status_label": clock.status_label, "history": list(clock.history), "flags": list(clock.flags),
    }, ensure_ascii=False, indent=2))
    return 0


def _clock_of(spec):
    """The clock of a typed procedure (docs/cli.md), every field checked: ClockInputError in French."""
    from datetime import date

    from aude_desktop.rules import deadlines as d
    from aude_desktop.rules.reference import authorities

    if not isinstance(spec, dict):
        raise d.ClockInputError("Un objet JSON est attendu (procedure, events…).")

    def field(name: str, choices=None) -> str:
        value = spec.get(name)
        if not isinstance(value, str) or not value:
            raise d.ClockInputError(f"Champ « {name} » manquant ou vide.")
        if choices is not None and value not in choices:
            raise d.ClockInputError(f"« {name} » inconnu : « {value[:40]} » ; valeurs possibles : {', '.join(choices)}.")
        return value

    today = d.iso_date(spec["today"], "« today »") if spec.get("today") is not None else date.today()
    procedure = field("procedure", ("aude", "eps", "lps"))
    if procedure == "aude":
        d.check_events(spec.get("events"), d.AUDE_EVENT_KINDS)
        return d.aude_clock(spec["events"], field("profession"), field("region"), today)
    if procedure == "lps":
        from aude_desktop.rules.lps import LPS_EVENT_KINDS, lps_clock

        d.check_events(spec.get("events"), LPS_EVENT_KINDS)
        return lps_clock(spec["events"], field("profession"), field("region"), today)
    d.check_events(spec.get("events"), d.EPS_EVENT_KINDS)
    regime, authority = field("regime", d.EPS_CLOCK_REGIMES), field("authority")
    if authority not in authorities():
        raise d.ClockInputError(f"Autorité inconnue : « {authority[:40]} » (codes de resources/rules/authorities.json, ex. ARS-OCC).")
    octroi = d.iso_date(spec["octroi_on"], "« octroi_on »") if spec.get("octroi_on") is not None else None
    return d.eps_clock(spec["events"], regime, authority, bool(spec.get("urgent")), octroi, today)


def _dossiers_options(parser: argparse.ArgumentParser) -> None:
    from aude_desktop.dossiers.queue import DEADLINE_FILTERS
    from aude_desktop.dossiers.states import DossierState

    parser.add_argument("action", choices=("list", "create"), metavar="list|create",
                        help="list : liste les dossiers ; create FICHIER.json : enregistre une demande (voir docs/cli.md)")
    parser.add_argument("file", nargs="?", metavar="FICHIER.json", help="create : la demande au format JSON, ou - pour l'entrée standard")
    from aude_desktop.dossiers.lps import LPS_STATES

    states = [s.value for s in DossierState] + list(LPS_STATES)
    parser.add_argument("--state", action="append", choices=states, metavar="ÉTAT", help="état (répétable) : " + ", ".join(states))
    parser.add_argument("--route", default="", choices=("lps",), metavar="PROCÉDURE",
                        help="lps : les déclarations de libre prestation de services seulement")
    parser.add_argument("--profession", default="", metavar="CODE", help="code de la profession (ex. infirmier)")
    parser.add_argument("--deadline", default="", choices=[k for k in DEADLINE_FILTERS if k], metavar="ÉCHÉANCE", help="overdue, soon, later ou notification (notification à saisir)")
    parser.add_argument("--search", default="", metavar="TEXTE", help="texte recherché (nom, référence, diplôme, pays ; sans accents)")
    parser.add_argument("--assigned-to", default="", metavar="AGENT", help="identifiant de l'agent")
    parser.add_argument("--limit", type=non_negative_int, default=0, metavar="N", help="nombre maximal de lignes (0 : toutes)")
    parser.add_argument("--json", action="store_true", help="sortie JSON (une liste d'objets)")


@command("dossiers", "liste les dossiers de la copie locale (filtres de la file de travail)", _dossiers_options)
def dossiers(args: argparse.Namespace, profile: Profile) -> int:

    from aude_desktop.dossiers import queue
    from aude_desktop.rules.reference import professions

    if args.action == "create":
        return _create_dossier(args, profile)
    if args.file:
        raise InputError(f"list ne prend pas de fichier (« {args.file} ») : voulez-vous dire « dossiers create » ?")
    if args.profession and args.profession not in professions():
        raise InputError(f"--profession : code inconnu « {args.profession} » ; codes possibles : {', '.join(sorted(professions()))}.")
    f = queue.QueueFilter(text=args.search, states=tuple(args.state or ()), profession=args.profession,
                          deadline=args.deadline, assigned_to=args.assigned_to, route=args.route)
    rows, total = _queue_rows(profile, queue, f, args.limit)
    return _print_rows(rows, total, args.json, "dossier(s)", lambda r: {
        "id": r.id, "reference": r.reference, "name": r.name, "profession": r.profession, "nos": r.nos, "state": r.state,
        "received_on": r.received_on.isoformat(), "next_due_on": r.next_due_on.isoformat() if r.next_due_on else None,
        "deadline": r.deadline, "deadline_status": r.deadline_status}, lambda r: r.name)


def _print_rows(rows: list, total: int, as_json: bool, noun: str, as_dict, who) -> int:
    """A queue's rows as JSON objects, or one tab-separated line each and the count on stderr."""
    if as_json:
        print(json.dumps([as_dict(r) for r in rows], ensure_ascii=False, indent=2))
    else:
        for r in rows:
            print(f"{r.reference}\t{r.state}\t{r.deadline}\t{who(r)}")
        print(f"{len(rows)} {noun} sur {total}", file=sys.stderr)
    return 0


def _transfer_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--dossier", required=True, metavar="ID", help="identifiant ou référence du dossier")
    parser.add_argument("--region", required=True, metavar="CODE", help="code de la région compétente (ex. IDF)")
    parser.add_argument("--reason", required=True, metavar="MOTIF", help="motif du transfert (conservé avec le dossier)")


@command("transfer", "transfère un dossier à la région compétente (il quitte votre région à la synchronisation)", _transfer_options)
def transfer(args: argparse.Namespace, profile: Profile) -> int:
    from sqlalchemy import or_, select

    from aude_desktop.auth.actor import local_actor
    from aude_desktop.domain.commands import CommandRejected
    from aude_desktop.dossiers.models import Dossier
    from aude_desktop.rules.reference import regions
    from aude_desktop.store.database import open_store
    from aude_desktop.workspace import Workspace

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
            Workspace(store).run(actor, "dossier.move_region", {"id": found.id, "region": args.region, "reason": args.reason})
        except CommandRejected as exc:
            print(f"Erreur : {exc.message}", file=sys.stderr)
            return 2
    finally:
        store.close()
    print(f"Dossier {found.reference} transféré à la région {regions()[args.region].label} ; "
          "il quittera ce poste à la prochaine synchronisation (aude-cli sync).")
    return 0


def _queue_rows(profile: Profile, queue, f, limit: int) -> tuple[list, int]:
    """The rows of a queue (dossiers or conventions module) in its order, `limit` at most (0: all), and the total."""
    from datetime import date

    from aude_desktop.store.database import open_store

    today = date.today()
    store = open_store(profile, database_key(profile))
    try:
        with store.session() as s:
            total = queue.count(s, f, today)
            wanted = min(total, limit) if limit > 0 else total
            rows: list = []
            while len(rows) < wanted:
                page = queue.page(s, f, today, offset=len(rows), limit=min(1000, wanted - len(rows)), total=total)
                if not page:
                    break
                rows.extend(page)
    finally:
        store.close()
    return rows, total


def _signed_in_actor(store, profile: Profile, what: str):
    from aude_desktop.auth.actor import local_actor

    actor = local_actor(store, Settings.load(profile.settings_path).last_user)
    if actor is None or actor.role != "agent_dreets":
        raise InputError(f"Connectez-vous une première fois sur ce poste avec un compte d'agent DREETS (aude-cli login) pour {what}.")
    return actor


def _create_dossier(args: argparse.Namespace, profile: Profile) -> int:
    """The Nouveau dossier window's rules on a JSON file: the same French refusals, nothing half-written."""
    from datetime import date

    from aude_desktop.dossiers import filing, intake
    from aude_desktop.store.database import open_store

    if not args.file:
        raise InputError("create demande le fichier de la demande : aude-cli dossiers create FICHIER.json (voir docs/cli.md).")
    values = read_json(args.file)
    if not isinstance(values, dict):
        raise InputError("Un objet JSON (la demande) est attendu ; champs possibles : " + ", ".join(intake.LABELS) + ".")
    store = open_store(profile, database_key(profile))
    try:
        actor = _signed_in_actor(store, profile, "enregistrer un dossier")
        born = intake.parse_date(str(values.get("birth_date") or ""))
        with store.session() as s:
            duplicates = intake.local_duplicates(s, str(values.get("last_name") or ""), values.get("usage_name"),
                                                 values.get("first_names"), born) if born else []
        try:
            dossier_id, payload, codes = filing.build(values, date.today(), duplicates=duplicates, agent_region=actor.region)
            with store.session() as s:
                intake.register(s, actor, dossier_id, payload, codes)
        except CommandRejected as exc:
            raise InputError(exc.message) from None
    finally:
        store.close()
    print(payload["reference"])
    notice = intake.screening_notice(values)
    if notice:
        print(f"Proposition : {notice}", file=sys.stderr)
    print(f"Dossier enregistré sous la référence provisoire {payload['reference']} (id {dossier_id}) ; "
          "la référence définitive sera attribuée à la prochaine synchronisation.", file=sys.stderr)
    return 0


def resolve_record(store, kind: str, value: str) -> str:
    """An id (UUID) or a reference, as typed after --dossier or --convention; InputError otherwise."""
    import uuid as _uuid

    from sqlalchemy import select

    from aude_desktop.conventions.models import Convention
    from aude_desktop.dossiers.models import Dossier

    model, noun = (Dossier, "dossier") if kind == "dossier" else (Convention, "convention")
    with store.session() as s:
        try:
            record_id = str(_uuid.UUID(value))
            found = s.get(model, record_id) is not None
        except ValueError:
            record_id = s.scalar(select(model.id).where(model.reference == value.strip()))
            found = record_id is not None
    if not found:
        raise InputError(f"--{kind} : aucun(e) {noun} « {value} » sur ce poste (identifiant ou référence ; synchronisez d'abord ?).")
    return record_id


def _pieces_options(parser: argparse.ArgumentParser) -> None:
    from aude_desktop.rules.pieces import piece_codes

    codes = piece_codes()
    parser.add_argument("action", choices=("attach", "split"), metavar="attach|split",
                        help="attach : joint des fichiers numérisés à des pièces ; split : découpe un PDF de plusieurs pages sur plusieurs pièces")
    parser.add_argument("files", nargs="+", metavar="FICHIER",
                        help="attach : PDF, JPEG ou PNG (20 Mo au plus), un par --piece, dans l'ordre ; split : un seul PDF")
    parser.add_argument("--dossier", required=True, metavar="RÉF|ID", help="référence ou identifiant du dossier")
    parser.add_argument("--piece", action="append", required=True, metavar="CODE|CODE=PAGES",
                        help=f"attach : code de la pièce ({codes[0]} à {codes[-1]}), répétable, le n-ième fichier va à la n-ième pièce ; "
                             "split : CODE=PAGES, par exemple c=1-2 ou d=3,5 (répétable)")


@command("pieces", "joint des fichiers numérisés aux pièces d'un dossier (envoyés à la prochaine synchronisation)", _pieces_options)
def pieces(args: argparse.Namespace, profile: Profile) -> int:
    from aude_desktop.dossiers import scans

    if args.action == "split":
        return _split_scan(args, profile)
    if len(args.piece) != len(args.files):
        raise InputError(f"{len(args.files)} fichier(s) pour {len(args.piece)} pièce(s) : un fichier par --piece, dans l'ordre.")
    try:
        for path in args.files:  # every file checked before the first is kept: all or nothing
            if not Path(path).exists():
                raise InputError(f"Le fichier « {path} » est introuvable.")
            scans.check_file(Path(path))
    except CommandRejected as exc:
        raise InputError(exc.message) from None
    with _dossier_work(profile, args.dossier) as (store, actor, dossier_id):
        for code, path in zip(args.piece, args.files, strict=True):
            scans.attach(store, actor, dossier_id, code, Path(path))
            print(f"Pièce {code} : « {Path(path).name} » jointe.", file=sys.stderr)
    print(f"{len(args.files)} fichier(s) joint(s) ; envoi à la prochaine synchronisation.")
    return 0


def _split_scan(args: argparse.Namespace, profile: Profile) -> int:
    from aude_desktop.dossiers import scan_split

    if len(args.files) != 1:
        raise InputError(f"pieces split découpe un seul PDF à la fois ({len(args.files)} fichiers donnés).")
    path = Path(args.files[0])
    if not path.exists():
        raise InputError(f"Le fichier « {path} » est introuvable.")
    assignments: dict[str, str] = {}
    for item in args.piece:
        code, equals, pages = item.partition("=")
        if not equals or not code.strip() or not pages.strip():
            raise InputError(f"--piece « {item} » : écrivez CODE=PAGES, par exemple c=1-2 ou d=3,5.")
        if code.strip() in assignments:
            raise InputError(f"--piece : la pièce {code.strip()} est indiquée deux fois.")
        assignments[code.strip()] = pages
    try:
        scan_split.plan(path, assignments)  # checked before the store is opened
    except CommandRejected as exc:
        raise InputError(exc.message) from None
    with _dossier_work(profile, args.dossier) as (store, actor, dossier_id):
        parts = scan_split.split_onto_pieces(store, actor, dossier_id, path, assignments)
    for part in parts:
        print(f"Pièce {part.code} : pages {scan_split.page_label(part.pages)}.", file=sys.stderr)
    print(f"{len(parts)} pièce(s) reçue(s) depuis « {path.name} » ; envoi à la prochaine synchronisation.")
    return 0


@contextmanager
def _dossier_work(profile: Profile, dossier: str):
    """The store, the signed-in agent and the dossier named by --dossier; a refused command exits 2."""
    from aude_desktop.store.database import open_store

    store = open_store(profile, database_key(profile))
    try:
        actor = _signed_in_actor(store, profile, "joindre des pièces")
        yield store, actor, resolve_record(store, "dossier", dossier)
    except CommandRejected as exc:
        raise InputError(exc.message) from None
    finally:
        store.close()


def _conventions_options(parser: argparse.ArgumentParser) -> None:
    from aude_desktop.conventions.queue import DEADLINE_FILTERS
    from aude_desktop.conventions.states import ConventionState, Regime

    parser.add_argument("action", choices=("list",), metavar="list", help="liste les conventions")
    parser.add_argument("--state", action="append", choices=[s.value for s in ConventionState], metavar="ÉTAT",
                        help="état (répétable) : " + ", ".join(s.value for s in ConventionState))
    parser.add_argument("--regime", default="", choices=[r.value for r in Regime], metavar="RÉGIME",
                        help="régime : " + ", ".join(r.value for r in Regime))
    parser.add_argument("--deadline", default="", choices=[k for k in DEADLINE_FILTERS if k], metavar="ÉCHÉANCE", help="overdue, soon ou later")
    parser.add_argument("--search", default="", metavar="TEXTE", help="texte recherché (référence, entreprise ; sans accents)")
    parser.add_argument("--limit", type=non_negative_int, default=0, metavar="N", help="nombre maximal de lignes (0 : toutes)")
    parser.add_argument("--json", action="store_true", help="sortie JSON (une liste d'objets)")


@command("conventions", "liste les conventions de la copie locale (filtres de la file de travail)", _conventions_options)
def conventions(args: argparse.Namespace, profile: Profile) -> int:
    from aude_desktop.conventions import queue

    f = queue.ConventionFilter(text=args.search, states=tuple(args.state or ()), regime=args.regime, deadline=args.deadline)
    rows, total = _queue_rows(profile, queue, f, args.limit)
    return _print_rows(rows, total, args.json, "convention(s)", lambda r: {
        "id": r.id, "reference": r.reference, "company": r.company, "regime": r.regime, "state": r.state,
        "filed_on": r.filed_on.isoformat(), "next_due_on": r.next_due_on.isoformat() if r.next_due_on else None,
        "deadline": r.deadline, "deadline_status": r.deadline_status}, lambda r: r.company)


def _eps_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("action", choices=("classify",), metavar="classify", help="classe une convention")
    parser.add_argument("file", help="convention au format JSON de l'API (voir docs/cli.md), ou - pour l'entrée standard")
    parser.add_argument("--on", type=iso_date, metavar="AAAA-MM-JJ",
                        help="seuils en vigueur à cette date (défaut : date de dépôt « filed_on » de la convention, "
                             "sinon aujourd'hui)")


@command("eps", "classe une convention d'avantages par les seuils (déclaration, autorisation, indéterminé)", _eps_options)
def eps(args: argparse.Namespace, profile: Profile) -> int:
    from datetime import date

    from aude_desktop.conventions.rulesets import (
        convention_rules_date,
        is_shipped,
        ruleset_in_force,
    )
    from aude_desktop.conventions.thresholds import check_classifiable, check_shape, classify

    convention = read_json(args.file)
    if not isinstance(convention, dict):
        raise InputError("Un objet JSON (la convention) est attendu.")
    if all(isinstance(a, dict) for a in convention.get("avantages") or []):
        _check_amounts(convention)
    check_shape(convention)
    on = args.on or convention_rules_date(convention) or date.today()
    rules = ruleset_in_force(_synced_rulesets(profile), on)
    check_classifiable(convention, rules)
    result = classify(convention, rules)
    print(json.dumps({"regime": result.regime, "explanation": result.lines, "hors_regime": result.hors_regime,
                      "ruleset": {"version": rules.version, "text": rules.text, "effective_from": rules.effective_from,
                                  "on": on.isoformat(), "source": "application" if is_shipped(rules) else "publié"}},
                     ensure_ascii=False, indent=2))
    return 0


def _synced_rulesets(profile: Profile) -> list[dict]:
    """The rulesets this profile received at sync; none without a local copy (the shipped file
    then decides alone). Never creates a database nor a key just to classify."""
    if not profile.database_path.exists():
        return []
    from aude_desktop.conventions.rulesets import local_published

    store = _store(profile)
    try:
        with store.session() as s:
            return local_published(s)
    finally:
        store.close()


def _check_amounts(convention: dict) -> None:
    from decimal import Decimal, InvalidOperation

    for a in convention.get("avantages") or []:
        raw = str(a.get("amount"))
        try:
            amount = Decimal(raw)
        except InvalidOperation:
            raise InputError(f"Avantage « {a.get('id')} » : montant non numérique « {raw} ».") from None
        if not amount.is_finite() or amount < 0 or amount.as_tuple().exponent < -2:
            raise InputError(f"Avantage « {a.get('id')} » : montant « {raw} » invalide (euros positifs, deux décimales au plus).")


def _letters_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("action", choices=("render", "batch", "list", "notify"), metavar="render|batch|list|notify",
                        help="render : un courrier ; batch : le même courrier pour plusieurs dossiers ou conventions ; "
                             "list : les courriers d'un dossier ou d'une convention ; notify : date de notification d'une décision")
    parser.add_argument("--kind", metavar="TYPE", help="render, batch : type de courrier, ex. accuse_reception, decision_refus, refus…")
    target = parser.add_mutually_exclusive_group()
    target.add_argument("--dossier", nargs="+", metavar="RÉF|ID", help="référence(s) ou identifiant(s) de dossier")
    target.add_argument("--convention", nargs="+", metavar="RÉF|ID", help="référence(s) ou identifiant(s) de convention")
    parser.add_argument("--out", metavar="FICHIER.pdf", help="render : fichier PDF à écrire")
    parser.add_argument("--out-dir", metavar="DOSSIER", help="batch : dossier où écrire les PDF (nommés par référence)")
    parser.add_argument("--confirmer-hors-delai", action="store_true", dest="confirm_late",
                        help="render, batch : émettre même après le délai légal du courrier (l'effet en droit est affiché)")
    parser.add_argument("--letter", metavar="ID", help="notify : identifiant du courrier (voir « letters list »)")
    parser.add_argument("--date", metavar="AAAA-MM-JJ", help="notify : date de distribution de la LRAR ou de lecture")
    parser.add_argument("--mode", choices=("lrar", "electronique"), metavar="lrar|electronique",
                        help="notify : lettre recommandée (lrar) ou notification électronique")
    parser.add_argument("--json", action="store_true", help="list : sortie JSON")


def _letters_usage(args: argparse.Namespace) -> str | None:
    """The French reason these options do not make a request for this action, or None."""
    if args.action in ("render", "batch"):
        if not args.kind or not (args.dossier or args.convention):
            return f"{args.action} demande --kind TYPE et --dossier ID… ou --convention ID…."
        if args.action == "render" and (len(args.dossier or args.convention) != 1 or not args.out):
            return "render prend un seul identifiant et --out FICHIER.pdf."
        if args.action == "batch" and not args.out_dir:
            return "batch demande --out-dir DOSSIER."
    if args.action == "list" and len(args.dossier or args.convention or []) != 1:
        return "list prend un seul identifiant : --dossier ID ou --convention ID."
    if args.action == "notify" and not (args.letter and args.date and args.mode):
        return "notify demande --letter ID, --date AAAA-MM-JJ et --mode lrar|electronique."
    return None


@command("letters", "émet et enregistre des courriers (PDF) ; une réémission rend le courrier enregistré ; "
                    "saisit la date de notification d'une décision", _letters_options)
def letters(args: argparse.Namespace, profile: Profile) -> int:
    from datetime import date
    from pathlib import Path

    from aude_desktop.auth.actor import local_actor
    from aude_desktop.letters import compose
    from aude_desktop.letters.templates import templates
    from aude_desktop.store.database import open_store
    from aude_desktop.workspace import Workspace

    problem = _letters_usage(args)
    procedure, ids = ("aude", args.dossier) if args.dossier else ("eps", args.convention)
    if problem is None and args.action in ("render", "batch") and args.kind not in templates(procedure):
        problem = f"type de courrier inconnu « {args.kind} » ; possibles : {', '.join(sorted(templates(procedure)))}."
    notified_on = None
    if problem is None and args.action == "notify":
        try:
            notified_on = date.fromisoformat(args.date)
        except ValueError:
            problem = f"date de notification invalide « {args.date} » (format AAAA-MM-JJ)."
    if problem:
        print(f"Erreur : {problem}", file=sys.stderr)
        return 2
    from aude_desktop.cli_errors import check_output_file

    if args.action == "render":
        check_output_file(args.out, suffixes=(".pdf",))
    elif args.action == "batch" and Path(args.out_dir).exists() and not Path(args.out_dir).is_dir():
        raise InputError(f"--out-dir : « {args.out_dir} » est un fichier ; un dossier est attendu.")
    settings = Settings.load(profile.settings_path)
    store = open_store(profile, database_key(profile))
    try:
        if ids:  # a reference as well as an id; unknown ones are refused item by item with the letter's own words
            ids = [_id_of(store, "dossier" if procedure == "aude" else "convention", value) for value in ids]
        if args.action == "list":
            return _list_letters(store, procedure, ids[0], args.json)
        actor = local_actor(store, settings.last_user)
        if actor is None:
            print("Erreur : connectez-vous une première fois sur ce poste (aude-cli login) pour émettre des courriers.", file=sys.stderr)
            return 2
        if args.action == "notify":
            return _notify_letter(store, actor, args.letter, notified_on, args.mode)
        try:  # refused before any letter: the whole batch would be refused for the same reason
            Workspace(store).check_sender(actor, settings)
        except compose.LetterNotApplicable as exc:
            print(f"Erreur : {exc}", file=sys.stderr)
            return 2
        return _issue_letters(store, actor, settings, procedure, args, ids)
    finally:
        store.close()


def _id_of(store, kind: str, value: str) -> str:
    try:
        return resolve_record(store, kind, value)
    except InputError:
        return value


def _list_letters(store, procedure: str, record_id: str, as_json: bool) -> int:
    from aude_desktop.letters import register

    lines = register.letters_of(store, procedure, record_id)
    if as_json:
        print(json.dumps([{"id": x.letter_id, "reference": x.reference, "title": x.title, "issued_on": x.issued_on.isoformat(),
                           "status": x.status, "notification": x.notification or None} for x in lines], ensure_ascii=False, indent=2))
        return 0
    for x in lines:
        print(f"{x.letter_id}  {x.reference}  {x.issued_on.isoformat()}  {x.title} — {x.status}"
              + (f" — {x.notification}" if x.notification else ""))
    if not lines:
        print("Aucun courrier enregistré pour cet identifiant sur ce poste.")
    return 0


def _notify_letter(store, actor, letter_id: str, notified_on, mode: str) -> int:
    from aude_desktop.domain.commands import CommandRejected
    from aude_desktop.rules.calendar import format_date_fr
    from aude_desktop.workspace import Workspace

    try:
        Workspace(store).notify_letter(actor, letter_id, notified_on, mode)
    except CommandRejected as exc:
        print(f"Erreur : {exc.message}", file=sys.stderr)
        return 2
    print(f"Notification du {format_date_fr(notified_on)} enregistrée ; elle sera transmise au serveur à la prochaine synchronisation.")
    return 0


def _issue_letters(store, actor, settings, procedure: str, args: argparse.Namespace, ids: list[str]) -> int:
    from datetime import date
    from pathlib import Path

    from aude_desktop.letters import compose, register
    from aude_desktop.workspace import Workspace

    workspace = Workspace(store)
    failures = late = 0
    for n, record_id in enumerate(ids, start=1):
        try:
            issued = workspace.issue_letter(actor, settings, procedure, args.kind, record_id, date.today(),
                                            confirm_late=args.confirm_late)
        except register.LateIssueUnconfirmed as exc:
            late += 1
            print(f"{record_id} : non émis — {exc}\nPour l'émettre quand même, relancez avec --confirmer-hors-delai.", file=sys.stderr)
            continue
        except compose.LetterNotApplicable as exc:
            failures += 1
            print(f"{record_id} : refusé — {exc}", file=sys.stderr)
            continue
        target = Path(args.out) if args.action == "render" else Path(args.out_dir) / f"{issued.reference}.pdf"
        target.parent.mkdir(parents=True, exist_ok=True)
        with output_file(target) as partial:
            partial.write_bytes(issued.pdf)
        state = "réémis (courrier enregistré)" if issued.reissued else "émis et enregistré"
        print(f"[{n}/{len(ids)}] {record_id} : {issued.reference} {state} → {target}", file=sys.stderr)
        if issued.warning:
            print(f"Attention : {issued.warning}", file=sys.stderr)
    print(f"{len(ids) - failures - late} courrier(s) écrit(s), {failures} refusé(s)"
          + (f", {late} hors délai non émis" if late else "") + ".")
    if late and not failures and late == len(ids):
        return 2  # nothing issued: the confirmation flag is what is missing
    return 0 if failures == 0 and late == 0 else 1


def _epreuves_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("action", choices=("list", "create", "convoke", "cancel"), metavar="list|create|convoke|cancel",
                        help="list : sessions de la région ; create : nouvelle session ; convoke : convoquer des demandeurs ; cancel : annuler")
    parser.add_argument("--session", metavar="ID", help="convoke, cancel : identifiant de la session")
    parser.add_argument("--profession", metavar="CODE", help="create : profession (ex. infirmier)")
    parser.add_argument("--date", metavar="AAAA-MM-JJ", help="create : date de l'épreuve")
    parser.add_argument("--time", metavar="HH:MM", help="create : heure de convocation")
    parser.add_argument("--address", metavar="ADRESSE", help="create : lieu de l'épreuve")
    parser.add_argument("--capacity", type=positive_int, metavar="N", help="create : nombre de places")
    parser.add_argument("--bring", metavar="TEXTE", help="create : ce que le candidat apporte (imprimé sur la convocation)")
    parser.add_argument("--dossier", nargs="+", metavar="ID", help="convoke : dossier(s) à convoquer")
    parser.add_argument("--reason", metavar="TEXTE", help="cancel : motif de l'annulation")
    parser.add_argument("--json", action="store_true", help="list : sortie JSON")


@command("epreuves", "sessions de l'épreuve d'aptitude : liste, création, convocation des demandeurs, annulation", _epreuves_options)
def epreuves(args: argparse.Namespace, profile: Profile) -> int:
    from aude_desktop.auth.actor import local_actor
    from aude_desktop.domain.commands import CommandRejected
    from aude_desktop.dossiers import epreuves as sessions
    from aude_desktop.letters.notification import uuid_arg
    from aude_desktop.store.database import open_store
    from aude_desktop.workspace import Workspace

    needed = {"create": ("profession", "date", "time", "address", "capacity"), "convoke": ("session", "dossier"),
              "cancel": ("session",)}.get(args.action, ())
    missing = [f"--{name}" for name in needed if getattr(args, name) in (None, [])]
    if missing:
        print(f"Erreur : {args.action} demande {', '.join(missing)}.", file=sys.stderr)
        return 2
    try:
        for value in [args.session, *(args.dossier or [])]:
            if value is not None:
                uuid_arg(value, "Identifiant")
    except CommandRejected as exc:
        print(f"Erreur : {exc.message}", file=sys.stderr)
        return 2
    from aude_desktop.rules.reference import professions

    if args.profession is not None and args.profession not in professions():
        print(f"Erreur : profession inconnue « {args.profession} » ; possibles : {', '.join(sorted(professions()))}.",
              file=sys.stderr)
        return 2
    if args.action == "create":
        from datetime import date, time

        problem = None
        try:
            date.fromisoformat(args.date)
        except ValueError:
            problem = problem or f"date de l'épreuve invalide « {args.date} » (format AAAA-MM-JJ)."
        try:
            if len(args.time) != 5:
                raise ValueError
            time.fromisoformat(args.time)
        except ValueError:
            problem = problem or f"heure de convocation invalide « {args.time} » (format HH:MM)."
        if problem:
            print(f"Erreur : {problem}", file=sys.stderr)
            return 2
    settings = Settings.load(profile.settings_path)
    store = open_store(profile, database_key(profile))
    try:
        actor = local_actor(store, settings.last_user)
        run_command = Workspace(store).run
        if args.action == "list":
            with store.session() as s:
                lines = sessions.sessions(s, actor.region if actor and actor.role == "agent_dreets" else None)
            if args.json:
                print(json.dumps([{"id": x.id, "session_on": x.session_on.isoformat(), "starts_at": x.starts_at, "address": x.address,
                                   "capacity": x.capacity, "convened": x.convened, "cancelled": x.cancelled} for x in lines],
                                 ensure_ascii=False, indent=2))
            for x in [] if args.json else lines:
                print(f"{x.id}  {x.label} — {x.address} — convocations : {x.convened} sur {x.capacity} places")
            return 0
        if actor is None:
            print("Erreur : connectez-vous une première fois sur ce poste (aude-cli login).", file=sys.stderr)
            return 2
        if args.action == "create":
            session_id = run_command(actor, "epreuve.create", {"payload": {
                "profession": args.profession, "region": actor.region, "session_on": args.date, "starts_at": args.time,
                "address": args.address, "capacity": args.capacity, "bring": args.bring}})
            print(f"Session créée : {session_id}")
            return 0
        if args.action == "cancel":
            run_command(actor, "epreuve.cancel", {"id": args.session, "reason": args.reason})
            print("Session annulée.")
            return 0
        refused = 0
        for dossier_id in args.dossier:
            try:
                run_command(actor, "epreuve.convoke", {"id": args.session, "dossier_id": dossier_id})
                print(f"{dossier_id} : convocation enregistrée.")
            except CommandRejected as exc:
                refused += 1
                print(f"{dossier_id} : refusé — {exc.message}", file=sys.stderr)
        return 0 if refused == 0 else 1
    except CommandRejected as exc:
        print(f"Erreur : {exc.message}", file=sys.stderr)
        return 2
    finally:
        store.close()


LETTER_OPTIONS = (  # (option, setting, help)
    ("--service", "service_name", "nom du service, ex. « Pôle autorisations d'exercice »"),
    ("--address", "service_address", "adresse postale du service ; « ; » sépare les lignes"),
    ("--phone", "service_phone", "téléphone du service"),
    ("--email", "service_email", "courriel du service"),
    ("--hours", "service_hours", "horaires d'ouverture, ex. « du lundi au vendredi, de 9 h à 12 h »"),
    ("--officer-quality", "officer_position", "qualité de l'agent chargé du dossier (son nom vient du compte connecté)"),
    ("--officer-phone", "officer_phone", "ligne directe de l'agent (facultatif)"),
    ("--officer-email", "officer_email", "courriel direct de l'agent (facultatif)"),
    ("--quality", "signatory_position", "qualité du signataire, ex. « Directrice régionale adjointe »"),
    ("--delegation", "signature_delegation", "« délégation » ou « subdélégation »"),
    ("--court", "recours_court", "juridiction des voies de recours, si le service en retient une autre que les règles"),
    ("--signature-image", "signature_image", "image PNG ou JPEG de la signature (facultatif)"),
)


def _settings_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("section", choices=("letters",), metavar="letters", help="letters : en-tête et signataire des courriers")
    parser.add_argument("--show", action="store_true", help="affiche les paramètres et ce qui manque pour émettre")
    parser.add_argument("--signatory", metavar="« Prénom NOM »", help="prénom et NOM du signataire, ex. « Claire MARTIN »")
    for option, _key, help_text in LETTER_OPTIONS:
        parser.add_argument(option, metavar="TEXTE", help=help_text)


@command("settings", "paramètres des courriers : en-tête du service, agent chargé du dossier, signataire (--show pour voir)",
         _settings_options)
def settings_command(args: argparse.Namespace, profile: Profile) -> int:
    from dataclasses import replace

    from aude_desktop.letters import sender
    from aude_desktop.settings import SettingsError

    settings = Settings.load(profile.settings_path)
    changes = {key: getattr(args, option[2:].replace("-", "_")).strip()
               for option, key, _help in LETTER_OPTIONS if getattr(args, option[2:].replace("-", "_")) is not None}
    if args.signatory is not None:
        try:
            changes["signatory_first_name"], changes["signatory_last_name"] = sender.split_name(args.signatory)
        except ValueError as exc:
            print(f"Erreur : {exc}", file=sys.stderr)
            return 2
    if not changes and not args.show:
        print("Erreur : indiquez au moins un paramètre (ex. --address « … ») ou --show.", file=sys.stderr)
        return 2
    if changes:
        settings = replace(settings, **changes)
        try:
            settings.save(profile.settings_path)
        except SettingsError as exc:
            print(f"Erreur : {exc}", file=sys.stderr)
            return 2
        print(f"{len(changes)} paramètre(s) de courrier enregistré(s).", file=sys.stderr)
    if args.show:
        labels = {key: label for key, label, _o in sender.REQUIRED}
        for option, key, _help in (("--signatory", "signatory_first_name", ""), ("--signatory", "signatory_last_name", ""),
                                   *LETTER_OPTIONS):
            print(f"{labels.get(key, key)} ({option}) : {getattr(settings, key) or '—'}")
        gaps = sender.missing(settings, "x")  # the case officer's name comes from the account at issue time
        print("Courriers : prêts à être émis." if not gaps else f"Courriers refusés tant que manquent : {' ; '.join(gaps)}.")
    return 0


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
    print("\n".join(_stats_lines(figures)))
    return 0


def _stats_lines(figures: dict) -> list[str]:
    """The overview as a French reader expects it: names, grouped thousands, days, months."""
    from datetime import date

    from aude_desktop.rules.calendar import MONTHS_FR, format_date_fr
    from aude_desktop.rules.reference import authorities, regions

    def days(value) -> str:
        return "—" if value is None else f"{value:.0f} j".replace(".", ",")

    def name(table: dict, code: str) -> str:
        return table[code].label if code in table else code

    lines = [f"Vue d'ensemble au {format_date_fr(date.fromisoformat(figures['today']))}"]
    implicit = "décision(s) implicite(s) sans décision expresse"
    for title, groups, table, monthly, silence in (
        ("Dossiers par région", figures["aude"]["by_region"], regions(), figures["aude"]["monthly"], implicit),
        # Counted apart: the libre prestation de services declarations (their silence lets the service go ahead).
        ("Déclarations de libre prestation de services (LPS) par région", figures["lps"]["by_region"], regions(),
         figures["lps"]["monthly"], "prestation(s) possible(s) faute de réponse dans le délai"),
        ("Conventions par autorité", figures["eps"]["by_authority"], authorities(), figures["eps"]["monthly"], implicit),
    ):
        lines.append(title)
        for key, g in sorted(groups.items(), key=lambda kv: name(table, kv[0])):
            lines.append(f"  {name(table, key)} : {fr_number(g['total'])} dont {fr_number(g['open'])} en cours, "
                         f"{fr_number(g['overdue'])} en retard, {fr_number(g['due_soon'])} à échéance sous 15 jours, "
                         f"{fr_number(g['implicit'])} {silence} ; "
                         f"délai de traitement médian {days(g['median_days'])}, 90e centile {days(g['p90_days'])}"
                         + (f" ; {fr_number(g.get('out_of_scope', 0))} clos hors champ (reconnaissance automatique), "
                            f"{fr_number(g.get('partial_access', 0))} accès partiel" if table is regions() else ""))
        lines.append("  Flux mensuels (entrées / sorties) :")
        for m in monthly[-12:]:
            year, month = (int(x) for x in m["month"].split("-"))
            lines.append(f"    {MONTHS_FR[month - 1]} {year} : {fr_number(m['inflow'])} / {fr_number(m['outflow'])}")
    return lines


def _export_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--queue", required=True, metavar="NOM", help="nom d'une file enregistrée, ex. « Échéance sous 15 jours »")
    parser.add_argument("--conventions", action="store_true", help="une file de conventions (par défaut : de dossiers)")
    parser.add_argument("--format", required=True, choices=("csv", "xlsx"), metavar="csv|xlsx", help="csv ou xlsx (l'extension du fichier doit correspondre)")
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
    chosen = next((q for q in saved if _loose(q.name) == _loose(args.queue)), None)
    if chosen is None:
        print(f"Erreur : file inconnue « {args.queue} » ; files possibles : {' ; '.join(q.name for q in saved)}.", file=sys.stderr)
        return 2
    with output_file(args.out, suffixes=(f".{args.format}",)) as partial:
        store = open_store(profile, database_key(profile))
        progress = _Progress()
        try:
            count = exporting.write(partial, args.format, chosen.name, exporting.describe(chosen.filter), exporting.headers_of(source),
                                    exporting.queue_rows(store, source, chosen.filter, date.today()),
                                    on_progress=lambda n: progress.show(f"{fr_number(n)} ligne(s)"))
        finally:
            progress.done()
            store.close()
    print(f"{fr_number(count)} ligne(s) exportée(s) dans {args.out}.", file=sys.stderr)
    return 0


def _loose(name: str) -> str:
    """A queue name as typed: case, accents and the kind of apostrophe do not matter."""
    import unicodedata

    text = unicodedata.normalize("NFKD", name.replace("’", "'")).encode("ascii", "ignore").decode()
    return " ".join(text.casefold().split())


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


def _known_errors(exc: BaseException) -> tuple[str, int] | None:
    """aude-cli's own exceptions (their text is French): key problems exit 3, the rest 2."""
    from aude_desktop.conventions.thresholds import ConventionInputError, RulesetError
    from aude_desktop.rules.deadlines import ClockInputError
    from aude_desktop.settings import SettingsError

    if isinstance(exc, StoreKeyError):
        return _key_message(exc), 3
    if isinstance(exc, ApiError):
        return f"Connexion impossible : {exc}", 2
    if isinstance(exc, InputError | ClockInputError | ConventionInputError | RulesetError | SettingsError):
        return str(exc), 2
    return None


def _key_message(exc: StoreKeyError) -> str:
    from aude_desktop.store.keys import PASSPHRASE_ENV, KeyringUnavailable, PassphraseRequired

    if isinstance(exc, KeyringUnavailable | PassphraseRequired) and PASSPHRASE_ENV not in str(exc):
        return f"{exc} Sans terminal (script, service planifié), indiquez-la dans la variable d'environnement {PASSPHRASE_ENV}."
    return str(exc)


def _ask_passphrase(exc: StoreKeyError) -> bool:
    """On a terminal, a missing passphrase is asked (twice for a new profile); it then lives in this
    process's environment only, where `database_key` looks for it. False when nobody can type it."""
    import getpass
    import os

    from aude_desktop.store.keys import PASSPHRASE_ENV, KeyringUnavailable, PassphraseRequired

    if not isinstance(exc, KeyringUnavailable | PassphraseRequired) or os.environ.get(PASSPHRASE_ENV):
        return False
    if sys.stdin is None or sys.stdin.closed or not sys.stdin.isatty():
        return False
    print(exc, file=sys.stderr)
    first = getpass.getpass("Phrase de passe de la base locale : ")
    if isinstance(exc, KeyringUnavailable) and getpass.getpass("Confirmation : ") != first:
        raise InputError("Les deux saisies de la phrase de passe diffèrent ; rien n'a été créé.")
    os.environ[PASSPHRASE_ENV] = first
    return True


def main(argv: list[str] | None = None) -> int:
    from aude_desktop.cli_errors import run

    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # usage errors (2), --help and --version (0): a code, as for the handlers
        return exc.code if isinstance(exc.code, int) else 2
    if not args.command:
        parser.print_help()
        return 0

    def handle() -> int:
        profile = _profile(args)
        try:
            return COMMANDS[args.command][2](args, profile)
        except StoreKeyError as exc:  # raised when the store opens, before anything is written
            if not _ask_passphrase(exc):
                raise
            return COMMANDS[args.command][2](args, profile)

    return run(handle, known=_known_errors)


if __name__ == "__main__":
    raise SystemExit(main())
