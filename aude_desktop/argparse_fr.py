"""argparse in French: the headings, the built-in -h/--version help texts and the usage errors are
English otherwise."""

from __future__ import annotations

import argparse
import re
import sys

# argparse's error messages (Python 3.11–3.13 wording) and their French translation.
_ERRORS = (
    (re.compile(r"argument (.+?): invalid choice: (.+?) \(choose from (.+)\)"), r"argument \1 : choix invalide \2 (choix possibles : \3)"),
    (re.compile(r"the following arguments are required: (.+)"), r"arguments obligatoires manquants : \1"),
    (re.compile(r"unrecognized arguments: (.+)"), r"arguments non reconnus : \1"),
    (re.compile(r"argument (.+?): expected one argument"), r"argument \1 : une valeur est attendue"),
    (re.compile(r"argument (.+?): invalid (\w+) value: (.+)"), r"argument \1 : valeur invalide \3 (type \2 attendu)"),
    (re.compile(r"argument (.+?): not allowed with argument (.+)"), r"argument \1 : incompatible avec \2"),
    (re.compile(r"argument (.+?): expected at least one argument"), r"argument \1 : au moins une valeur est attendue"),
    (re.compile(r"one of the arguments (.+) is required"), r"l'un des arguments \1 est obligatoire"),
    (re.compile(r"ambiguous option: (.+?) could match (.+)"), r"option ambiguë \1 (possibles : \2)"),
    (re.compile(r"argument (.+?): ignored explicit argument (.+)"), r"argument \1 : valeur \2 inattendue"),
    # our own argparse types (cli_errors.positive_int…) raise French texts: only the separator changes
    (re.compile(r"argument (.+?): (.+)"), r"argument \1 : \2"),
)


_TYPES = {"int": "entier", "float": "nombre décimal"}


def translate(message: str) -> str:
    for pattern, french in _ERRORS:
        if pattern.fullmatch(message):
            text = pattern.sub(french, message)
            return re.sub(r"\(type (\w+) attendu\)", lambda m: f"({_TYPES.get(m.group(1), m.group(1))} attendu)", text)
    return message


class FrenchHelpFormatter(argparse.HelpFormatter):
    """French headings; an option's default value is appended to its help (« par défaut : 8765 »)."""

    def _get_help_string(self, action):
        text = action.help or ""
        default = action.default
        if (action.option_strings and default not in (None, False, "", argparse.SUPPRESS) and not isinstance(default, list)
                and "%(default)" not in text and "par défaut" not in text and action.nargs != 0):
            text += " (par défaut : %(default)s)"
        return text

    def add_usage(self, usage, actions, groups, prefix=None):
        return super().add_usage(usage, actions, groups, "utilisation : " if prefix is None else prefix)


class FrenchArgumentParser(argparse.ArgumentParser):
    def error(self, message: str):
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog} : erreur : {translate(message)}\n")


def french_parser(**kwargs) -> argparse.ArgumentParser:
    parser = FrenchArgumentParser(add_help=False, formatter_class=FrenchHelpFormatter, **kwargs)
    parser._optionals.title = "options"
    parser._positionals.title = "arguments"
    parser.add_argument("-h", "--help", action="help", help="affiche cette aide et quitte")
    return parser
