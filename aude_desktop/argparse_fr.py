"""argparse in French: the headings and the built-in -h/--version help texts are English otherwise."""

from __future__ import annotations

import argparse


class FrenchHelpFormatter(argparse.HelpFormatter):
    def add_usage(self, usage, actions, groups, prefix=None):
        return super().add_usage(usage, actions, groups, "utilisation : " if prefix is None else prefix)


def french_parser(**kwargs) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(add_help=False, formatter_class=FrenchHelpFormatter, **kwargs)
    parser._optionals.title = "options"
    parser._positionals.title = "arguments"
    parser.add_argument("-h", "--help", action="help", help="affiche cette aide et quitte")
    return parser
