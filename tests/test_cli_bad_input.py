"""Every `aude-cli` and `aude-central` subcommand, found in their argparse parsers (a new subcommand
is covered without editing this file), run with bad input: missing, binary, malformed or folder
files, unknown values, negative numbers, a closed standard input, a bad or unreachable database,
a server that is down. Each must exit non-zero (2 for usage and input errors) with a French message
on stderr, no traceback, no raw Python or English error text, and leave nothing half-written.

In-process calls of main() (fast); subprocesses only for what needs a real process (closed file
descriptor, broken pipe, busy port)."""

from __future__ import annotations

import argparse
import io
import os
import re
import shutil
import socket
import subprocess
import sys
import uuid
from dataclasses import dataclass, field
from datetime import UTC
from pathlib import Path

import pytest

from aude_desktop import cli as aude_cli
from aude_desktop.cli_errors import non_negative_int, port_number, positive_int
from central_api import cli as central_cli

BIN = Path(sys.executable).parent
PASSPHRASE = "phrase de passe des essais"
FORBIDDEN = re.compile(
    r"Traceback|Errno|Expecting value|codec|isoformat|IntegrityError|OperationalError|\{'|\bdict\b|"
    r"\berror:|\busage:|\binvalid\b|No such file|Permission denied|Is a directory|Exception|object has no|"
    r"\bmust be\b|\bnot found\b|\bexpected\b",
)
FRENCH = re.compile(r"[éèêàâçùôî«»]|\b(?:le|la|les|du|des|un|une|est|pas|inconnue?|erreur|utilisation|valeur|demande|"
                    r"obligatoires?|manquants?|fichier|dossier|introuvable|impossible)\b", re.IGNORECASE)
FRENCH_INT_TYPES = (positive_int, non_negative_int, port_number)
# int options where a negative number means something (a generator's seed)
NEGATIVE_ALLOWED = {("aude-central", "seed"), ("aude-central", "serve:seed")}
# option values that must be one of a known list: an unknown one is refused with exit 2
CODE_OPTIONS = {"profession", "kind", "queue", "region", "authority", "siren", "role"}
INPUT_NAMES = {"file"}
OUTPUT_FILE_NAMES = {"out"}
# never mutated: would look a name up outside the loopback (DNS), or has no wrong value
UNTOUCHED = {"host", "search", "assigned_to", "name", "subject", "login", "company"}


@pytest.fixture(autouse=True)
def loopback_only(monkeypatch):
    """Subcommands added later may fetch from the Internet by default: here nothing leaves 127.0.0.1."""
    real_getaddrinfo, real_connect = socket.getaddrinfo, socket.socket.connect

    def local(host) -> bool:
        return host in ("localhost", "127.0.0.1", "::1", None) or str(host).startswith("127.")

    def getaddrinfo(host, *args, **kw):
        if not local(host):
            raise socket.gaierror(socket.EAI_NONAME, "hors boucle locale pendant les essais")
        return real_getaddrinfo(host, *args, **kw)

    def connect(sock, address):
        if sock.family in (socket.AF_INET, socket.AF_INET6) and not local(address[0]):
            raise ConnectionRefusedError("hors boucle locale pendant les essais")
        return real_connect(sock, address)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    monkeypatch.setattr(socket.socket, "connect", connect)


@dataclass
class Case:
    tool: str
    argv: list[str]
    what: str
    expect: int | None = 2  # None: any non-zero
    stdin: object = None
    outputs: list[Path] = field(default_factory=list)


def _walk(parser: argparse.ArgumentParser, path: tuple[str, ...] = ()):
    """(path of subcommand names, its parser) for every leaf subcommand, nested ones included."""
    subs = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    if not subs:
        if path:
            yield path, parser
        return
    for name, sub in subs[0].choices.items():
        yield from _walk(sub, (*path, name))


def subcommands(tool: str):
    module = aude_cli if tool == "aude-cli" else central_cli
    return list(_walk(module.build_parser()))


def _is_int(action) -> bool:
    return action.type is int or action.type in FRENCH_INT_TYPES


class Context:
    """Files and folders the generated cases point at, in the test's temporary folder."""

    def __init__(self, root: Path, db_template: Path):
        self.root = root
        self.profile = root / "profil"
        self.down = f"http://127.0.0.1:{_free_port()}"
        self.db_template = db_template
        self.good_json = root / "bon.json"
        self.good_json.write_text('{"avantages": []}', encoding="utf-8")
        self.good_csv = root / "bon.csv"
        self.good_csv.write_text("a;b\n", encoding="utf-8")
        self.n = 0

    def fresh_db(self) -> str:
        self.n += 1
        target = self.root / f"central-{self.n}.db"
        copy_database(self.db_template, target)
        return f"sqlite:///{target}"

    def value(self, tool: str, action, path=()) -> str:
        dest = action.dest
        if action.choices:
            return str(next(iter(action.choices)))
        if dest == "db":
            return self.fresh_db()
        if dest == "server":
            return self.down
        if dest in INPUT_NAMES:
            return str(self.good_json)
        if dest == "out":
            (self.root / "sortie").mkdir(exist_ok=True)
            return str(self.root / "sortie" / ("resultat.csv" if "export" in path else "resultat.pdf"))
        if dest == "out_dir":
            return str(self.root / "sortie" / "lot")
        if dest == "login":
            return "compte.essai"
        if dest in ("dossier", "convention"):
            return str(uuid.uuid4())
        if dest == "queue":
            return "Tous les dossiers"
        if dest == "kind":
            return "accuse_reception"
        if dest == "siren":
            return "732829320"
        if _is_int(action):
            return "1"
        return "valeur"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _option(action) -> str | None:
    return action.option_strings[-1] if action.option_strings else None


def _argv(tool: str, path, ctx: Context, parser, choice: dict, drop=None, replace=None) -> list[str]:
    """The subcommand with a plausible value for every required argument (and --db, never the
    current folder's database); `replace` swaps one argument's value for a bad one, `drop` leaves a
    required option out."""
    head = ["--profile", str(ctx.profile)] if tool == "aude-cli" else []
    positionals, options = [], []
    for action in parser._actions:
        if isinstance(action, argparse._HelpAction | argparse._VersionAction) or action.nargs == 0 or action is drop:
            continue
        if replace is not None and action is replace[0]:
            value = replace[1]
        elif action.dest in choice and action.dest != "__bare":
            value = choice[action.dest]
        elif action.nargs == "?" and not action.option_strings and choice.get("__bare"):
            continue
        elif action.required or not action.option_strings or action.dest == "db":
            value = ctx.value(tool, action, path)
        else:
            continue
        if action.option_strings:
            options += [_option(action), value]
        else:
            positionals.append(value)
    return [*head, *path, *positionals, *options]


def _required_groups_filled(parser) -> list[tuple[str, str]]:
    """Mutually exclusive required groups (--user | --oidc…): their first option with a value."""
    extra = []
    for group in parser._mutually_exclusive_groups:
        if group.required:
            first = group._group_actions[0]
            extra.append(first)
    return extra


def generate(tool: str, ctx: Context) -> list[Case]:
    cases: list[Case] = []
    for path, parser in subcommands(tool):
        name = " ".join(path)
        for action in _required_groups_filled(parser):
            action.required = True  # a plausible baseline names one of the group
        # each value of a positional with choices (users add|list|disable…) is a baseline of its own
        choice_actions = [a for a in parser._actions if not a.option_strings and a.choices]
        variants = [{}] + [{a.dest: str(c)} for a in choice_actions for c in list(a.choices)[1:]]
        if any(a.nargs == "?" and not a.option_strings for a in parser._actions):  # users list: no login
            variants += [v | {"__bare": "sans argument facultatif"} for v in variants]
        for choice in variants:
            def make(what, expect=2, path=path, parser=parser, choice=choice, name=name, **kw):
                cases.append(Case(tool, _argv(tool, path, ctx, parser, choice, drop=kw.get("drop"), replace=kw.get("replace")),
                                  f"{name} {' '.join(choice.values())} : {what}", expect))

            cases.append(Case(tool, [*_argv(tool, path, ctx, parser, choice), "--option-inconnue"], f"{name} : option inconnue"))
            for action in parser._actions:
                if isinstance(action, argparse._HelpAction | argparse._VersionAction):
                    continue
                dest = action.dest
                if action.required and action.option_strings:
                    make(f"{_option(action)} absent", drop=action)
                if action.choices and dest not in choice:
                    make(f"{dest} inconnu", replace=(action, "inconnu"))
                if _is_int(action) and action.nargs != 0:
                    make(f"{dest} non numérique", replace=(action, "douze"))
                    key = (tool, f"{path[0]}:{dest}" if path[0] == "serve" else path[0])
                    if key not in NEGATIVE_ALLOWED and (tool, path[0]) not in NEGATIVE_ALLOWED:
                        make(f"{dest} négatif", replace=(action, "-5"))
                if dest in CODE_OPTIONS and not action.choices:
                    make(f"{dest} inconnu", replace=(action, "12"))
                if dest in INPUT_NAMES:
                    for label, maker in ctx_inputs(ctx).items():
                        make(f"{dest} {label}", replace=(action, maker))
                    make(f"{dest} « - » et entrée standard vide", replace=(action, "-"))
                    make(f"{dest} « - » et entrée standard fermée", replace=(action, "-"))
                    cases[-1].stdin = "fermée"
                if dest == "out_dir":
                    make(f"{dest} est un fichier", replace=(action, str(ctx.good_json)))
                if dest in OUTPUT_FILE_NAMES:
                    make(f"{dest} dossier", replace=(action, str(ctx.root)))
                    make(f"{dest} dossier absent", replace=(action, str(ctx.root / "absent" / "sortie.pdf")))
                if dest == "db":
                    make("--db adresse invalide", replace=(action, "pas-une-adresse"))
                    make("--db chemin non inscriptible", replace=(action, f"sqlite:///{ctx.root / 'absent' / 'x.db'}"))
                    make("--db PostgreSQL injoignable", replace=(action, f"postgresql+psycopg://aude@127.0.0.1:{_free_port()}/aude"))
        if tool == "aude-cli":
            argv = _argv(tool, path, ctx, parser, {})
            assert argv[:2] == ["--profile", str(ctx.profile)]
            cases.append(Case(tool, ["--profile", str(ctx.good_json), *argv[2:]], f"{name} : --profile est un fichier"))
    return cases


def ctx_inputs(ctx: Context) -> dict[str, str]:
    root = ctx.root / "entrees"
    root.mkdir(exist_ok=True)
    (root / "binaire.json").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\xff\xfe")
    (root / "latin1.json").write_bytes('{"nom": "Hélène"}'.encode("latin-1"))
    (root / "tronque.json").write_text('{"avantages": [', encoding="utf-8")
    (root / "vide.json").write_text("", encoding="utf-8")
    (root / "liste.json").write_text("[1, 2]", encoding="utf-8")
    (root / "dossier.json").mkdir(exist_ok=True)
    unreadable = {}
    if os.geteuid() != 0:  # root reads every file whatever its mode
        (root / "illisible.json").write_text("{}", encoding="utf-8")
        (root / "illisible.json").chmod(0)
        unreadable["sans droit de lecture"] = str(root / "illisible.json")
    return unreadable | {
        "absent": str(root / "absent.json"),
        "binaire": str(root / "binaire.json"),
        "latin-1": str(root / "latin1.json"),
        "JSON tronqué": str(root / "tronque.json"),
        "vide": str(root / "vide.json"),
        "liste au lieu d'un objet": str(root / "liste.json"),
        "dossier": str(root / "dossier.json"),
        "chemin sous un fichier": str(root / "liste.json" / "x.json"),
    }


def run_main(tool: str, argv: list[str], capsys, stdin=None) -> tuple[int, str, str]:
    module = aude_cli if tool == "aude-cli" else central_cli
    old_stdin = sys.stdin
    if stdin == "fermée":
        stdin = io.StringIO("")
        stdin.close()
    sys.stdin = stdin if stdin is not None else io.StringIO("")
    try:
        code = module.main(argv)
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    finally:
        sys.stdin = old_stdin
    out, err = capsys.readouterr()
    return code, out, err


def check(case: Case, code: int, out: str, err: str, root: Path) -> None:
    where = f"{case.tool} {' '.join(case.argv)} ({case.what})"
    assert code != 0, f"{where}: accepted (exit 0)\n{out}{err}"
    if case.expect is not None:
        assert code == case.expect, f"{where}: exit {code}, {case.expect} expected\n{err}"
    assert err.strip(), f"{where}: nothing on stderr"
    assert FRENCH.search(err), f"{where}: not French: {err!r}"
    bad = FORBIDDEN.search(err.replace("--option-inconnue", ""))
    assert bad is None, f"{where}: raw text « {bad.group(0)} » in {err!r}"
    assert out == "", f"{where}: printed on stdout although refused: {out!r}"
    partial = list(root.rglob("*.partiel"))
    assert not partial, f"{where}: half-written files left: {partial}"
    assert not (root / "sortie").exists() or not any((root / "sortie").rglob("*.*")), f"{where}: output written"


@pytest.fixture(scope="module")
def db_template(tmp_path_factory) -> Path:
    from central_api.cli import _engine

    path = tmp_path_factory.mktemp("central") / "modele.db"
    _engine(f"sqlite:///{path}").dispose()
    return path


def copy_database(template: Path, target: Path) -> None:
    """A SQLite database goes with its audit key file (the log is sealed with it)."""
    shutil.copy(template, target)
    shutil.copy(template.with_name(template.name + ".audit-key"), target.with_name(target.name + ".audit-key"))


@pytest.mark.timeout(600)  # a case that is not refused could start a server: fail rather than hang
@pytest.mark.parametrize("tool", ["aude-cli", "aude-central"])
def test_every_subcommand_refuses_bad_input_in_french(tool, tmp_path, capsys, monkeypatch, db_template):
    monkeypatch.setenv("AUDE_DB_PASSPHRASE", PASSPHRASE)
    monkeypatch.setenv("AUDE_PASSWORD", "mot de passe des essais")  # so `users add` reaches its checks
    ctx = Context(tmp_path, db_template)
    cases = generate(tool, ctx)
    assert len({c.what.split(" :")[0].split(" {")[0] for c in cases}) >= len(subcommands(tool)) > 3
    failures = []
    for case in cases:
        code, out, err = run_main(tool, case.argv, capsys, case.stdin)
        try:
            check(case, code, out, err, tmp_path)
        except AssertionError as exc:
            failures.append(str(exc).split("\nassert")[0])
    assert not failures, f"{len(failures)} of {len(cases)} cases:\n" + "\n\n".join(failures)


def test_every_option_has_a_help_text():
    missing = []
    for tool in ("aude-cli", "aude-central"):
        for path, parser in subcommands(tool):
            for action in parser._actions:
                if not (action.help or "").strip():
                    missing.append(f"{tool} {' '.join(path)} {action.dest}")
            help_text = parser.format_help()
            assert "default" not in help_text and "usage:" not in help_text, help_text
            for action in parser._actions:
                if action.option_strings and action.nargs != 0 and action.default not in (None, "", False, argparse.SUPPRESS):
                    shown = " ".join(help_text.split())
                    assert f"par défaut : {action.default}" in shown or "par défaut" in (action.help or ""), \
                        f"{tool} {' '.join(path)} {action.dest}: default {action.default!r} not shown"
    assert not missing, missing


def test_every_aude_cli_subcommand_with_a_server_that_is_down(tmp_path, capsys, monkeypatch):
    """A profile signed in to a server that no longer answers: each subcommand either works offline
    or says so in French with exit 2."""
    from aude_desktop.paths import Profile
    from aude_desktop.settings import Settings

    monkeypatch.setenv("AUDE_DB_PASSPHRASE", PASSPHRASE)
    monkeypatch.setenv("AUDE_PASSWORD", "mot de passe")
    ctx = Context(tmp_path, Path(os.devnull))
    profile = Profile.isolated(ctx.profile).ensure()
    from dataclasses import replace

    replace(Settings(), server_url=ctx.down, last_user="agent.occ").save(profile.settings_path)
    for path, parser in subcommands("aude-cli"):
        argv = _argv("aude-cli", path, ctx, parser, {})
        if path[0] == "deadlines" or path[0] == "eps":
            continue  # no server, no profile: covered by the bad-file cases
        code, out, err = run_main("aude-cli", argv, capsys)
        if code == 0:
            continue
        case = Case("aude-cli", argv, "serveur arrêté", expect=2)
        check(case, code, "", err, tmp_path)


def _bash(command: str, **kw) -> subprocess.CompletedProcess:
    env = dict(os.environ, PATH=f"{BIN}:{os.environ['PATH']}", AUDE_DB_PASSPHRASE=PASSPHRASE)
    env.pop("AUDE_PASSWORD", None)
    return subprocess.run(["bash", "-c", command], capture_output=True, text=True, env=env, timeout=120, **kw)


def test_closed_standard_input(tmp_path):
    result = _bash("aude-cli eps classify - <&-")
    assert result.returncode == 2 and "entrée standard est fermée" in result.stderr, result.stderr
    result = _bash(f"aude-cli --profile {tmp_path / 'p'} login --server http://127.0.0.1:9 --user agent.occ <&-")
    assert result.returncode == 2 and "AUDE_PASSWORD" in result.stderr and "Traceback" not in result.stderr, result.stderr


def test_piped_password_prints_no_python_warning(tmp_path):
    from tests.support.live_server import start

    server = start(f"sqlite:///{tmp_path / 'c.db'}")
    try:
        from central_api.accounts import add_user

        add_user(server.engine, "agent.essai", "mot de passe des essais", "agent_dreets", region="OCC")
        result = _bash(f"echo 'mot de passe des essais' | aude-cli --profile {tmp_path / 'p'} login --server {server.url} --user agent.essai")
    finally:
        server.stop()
    assert result.returncode == 0, result.stderr
    assert "Warning" not in result.stderr and "echo" not in result.stderr.lower()
    assert "Connecté" in result.stdout


def test_sync_without_login_exits_2(tmp_path):
    result = _bash(f"aude-cli --profile {tmp_path / 'p'} sync")
    assert result.returncode == 2 and "aude-cli login" in result.stderr


def test_no_keyring_no_passphrase_names_the_variable(tmp_path):
    result = _bash(f"unset AUDE_DB_PASSPHRASE; aude-cli --profile {tmp_path / 'p'} status </dev/null")
    assert result.returncode == 3 and "AUDE_DB_PASSPHRASE" in result.stderr, result.stderr


def test_passphrase_is_asked_on_a_terminal(tmp_path):
    """On a terminal, aude-cli asks for the passphrase (twice for a new profile) instead of failing."""
    import pty

    env = dict(os.environ)
    env.pop("AUDE_DB_PASSPHRASE", None)
    pid, fd = pty.fork()
    if pid == 0:  # the child: aude-cli on the pseudo-terminal
        os.execve(str(BIN / "aude-cli"), ["aude-cli", "--profile", str(tmp_path / "p"), "status"], env)
    seen, answered = b"", 0
    prompts = (b"Phrase de passe de la base locale : ", b"Confirmation : ")
    while True:
        try:
            chunk = os.read(fd, 1024)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        seen += chunk
        if answered < len(prompts) and seen.count(prompts[answered]) > 0 and seen.rstrip().endswith(b":"):
            os.write(fd, b"une phrase de passe assez longue\n")
            answered += 1
    _, status = os.waitpid(pid, 0)
    text = seen.decode("utf-8", "replace")
    assert os.waitstatus_to_exitcode(status) == 0, text
    assert "Phrase de passe de la base locale" in text and "Curseur : 0" in text


def test_broken_pipe_is_silent(tmp_path):
    from central_api.accounts import add_user
    from central_api.cli import _engine

    db = f"sqlite:///{tmp_path / 'c.db'}"
    engine = _engine(db)
    for n in range(3):
        add_user(engine, f"agent.{n}", "mot de passe solide", "dgos")
    engine.dispose()
    child = subprocess.Popen([str(BIN / "aude-central"), "users", "list", "--db", db], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE)
    child.stdout.close()  # the reader (`| head`) is gone before the first line
    err = child.stderr.read().decode()
    child.wait(timeout=120)
    assert "Traceback" not in err and "BrokenPipe" not in err and "Exception" not in err, err
    assert child.returncode == 141


def test_serve_on_a_busy_port_says_so_before_serving():
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = subprocess.run([str(BIN / "aude-central"), "serve", "--port", str(port), "--db", "sqlite://"],
                                capture_output=True, text=True, timeout=60)
    assert result.returncode == 2, result.stderr
    assert f"port {port} est déjà utilisé" in result.stderr and "Serveur prêt" not in result.stdout
    assert "Errno" not in result.stderr and "Traceback" not in result.stderr


def test_aude_central_version():
    result = subprocess.run([str(BIN / "aude-central"), "--version"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and result.stdout.startswith("aude-central ")


def test_the_generated_check_catches_a_careless_subcommand(tmp_path, capsys, monkeypatch):
    """A subcommand that accepts a negative number and lets Python's English error out is caught."""
    def careless(args, profile):
        open(args.file, encoding="utf-8").read()
        return 0

    def options(p):
        p.add_argument("file", help="fichier")
        p.add_argument("--count", type=int, default=1, help="nombre")

    monkeypatch.setitem(aude_cli.COMMANDS, "negligente", ("essai", options, careless))
    monkeypatch.setenv("AUDE_DB_PASSPHRASE", PASSPHRASE)
    ctx = Context(tmp_path, Path(os.devnull))
    cases = [c for c in generate("aude-cli", ctx) if c.argv[2] == "negligente"]
    caught = set()
    for case in cases:
        code, out, err = run_main("aude-cli", case.argv, capsys)
        try:
            check(case, code, out, err, tmp_path)
        except AssertionError:
            caught.add(case.what.split(" : ")[-1])
    assert {"count négatif", "file liste au lieu d'un objet", "file JSON tronqué"} <= caught


@pytest.mark.parametrize(("convention", "expected"), [
    ({}, "aucun avantage"),
    ({"beneficiaries": [{"id": "b1", "category": "professionnel"}],
      "avantages": [{"id": "a1", "beneficiary_id": "b1", "nature": "voyage", "amount": "10"}]}, "nature inconnue « voyage »"),
    ({"beneficiaries": [{"id": "b1", "category": "professionnel"}],
      "avantages": [{"id": "a1", "beneficiary_id": "b9", "nature": "remuneration", "amount": "10"}]}, "bénéficiaire « b9 » absent"),
    ({"beneficiaries": [{"id": "b1", "category": "professionnel"}],
      "avantages": [{"id": "a1", "beneficiary_id": "b1", "nature": "dons_liberalites", "amount": "10"}]}, "objet (« purpose »)"),
    ({"beneficiaries": [{"id": "b1", "category": "medecin"}],
      "avantages": [{"id": "a1", "beneficiary_id": "b1", "nature": "remuneration", "amount": "10"}]}, "catégorie inconnue « medecin »"),
])
def test_eps_classify_refuses_what_it_cannot_classify(convention, expected, tmp_path, capsys):
    import json

    path = tmp_path / "c.json"
    path.write_text(json.dumps(convention), encoding="utf-8")
    code, out, err = run_main("aude-cli", ["eps", "classify", str(path)], capsys)
    assert (code, out) == (2, "") and expected in err, err


def test_eps_classify_of_an_uncertain_cell_cites_no_internal_document(tmp_path, capsys):
    import json

    path = tmp_path / "c.json"
    path.write_text(json.dumps({"beneficiaries": [{"id": "b1", "category": "etudiant"}],
                                "avantages": [{"id": "a1", "beneficiary_id": "b1", "nature": "hebergement",
                                               "amount": "500.00", "nights": "1"}]}), encoding="utf-8")
    code, out, err = run_main("aude-cli", ["eps", "classify", str(path)], capsys)
    assert code == 0, err
    answer = json.loads(out)
    assert answer["regime"] == "indetermine" and "arrêté du 7 août 2020" in " ".join(answer["explanation"])
    assert not INTERNAL_DOC.search(out)


INTERNAL_DOC = re.compile(r"\b(?:aude|eps|dates|letters|routes)\.md\b|shared/domain")


def test_no_internal_document_reference_in_user_facing_text():
    """Rules data and the code's string literals (docstrings and comments aside) never cite the team's
    domain notes (« eps.md §4 »): users read these texts."""
    import ast
    import json

    root = Path(__file__).resolve().parents[1]
    found = []

    def strings(value, where):
        if isinstance(value, str):
            if INTERNAL_DOC.search(value):
                found.append(f"{where}: {value[:80]}")
        elif isinstance(value, dict):
            for k, v in value.items():
                strings(v, f"{where}/{k}")
        elif isinstance(value, list):
            for n, v in enumerate(value):
                strings(v, f"{where}[{n}]")

    for path in (root / "resources").rglob("*.json"):
        strings(json.loads(path.read_text(encoding="utf-8")), path.relative_to(root))
    for package in ("aude_desktop", "central_api"):
        for path in (root / package).rglob("*.py"):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                          if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
                          and node.body and isinstance(node.body[0], ast.Expr) and isinstance(node.body[0].value, ast.Constant)}
            for node in ast.walk(tree):
                if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
                    strings(node.value, f"{path.relative_to(root)}:{node.lineno}")
    assert not found, found


@pytest.mark.parametrize(("spec", "expected"), [
    ({"procedure": "aude", "profession": "infirmier", "region": "OCC",
      "events": [{"on": "2026-01-05", "kind": "receipt"}, {"on": "2026-01-06", "kind": "recu_par_pigeon"}]}, "nature inconnue « recu_par_pigeon »"),
    ({"procedure": "eps", "regime": "autorisaton", "authority": "ARS-OCC", "events": [{"on": "2026-01-05", "kind": "receipt"}]},
     "« regime » inconnu : « autorisaton »"),
    ({"procedure": "eps", "regime": "autorisation", "authority": "ARS-XXX", "events": [{"on": "2026-01-05", "kind": "receipt"}]},
     "Autorité inconnue"),
    ({"procedure": "aude", "profession": "infirmier", "region": "OCC", "today": "26/11/2026",
      "events": [{"on": "2026-01-05", "kind": "receipt"}]}, "date illisible « 26/11/2026 »"),
    ({"procedure": "aude", "profession": "infirmier", "region": "OCC", "events": [{"on": "2026-13-05", "kind": "receipt"}]},
     "Événement n° 1 : date illisible"),
    ({"procedure": "aude", "region": "OCC", "events": [{"on": "2026-01-05", "kind": "receipt"}]}, "Champ « profession » manquant"),
    ({"procedure": "aude", "profession": "infirmier", "region": "OCC", "events": ["receipt"]}, "Événement n° 1 : un objet"),
])
def test_deadlines_compute_refuses_unknown_values(spec, expected, tmp_path, capsys):
    import json

    path = tmp_path / "d.json"
    path.write_text(json.dumps(spec), encoding="utf-8")
    code, out, err = run_main("aude-cli", ["deadlines", "compute", str(path)], capsys)
    assert (code, out) == (2, "") and expected in err, err
    assert not FORBIDDEN.search(err), err


def test_export_refuses_a_mismatched_extension_and_accepts_loose_queue_names(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("AUDE_DB_PASSPHRASE", PASSPHRASE)
    profile = ["--profile", str(tmp_path / "p")]
    code, _, err = run_main("aude-cli", [*profile, "export", "--queue", "Tous les dossiers", "--format", "xlsx",
                                         "--out", str(tmp_path / "x.csv")], capsys)
    assert code == 2 and "extension" in err and not (tmp_path / "x.csv").exists()
    for typed, conventions in (("echeance depassee", False), ("ECHEANCE SOUS 15 JOURS", False),
                               ("Demandes d'autorisation en cours", True), ("regime a determiner", True)):
        out_file = tmp_path / f"{len(typed)}.csv"
        argv = [*profile, "export", "--queue", typed, "--format", "csv", "--out", str(out_file)]
        code, _, err = run_main("aude-cli", [*argv, "--conventions"] if conventions else argv, capsys)
        assert code == 0, err
        first = out_file.read_text(encoding="utf-8-sig").splitlines()[0].strip('"')
        assert first.startswith(("Échéance", "Demandes", "Régime")), typed
    assert "états : Reçue, Dossier incomplet, En instruction" in first or "régime : Régime à déterminer" in first, first


def test_a_failed_export_leaves_no_partial_file(tmp_path, capsys, monkeypatch):
    import errno

    from aude_desktop.supervision import export

    def rows_then_full_disk(*_args, **_kw):
        yield ("AUDE-2026-OCC-000001", "MARTIN Zoé")
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(export, "queue_rows", rows_then_full_disk)
    monkeypatch.setenv("AUDE_DB_PASSPHRASE", PASSPHRASE)
    target = tmp_path / "file.csv"
    code, out, err = run_main("aude-cli", ["--profile", str(tmp_path / "p"), "export", "--queue", "Tous les dossiers",
                                           "--format", "csv", "--out", str(target)], capsys)
    assert code == 2 and "Plus de place sur le disque" in err and "Errno" not in err, err
    assert not target.exists() and not list(tmp_path.glob("*.partiel"))


def test_stats_speaks_names_days_and_months():
    figures = {"today": "2026-11-26",
               "aude": {"by_region": {"OCC": {"total": 12345, "open": 1200, "overdue": 3, "due_soon": 4, "implicit": 1,
                                              "median_days": 92.0, "p90_days": 130.5}},
                        "monthly": [{"month": "2026-10", "inflow": 1500, "outflow": 1400}]},
               "eps": {"by_authority": {"ARS-OCC": {"total": 5, "open": 2, "overdue": 0, "due_soon": 0, "implicit": 0,
                                                    "median_days": None, "p90_days": None}},
                       "monthly": [{"month": "2026-11", "inflow": 7, "outflow": 2}]},
               "lps": {"by_region": {"OCC": {"total": 3, "open": 2, "overdue": 1, "due_soon": 1, "implicit": 1,
                                             "median_days": None, "p90_days": None}},
                       "monthly": [{"month": "2026-11", "inflow": 3, "outflow": 1}]}}
    text = "\n".join(aude_cli._stats_lines(figures))
    assert ("Déclarations de libre prestation de services (LPS) par région\n  Occitanie : 3 dont 2 en cours, 1 en retard, "
            "1 à échéance sous 15 jours, 1 prestation(s) possible(s) faute de réponse dans le délai") in text
    assert "Occitanie : 12\u202f345 dont 1\u202f200 en cours" in text
    assert "OCC :" not in text and "ARS-OCC" not in text
    assert "médian 92 j" in text and "octobre 2026 : 1\u202f500 / 1\u202f400" in text and "novembre 2026 : 7 / 2" in text
    assert "26 novembre 2026" in text
    assert "0 clos hors champ (reconnaissance automatique), 0 accès partiel" in text  # counted apart (issue 20)


def test_login_with_https_to_a_plain_http_server_says_what_happened(tmp_path, capsys, monkeypatch):
    from tests.support.live_server import start

    server = start(f"sqlite:///{tmp_path / 'c.db'}")
    monkeypatch.setenv("AUDE_DB_PASSPHRASE", PASSPHRASE)
    monkeypatch.setenv("AUDE_PASSWORD", "demo-agent-occ")
    try:
        code, out, err = run_main("aude-cli", ["--profile", str(tmp_path / "p"), "login", "--server",
                                               server.url.replace("http://", "https://"), "--user", "agent.occ"], capsys)
    finally:
        server.stop()
    assert code == 2 and "sans chiffrement (HTTP simple)" in err and "certificat" not in err, err


def test_seed_refuses_a_database_that_already_has_records(tmp_path, capsys, db_template):
    from sqlalchemy import func, insert, select

    from central_api.db import Record, make_engine

    copy_database(db_template, tmp_path / "c.db")
    url = f"sqlite:///{tmp_path / 'c.db'}"
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(insert(Record).values(kind="dossier", id=str(uuid.uuid4()), version=1, deleted=False, region="OCC",
                                           authority=None, owner=None, payload="{}", cursor=1))
    code, out, err = run_main("aude-central", ["seed", "--db", url, "--dossiers", "1", "--conventions", "0"], capsys)
    assert (code, out) == (2, "") and "contient déjà 1 enregistrement" in err, err
    with engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(Record)) == 1
    engine.dispose()


def test_apikeys_refuse_a_bad_siren_and_a_second_key_for_a_company(tmp_path, capsys, db_template):
    copy_database(db_template, tmp_path / "c.db")
    db = ["--db", f"sqlite:///{tmp_path / 'c.db'}"]
    code, out, err = run_main("aude-central", ["apikeys", "add", "--company", "Laboratoire Exemple", "--siren", "732829321", *db], capsys)
    assert code == 2 and "clé de contrôle (Luhn)" in err
    code, out, err = run_main("aude-central", ["apikeys", "add", "--company", "Laboratoire Exemple", "--siren", "732 829 320", *db], capsys)
    assert code == 0 and "Clé d'API" in out, err
    code, out, err = run_main("aude-central", ["apikeys", "add", "--company", "Laboratoire  Exemple", "--siren", "732829320", *db], capsys)
    assert (code, out) == (2, "") and "a déjà une clé d'API" in err and "IntegrityError" not in err


def test_siren_and_siret_helpers():
    from aude_desktop.rules.identifiers import siren_is_valid, siret_is_valid

    assert siren_is_valid("732 829 320") and not siren_is_valid("732829321") and not siren_is_valid("12")
    assert siret_is_valid("73282932000074") and not siret_is_valid("73282932000075")
    assert siret_is_valid("35600000000001") and not siret_is_valid("35600000000002")  # La Poste: digit sum % 5


def test_serve_demo_prints_a_french_summary_and_its_database():
    port = _free_port()
    child = subprocess.Popen([str(BIN / "aude-central"), "serve", "--demo", "--dossiers", "3", "--conventions", "3",
                              "--port", str(port)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    lines = []
    try:
        for line in child.stdout:
            lines.append(line)
            if "Serveur prêt" in line:
                break
    finally:
        child.terminate()
        child.wait(timeout=60)
    text = "".join(lines)
    assert "Données de démonstration : 3 dossier(s)" in text and "3 convention(s)" in text and "{" not in text, text
    assert re.search(r"Base de démonstration \(temporaire\) : /\S+demo\.db", text), text


def test_a_letter_refusal_names_the_state_as_users_read_it():
    from aude_desktop.letters import compose

    with pytest.raises(compose.LetterNotApplicable) as refused:
        compose.check("aude", "accuse_reception", {"state": "recu", "profession": "infirmier"})
    assert "« Reçu »" in str(refused.value) and "(recu)" not in str(refused.value)


def test_status_and_numbers_in_french(tmp_path, capsys, monkeypatch):
    from datetime import datetime

    from aude_desktop.frtext import fr_datetime, fr_number

    assert fr_number(1234567) == "1\u202f234\u202f567"
    assert fr_datetime(datetime(2026, 11, 1, 8, 5)) == "1er novembre 2026 à 08:05"
    assert fr_datetime(datetime(2026, 11, 26, 7, 5, tzinfo=UTC)).startswith("26 novembre 2026 à ")
    monkeypatch.setenv("AUDE_DB_PASSPHRASE", PASSPHRASE)
    code, out, err = run_main("aude-cli", ["--profile", str(tmp_path / "p"), "status"], capsys)
    assert code == 0, err
    assert "Dernière synchronisation : —" in out and "Curseur : 0" in out and "None" not in out
