"""Countries (ISO 3166-1 alpha-2) with their French name and the preposition they take: « en Belgique »,
« au Canada », « aux États-Unis ». Rules data (resources/rules/countries.json): letters and forms read
the same table. A record may hold the code or the French name; both are found."""

from __future__ import annotations

import json
import unicodedata
from dataclasses import dataclass
from functools import cache

from aude_desktop.paths import resources_dir


@dataclass(frozen=True)
class Country:
    code: str
    name: str
    preposition: str  # en, au, aux, à

    @property
    def in_phrase(self) -> str:
        """« en Belgique », « aux États-Unis »."""
        return f"{self.preposition} {self.name}"


def _key(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text.strip().casefold())
    return "".join(c for c in folded if not unicodedata.combining(c)).replace("’", "'")


@cache
def countries() -> dict[str, Country]:
    raw = json.loads((resources_dir() / "rules" / "countries.json").read_text(encoding="utf-8"))
    return {code: Country(code, c["name"], c["in"]) for code, c in raw["countries"].items()}


@cache
def _by_name() -> dict[str, Country]:
    return {_key(c.name): c for c in countries().values()}


def find(value: str | None) -> Country | None:
    """The country for an ISO code (« BE ») or a French name (« belgique », « Etats-Unis »)."""
    if not value:
        return None
    text = value.strip()
    return countries().get(text.upper()) if len(text) == 2 else _by_name().get(_key(text))


def in_country(value: str | None) -> str:
    """« en Belgique »; a country the table does not know is never given a guessed preposition."""
    country = find(value)
    if country is not None:
        return country.in_phrase
    return f"dans le pays suivant : {value}" if value else "dans un pays non renseigné"


def names() -> list[str]:
    """Every French name, sorted: the choices a form offers."""
    return sorted((c.name for c in countries().values()), key=_key)
