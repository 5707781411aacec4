"""STAND-IN for the Démarches Simplifiées GraphQL API v2 — for tests and the demo only, never a real
service (like the sign-in stand-ins of central_api/oidc.py). It answers the one query AUDE sends
(central_api/ds_import.QUERY) in the exact shape of the public schema — `demarche { dossiers(first,
after, updatedSince) { nodes {…} pageInfo { hasNextPage endCursor } } }` — with fictitious dossiers,
and serves their files with DS's checksum (base64 MD5). It does not parse GraphQL: it reads the
variables, which is all the import uses. Listens on 127.0.0.1 only.
"""

from __future__ import annotations

import base64
import hashlib
import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 64 + b"\xff\xd9"


def _checksum(data: bytes) -> str:
    return base64.b64encode(hashlib.md5(data).digest()).decode()  # noqa: S324 (DS's published checksum format)


@dataclass
class StandInDS:
    """`dossiers` are DS nodes without file URLs; `files` the bytes by name. `token` is required."""

    token: str = "jeton-de-demonstration"
    demarche: int = 4242
    dossiers: list[dict] = field(default_factory=list)
    files: dict[str, bytes] = field(default_factory=dict)
    bad_checksums: set[str] = field(default_factory=set)  # files announced with a wrong checksum

    def add(self, number: int, *, nom: str, prenom: str, naissance: str, depot: str, modifie: str | None = None,
            champs: dict[str, str], pieces: dict[str, list[tuple[str, bytes]]], civilite: str = "Mme",
            email: str = "demandeur@exemple.fr") -> None:
        node_champs = [{"__typename": "TextChamp", "id": f"Q2hhbXAt{i}", "label": label, "stringValue": value}
                       for i, (label, value) in enumerate(champs.items())]
        for j, (label, files) in enumerate(pieces.items()):
            for name, data in files:
                self.files[name] = data
            node_champs.append({"__typename": "PieceJustificativeChamp", "id": f"UEotJ{j}", "label": label,
                                "stringValue": ", ".join(n for n, _ in files), "files": [{"filename": n} for n, _ in files]})
        self.dossiers.append({
            "number": number, "state": "en_construction", "dateDepot": depot, "dateDerniereModification": modifie or depot,
            "usager": {"email": email},
            "demandeur": {"__typename": "PersonnePhysique", "civilite": civilite, "nom": nom, "prenom": prenom,
                          "dateDeNaissance": naissance},
            "champs": node_champs,
        })

    def replace_file(self, name: str, data: bytes, modified: str) -> None:
        self.files[name] = data
        for node in self.dossiers:
            if any(f.get("filename") == name for c in node["champs"] for f in c.get("files", [])):
                node["dateDerniereModification"] = modified

    # -- HTTP ---------------------------------------------------------------------------------

    def _node(self, node: dict, base: str) -> dict:
        out = json.loads(json.dumps(node))
        for champ in out["champs"]:
            for f in champ.get("files", []):
                data = self.files[f["filename"]]
                f.update(url=f"{base}/fichiers/{f['filename']}", contentType="application/octet-stream", byteSize=len(data),
                         checksum=_checksum(data + b"x") if f["filename"] in self.bad_checksums else _checksum(data))
        return out

    def answer(self, variables: dict, base: str) -> dict:
        if variables.get("demarcheNumber") != self.demarche:
            return {"data": {"demarche": None}, "errors": [{"message": "Demarche not found"}]}
        since = variables.get("updatedSince")
        nodes = [n for n in self.dossiers if not since or n["dateDerniereModification"] >= since]
        start = int(variables.get("after") or 0)
        first = int(variables.get("first") or 100)
        page = nodes[start:start + first]
        more = start + first < len(nodes)
        return {"data": {"demarche": {"dossiers": {
            "nodes": [self._node(n, base) for n in page],
            "pageInfo": {"hasNextPage": more, "endCursor": str(start + first) if more else None}}}}}

    def serve(self, page_size: int | None = None):
        """Start on a free port of 127.0.0.1; returns (endpoint URL, stop function)."""
        standin = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_args) -> None:  # nothing personal in logs
                return

            def _send(self, status: int, body: bytes, kind: str = "application/json") -> None:
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_POST(self) -> None:  # noqa: N802
                if self.headers.get("Authorization") != f"Bearer {standin.token}":
                    return self._send(401, b'{"errors":[{"message":"Unauthorized"}]}')
                request = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"{}")
                variables = dict(request.get("variables") or {})
                if page_size:
                    variables["first"] = min(int(variables.get("first") or page_size), page_size)
                base = f"http://127.0.0.1:{self.server.server_address[1]}"
                self._send(200, json.dumps(standin.answer(variables, base)).encode())

            def do_GET(self) -> None:  # noqa: N802
                name = self.path.removeprefix("/fichiers/")
                if not self.path.startswith("/fichiers/") or name not in standin.files:
                    return self._send(404, b"")
                self._send(200, standin.files[name], "application/octet-stream")

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        return f"http://127.0.0.1:{server.server_address[1]}/api/v2/graphql", lambda: (server.shutdown(), server.server_close())


def demo_standin() -> StandInDS:
    """Realistic fictitious applications for the demo and the tests (one per kind of outcome)."""
    ds = StandInDS()
    common = {"Nationalité": "portugaise", "Pays de résidence": "France", "Situation":
              "Titre délivré par un État membre qui réglemente la profession", "Pays de délivrance du diplôme": "Portugal"}
    ds.add(10101, nom="Ferreira", prenom="Ana Sofia", naissance="1991-05-17", depot="2026-11-02T09:14:00+01:00",
           champs={**common, "Profession demandée": "Infirmier (soins généraux)", "Code postal": "31000", "Commune": "Toulouse",
                   "Intitulé du diplôme": "Licenciatura em Enfermagem", "Organisme de délivrance": "Universidade do Porto"},
           pieces={"Pièce d'identité": [("ferreira-identite.jpg", JPEG)], "Titre de formation": [("ferreira-diplome.pdf", PDF + b"1")]})
    ds.add(10102, nom="Kowalczyk", prenom="Marta", naissance="1987-11-03", depot="2026-11-05T14:02:00+01:00",
           champs={**common, "Nationalité": "polonaise", "Pays de délivrance du diplôme": "Pologne",
                   "Profession demandée": "Masseur-kinésithérapeute", "Code postal": "35000", "Commune": "Rennes",
                   "Intitulé du diplôme": "Magister fizjoterapii"},
           pieces={"Titre de formation": [("kowalczyk-diplome.pdf", PDF + b"2")]})
    ds.add(10103, nom="Rossi", prenom="Giulia", naissance="1994-02-21", depot="2026-11-09T10:40:00+01:00",
           champs={**common, "Nationalité": "italienne", "Profession demandée": "Sage-femme", "Code postal": "13001",
                   "Intitulé du diplôme": "Laurea in Ostetricia", "Pays de délivrance du diplôme": "Italie"},
           pieces={})
    ds.add(10104, nom="Novak", prenom="Petra", naissance="1990-08-08", depot="2026-11-12T08:05:00+01:00", civilite="Mme",
           champs={**common, "Nationalité": "tchèque", "Profession demandée": "Orthophoniste", "Code postal": "69003",
                   "Intitulé du diplôme": "Logopedie", "Pays de délivrance du diplôme": "Tchéquie"},
           pieces={"Titre de formation": [("novak-diplome.pdf", PDF + b"4")]})
    ds.bad_checksums.add("novak-diplome.pdf")
    ds.add(10105, nom="Dubois", prenom="Lucas", naissance="1989-12-30", depot="2026-11-16T16:30:00+01:00", civilite="M.",
           champs={**common, "Nationalité": "belge", "Profession demandée": "ergotherapeute", "Code postal": "59000",
                   "Intitulé du diplôme": "Bachelier en ergothérapie", "Pays de délivrance du diplôme": "Belgique"},
           pieces={"Pièce d'identité": [("dubois-identite.pdf", PDF + b"5")]})
    return ds
