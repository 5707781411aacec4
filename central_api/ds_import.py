"""Import of the applications filed on Démarches Simplifiées (DS), through its public GraphQL API v2.

Each DS dossier becomes an AUDE dossier of its competent region, created by the same `dossier.create`
and `piece.upsert` commands as the desktop's (one source for each rule), with the files of its
« pièce justificative » champs as pièces (checksum verified). The mapping champ label → field is
data: resources/ds/autorisation_exercice.json. Idempotent: the AUDE id is derived from the démarche
and DS number, so a second run creates nothing; a DS dossier modified later updates its pièces only,
never the instructor's work. An answer that cannot be mapped refuses the dossier with the champ and
the reason — nothing is guessed, nothing is half-written.

The endpoint and token come from the environment (AUDE_DS_ENDPOINT, AUDE_DS_TOKEN), never from the
command line (it would show in `ps` and shell histories).
"""

from __future__ import annotations

import base64
import hashlib
import json
import uuid
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path

import requests
from sqlalchemy import Connection, Engine, insert, select, update

from aude_desktop import catalog
from aude_desktop.domain.commands import Actor, CommandRejected
from aude_desktop.dossiers import intake
from aude_desktop.dossiers.scans import MAGIC
from aude_desktop.paths import resources_dir
from aude_desktop.rules.reference import professions
from central_api.db import Attachment, Record
from central_api.references import assign_reference
from central_api.service import (
    allocate_cursors,
    audit_append,
    dumps,
    insert_system_record,
    set_attachment_refs,
)

NAMESPACE = uuid.UUID("6f1c4d3e-8a52-4d0b-9d63-2f7c0e5b9a11")  # AUDE ids of DS dossiers: uuid5(NAMESPACE, "démarche:numéro")
PAGE = 50
LOGIN = "import.ds"
QUERY = """
query dossiers($demarcheNumber: Int!, $first: Int, $after: String, $updatedSince: ISO8601DateTime) {
  demarche(number: $demarcheNumber) {
    dossiers(first: $first, after: $after, updatedSince: $updatedSince) {
      nodes {
        number state dateDepot dateDerniereModification
        usager { email }
        demandeur { ... on PersonnePhysique { civilite nom prenom dateDeNaissance } }
        champs {
          id label stringValue
          ... on PieceJustificativeChamp { files { filename url checksum contentType byteSize } }
        }
      }
      pageInfo { hasNextPage endCursor }
    }
  }
}
"""


class DSError(RuntimeError):
    """The DS API could not be read; the message is French."""


class Unmappable(ValueError):
    pass


@dataclass
class Report:
    created: list[tuple[int, str]] = field(default_factory=list)  # (DS number, AUDE reference)
    updated: list[tuple[int, str]] = field(default_factory=list)
    unchanged: list[int] = field(default_factory=list)
    refused: list[tuple[int, str]] = field(default_factory=list)  # (DS number, French reason)

    def lines(self) -> list[str]:
        out = [f"DS n° {n} : créé ({ref})" for n, ref in self.created]
        out += [f"DS n° {n} : pièces mises à jour ({ref})" for n, ref in self.updated]
        out += [f"DS n° {n} : refusé — {why}" for n, why in self.refused]
        out.append(f"{len(self.created)} créé(s), {len(self.updated)} mis à jour, {len(self.unchanged)} inchangé(s), "
                   f"{len(self.refused)} refusé(s).")
        return out


@cache
def mapping() -> dict:
    return json.loads((resources_dir() / "ds" / "autorisation_exercice.json").read_text(encoding="utf-8"))


class DSClient:
    def __init__(self, endpoint: str, token: str, session: requests.Session | None = None):
        if not endpoint.startswith(("https://", "http://127.0.0.1", "http://localhost")):
            raise DSError("AUDE_DS_ENDPOINT : une adresse https:// est attendue.")
        self.endpoint, self.token = endpoint, token
        self.session = session or requests.Session()
        self.session.trust_env = False

    def _post(self, variables: dict) -> dict:
        try:
            answer = self.session.post(self.endpoint, json={"query": QUERY, "variables": variables}, timeout=60,
                                       headers={"Authorization": f"Bearer {self.token}"})
        except requests.RequestException:
            raise DSError("Démarches Simplifiées injoignable : vérifiez AUDE_DS_ENDPOINT et le réseau.") from None
        if answer.status_code in (401, 403):
            raise DSError("Démarches Simplifiées refuse le jeton (AUDE_DS_TOKEN) : vérifiez-le et ses droits sur la démarche.")
        try:
            body = answer.json()
        except ValueError:
            raise DSError(f"Réponse illisible de Démarches Simplifiées (HTTP {answer.status_code}).") from None
        if body.get("errors"):
            raise DSError("Démarches Simplifiées a répondu par une erreur : "
                          + "; ".join(str(e.get("message")) for e in body["errors"] if isinstance(e, dict)))
        return body.get("data") or {}

    def dossiers(self, demarche: int, since: str | None = None):
        after = None
        while True:
            data = self._post({"demarcheNumber": demarche, "first": PAGE, "after": after, "updatedSince": since})
            if not data.get("demarche"):
                raise DSError(f"Démarche n° {demarche} introuvable ou non accessible avec ce jeton.")
            connection = data["demarche"]["dossiers"]
            yield from connection.get("nodes") or []
            info = connection.get("pageInfo") or {}
            if not info.get("hasNextPage"):
                return
            after = info.get("endCursor")

    def download(self, url: str, limit: int) -> bytes:
        try:
            answer = self.session.get(url, timeout=120, stream=True)
            data = b""
            for chunk in answer.iter_content(65536):
                data += chunk
                if len(data) > limit:
                    raise Unmappable(f"fichier de plus de {limit // 1_048_576} Mo")
        except requests.RequestException:
            raise DSError("Un fichier de Démarches Simplifiées n'a pas pu être téléchargé : réessayez plus tard.") from None
        if answer.status_code != 200:
            raise Unmappable(f"fichier indisponible (HTTP {answer.status_code})")
        return data


# -- mapping -------------------------------------------------------------------------------------


def _profession(label: str) -> str:
    wanted = intake.name_key(label)
    for code, spec in professions().items():
        if intake.name_key(spec.label) == wanted or code == label:
            return code
    raise Unmappable(f"champ « Profession demandée » : « {label} » n'est pas une profession de la procédure")


def map_node(node: dict) -> tuple[dict, list[tuple[str, dict]]]:
    """(values for intake.build, [(pièce code, DS file)]); Unmappable names the champ and the reason."""
    m = mapping()
    values: dict = {}
    demandeur = node.get("demandeur") or {}
    for key, target in m["demandeur"].items():
        if demandeur.get(key) not in (None, ""):
            values[target] = demandeur[key]
    if "civility" in values:
        civility = m["civilites"].get(values["civility"])
        if civility is None:
            raise Unmappable(f"civilité « {values['civility']} » inconnue")
        values["civility"] = civility
    email = (node.get("usager") or {}).get("email")
    if email:
        values[m["usager_email"]] = email
    files: list[tuple[str, dict]] = []
    for champ in node.get("champs") or []:
        label, text = champ.get("label"), champ.get("stringValue")
        if label in m["pieces"]:
            files += [(m["pieces"][label], f) for f in champ.get("files") or []]
            continue
        target = m["champs"].get(label)
        if target is None or text in (None, ""):
            continue  # a champ AUDE does not keep (consent, notice…)
        if target == "profession":
            text = _profession(text)
        elif target == "situation":
            if text not in m["situations"]:
                raise Unmappable(f"champ « {label} » : « {text} » n'est pas une situation prévue")
            text = m["situations"][text]
        elif target == "acces_partiel":
            if text not in m["booleans"]:
                raise Unmappable(f"champ « {label} » : « {text} » n'est ni oui ni non")
            text = m["booleans"][text]
        values[target] = text
    if "profession" not in values:
        raise Unmappable("champ « Profession demandée » absent")
    values["received_on"] = str(node.get("dateDepot") or "")[:10]
    return values, files


def checked_file(client: DSClient, file: dict) -> tuple[bytes, str]:
    """The bytes of a DS file, verified against its checksum (base64 MD5, as DS publishes it) and its content."""
    name = str(file.get("filename") or "fichier")
    data = client.download(str(file.get("url") or ""), intake.rules()["scan_max_bytes"])
    if not data:
        raise Unmappable(f"pièce « {name} » : fichier vide")
    if base64.b64encode(hashlib.md5(data).digest()).decode() != file.get("checksum"):  # noqa: S324 (DS's checksum format)
        raise Unmappable(f"pièce « {name} » : le fichier reçu ne correspond pas à son empreinte (téléchargement altéré)")
    if not any(data.startswith(magic) for magic, _type in MAGIC):
        raise Unmappable(f"pièce « {name} » : ni PDF, ni JPEG, ni PNG")
    return data, name


# -- writing -------------------------------------------------------------------------------------


def _store_file(conn: Connection, files_dir: Path, data: bytes) -> str:
    sha = hashlib.sha256(data).hexdigest()
    if not (files_dir / sha).exists():
        (files_dir / sha).write_bytes(data)
    if conn.execute(select(Attachment.sha256).where(Attachment.sha256 == sha)).first() is None:
        conn.execute(insert(Attachment).values(sha256=sha, size=len(data), complete=True, uploaded_by=LOGIN))
    return sha


def _update_record(conn: Connection, kind: str, record_id: str, payload: dict) -> None:
    version = conn.execute(select(Record.version).where(Record.kind == kind, Record.id == record_id)).scalar_one()
    conn.execute(update(Record).where(Record.kind == kind, Record.id == record_id).values(
        version=version + 1, cursor=allocate_cursors(conn), payload=dumps(payload)))
    set_attachment_refs(conn, kind, record_id, payload)
    audit_append(conn, LOGIN, "ds.import", kind, record_id, payload)


def _piece_payload(actor: Actor, piece_id: str, dossier_id: str, code: str, sha: str, name: str, received_on: str,
                   current) -> dict:
    from aude_desktop.dossiers.scans import piece_label

    return catalog.execute("piece.upsert", current, {"id": piece_id, "payload": {
        "dossier_id": dossier_id, "code": code, "label": (current or {}).get("label") or piece_label(code), "status": "recu",
        "received_on": received_on, "sha256": sha, "filename": name[:300], "note": "Déposée sur Démarches Simplifiées"}}, actor)


def import_demarche(engine: Engine, files_dir: Path, client: DSClient, demarche: int, since: str | None, today: date) -> Report:
    report = Report()
    files_dir.mkdir(parents=True, exist_ok=True)
    for node in client.dossiers(demarche, since):
        number = int(node.get("number") or 0)
        try:
            _import_one(engine, files_dir, client, demarche, node, number, today, report)
        except (Unmappable, CommandRejected) as exc:
            report.refused.append((number, getattr(exc, "message", None) or str(exc)))
    return report


def _import_one(engine, files_dir, client, demarche: int, node: dict, number: int, today: date, report: Report) -> None:
    dossier_id = str(uuid.uuid5(NAMESPACE, f"{demarche}:{number}"))
    values, ds_files = map_node(node)
    region, _why = intake.proposed_region(values["profession"], bool(values.get("acces_partiel")), values.get("postal_code"), None)
    if region is None:
        raise Unmappable("champ « Code postal » : absent ou hors de France, région compétente introuvable")
    values["region"] = region
    downloaded = [(code, *checked_file(client, f)) for code, f in ds_files]  # all verified before anything is written
    actor = Actor(LOGIN, "agent_dreets", region)
    with engine.begin() as conn:
        allocate_cursors(conn, 0)  # the writer lock, as for every mutation
        existing = conn.execute(select(Record.payload).where(Record.kind == "dossier", Record.id == dossier_id)).scalar()
        if existing is None:
            _id, payload, _codes = intake.build(values, today, dossier_id=dossier_id)
            payload["intake"] = {"channel": "demarches_simplifiees", "region_reason": None, "duplicate_reason": None,
                                 "ds_number": str(number)}
            payload = catalog.execute("dossier.create", None, {"id": dossier_id, "payload": payload}, actor)
            payload = assign_reference(conn, "dossier.create", payload)
            insert_system_record(conn, "dossier", dossier_id, payload, region=region, login=LOGIN, command="ds.import")
            reference = payload["reference"]
        else:
            reference = json.loads(existing)["reference"]
        received_on = values["received_on"]
        changed = False
        for index, (code, data, name) in enumerate(downloaded):
            sha = _store_file(conn, files_dir, data)
            piece_id = str(uuid.uuid5(NAMESPACE, f"{demarche}:{number}:{code}:{index}"))
            current = conn.execute(select(Record.payload).where(Record.kind == "piece", Record.id == piece_id)).scalar()
            current = json.loads(current) if current else None
            if current is not None and current.get("sha256") == sha:
                continue
            piece = _piece_payload(actor, piece_id, dossier_id, code, sha, name, received_on, current)
            if current is None:
                insert_system_record(conn, "piece", piece_id, piece, region=region, login=LOGIN, command="ds.import")
            else:
                _update_record(conn, "piece", piece_id, piece)
            changed = True
    if existing is None:
        report.created.append((number, reference))
    elif changed:
        report.updated.append((number, reference))
    else:
        report.unchanged.append(number)
