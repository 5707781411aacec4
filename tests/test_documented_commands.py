"""Every command the docs show exists: each `aude-cli`, `aude-central` and `aude-desktop` command in a
code block or code span of README.md and docs/*.md is read at test time (a command added to the docs
later is covered too), its subcommand answers `--help` with exit 0, and each option it shows is one
that subcommand has."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PROGRAMS = ("aude-cli", "aude-central", "aude-desktop")
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
WORD = re.compile(r"^[a-z][a-z-]*$")
OPTION = re.compile(r"^--[a-z][a-z-]*")


def _snippets(text: str) -> list[str]:
    """Lines of fenced code blocks, and inline code spans."""
    lines = []
    for block in re.findall(r"```[^\n]*\n(.*?)```", text, flags=re.S):
        lines += block.splitlines()
    without_blocks = re.sub(r"```.*?```", "", text, flags=re.S)
    lines += re.findall(r"`([^`\n]+)`", without_blocks)
    return lines


def _commands() -> list[tuple[str, str]]:
    found: dict[str, str] = {}
    for doc in DOCS:
        for snippet in _snippets(doc.read_text(encoding="utf-8")):
            for program in PROGRAMS:
                # the program as a command word (not « dist/aude-desktop/ » nor « aude-desktop_1.0.deb »)
                for match in re.finditer(rf"(?<![\w/.-]){re.escape(program)}(?![\w.-])", snippet):
                    tail = re.split(r"[|;&]| #", snippet[match.end():])[0]
                    if tail.strip()[:1] in ("\\", "`", ")", '"'):
                        continue  # a Windows folder named after the program, or the end of a code span
                    found.setdefault(" ".join([program, *tail.replace("…", " ").split()]), doc.name)
        # command tables: « | `aude-cli` | … `login --server URL` … `stats` … | » name the program once
        for row in re.findall(r"^\| `(aude-[a-z]+)` \|(.*)$", doc.read_text(encoding="utf-8"), flags=re.M):
            program, rest = row
            for span in re.findall(r"`([^`]+)`", rest):
                if program in PROGRAMS and re.match(r"[a-z-]+( |$)|--", span) and not span.startswith(PROGRAMS):
                    for alternative in re.split(r"\s*/\s*(?=[a-z])", span):  # « letters render / letters batch »
                        found.setdefault(f"{program} {alternative.replace('…', ' ')}".strip(), doc.name)
    return sorted(found.items())


def _split(command: str) -> tuple[str, list[str], list[str]]:
    """(program, subcommand words, options shown) of one documented command line."""
    program, *tokens = command.split()
    if program == "aude-cli" and tokens[:1] == ["--profile"]:
        tokens = tokens[2:]  # the global option and its value come before the subcommand
    words: list[str] = []
    options: list[str] = []
    for token in tokens:
        option = OPTION.match(token.lstrip("[("))
        if option:
            options.append(option.group(0))
        elif program != "aude-desktop" and not options and len(words) < 2 and WORD.match(token) and len(words) == tokens.index(token):
            words.append(token)
    return program, words, options


def _help(program: str, words: list[str], capsys) -> tuple[int, str]:
    if program == "aude-cli":
        from aude_desktop.cli import main
    elif program == "aude-central":
        from central_api.cli import main
    else:
        from aude_desktop.app import parse_args as main
    try:  # the CLIs' main() answers with an exit code (cli_errors.run); argparse alone raises SystemExit
        code = main([*words, "--help"])
    except SystemExit as stopped:
        code = stopped.code
    return code or 0, capsys.readouterr().out


COMMANDS = _commands()


def test_the_docs_show_every_program():
    shown = {command.split()[0] for command, _doc in COMMANDS}
    assert shown == set(PROGRAMS)
    assert len(COMMANDS) >= 30, COMMANDS


@pytest.mark.parametrize(("command", "doc"), COMMANDS, ids=[c for c, _ in COMMANDS])
def test_documented_command_parses(command, doc, capsys):
    program, words, options = _split(command)
    code, text = _help(program, words, capsys)
    assert code == 0, f"{doc}: « {command} » — `{program} {' '.join(words)} --help` exits {code}"
    for option in options:
        if option in ("--help", "--version", "--profile") and program == "aude-cli":
            continue
        assert option in text, f"{doc}: « {command} » shows {option}, which `{program} {' '.join(words)}` does not have"
