"""Issue 16 item 14: the client refuses plain http off this machine, keeps its profile to its user
(folders 0700, files 0600, older profiles tightened at start) and gives the system viewer a fresh
private folder that is gone when the application exits."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import tempfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from aude_desktop.cli import main as cli
from aude_desktop.paths import Profile
from aude_desktop.settings import PLAIN_HTTP_REFUSED, Settings, SettingsError
from aude_desktop.store.database import open_store
from aude_desktop.store.keys import database_key
from aude_desktop.sync import attachments
from aude_desktop.sync.http import ApiError, Transport


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.parametrize("url", ["http://aude.exemple.gouv.fr", "HTTP://10.0.0.8:8765", "http://127.0.0.1.evil.test",
                                 "http://localhost@evil.test/api", "http://[2001:db8::1]:80"])
def test_plain_http_to_another_machine_is_refused_in_french(url):
    with pytest.raises(SettingsError, match="https://"):
        Settings(server_url=url).validate()
    with pytest.raises(ApiError) as refused:  # even from a settings file edited by hand: nothing is sent
        Transport.from_settings(Settings(server_url=url)).request("GET", "/api/v1/meta")
    assert str(refused.value) == PLAIN_HTTP_REFUSED


@pytest.mark.parametrize("url", ["http://127.0.0.1:8765", "http://localhost:9000", "http://[::1]:8765",
                                 "https://aude.exemple.gouv.fr"])
def test_https_and_this_machine_are_accepted(url):
    Settings(server_url=url).validate()


class _Redirect(BaseHTTPRequestHandler):
    def log_message(self, *_args) -> None:
        pass

    def do_GET(self) -> None:  # noqa: N802
        self.send_response(302)
        self.send_header("Location", "http://aude.exemple.gouv.fr/api/v1/meta")
        self.send_header("Content-Length", "0")
        self.end_headers()


def test_a_redirect_to_plain_http_elsewhere_is_not_followed():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Redirect)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        transport = Transport.from_settings(Settings(server_url=f"http://127.0.0.1:{server.server_port}"))
        with pytest.raises(ApiError, match="Connexion non chiffrée refusée"):
            transport.request("GET", "/api/v1/meta")
    finally:
        server.shutdown()


def test_cli_login_over_plain_http_is_refused_and_nothing_is_written(tmp_path, capsys):
    code = cli(["--profile", str(tmp_path / "p"), "login", "--server", "http://aude.exemple.gouv.fr", "--user", "agent.occ"])
    assert code == 2
    assert "Connexion non chiffrée refusée" in capsys.readouterr().err
    assert not (tmp_path / "p" / "config" / "settings.json").exists()


def test_profile_folders_and_files_are_private(tmp_path):
    profile = Profile.isolated(tmp_path / "p")
    store = open_store(profile, database_key(profile))
    with store.session() as s:
        s.connection().exec_driver_sql("SELECT 1")
    Settings(last_user="agent.occ").save(profile.settings_path)
    for folder in (profile.data_dir, profile.log_dir, profile.config_dir):
        assert mode(folder) == 0o700, folder
    db = profile.database_path
    assert mode(db) == 0o600
    assert all(mode(p) == 0o600 for p in db.parent.glob("aude.db*")), [(p.name, oct(mode(p))) for p in db.parent.glob("aude.db*")]
    assert mode(profile.settings_path) == 0o600
    store.close()


def test_an_older_profile_left_open_is_tightened_at_start(tmp_path):
    profile = Profile.isolated(tmp_path / "p")
    open_store(profile, database_key(profile)).close()
    backups = profile.backup_dir
    backups.mkdir(exist_ok=True)
    (backups / "aude-ancienne.db").write_bytes(b"copie")
    for path in (profile.data_dir, profile.log_dir, profile.config_dir, backups):
        path.chmod(0o755)
    for path in (profile.database_path, backups / "aude-ancienne.db"):
        path.chmod(0o644)
    store = open_store(profile, database_key(profile))  # what the application and aude-cli do at start
    assert mode(profile.data_dir) == mode(profile.log_dir) == mode(profile.config_dir) == mode(backups) == 0o700
    assert mode(profile.database_path) == mode(backups / "aude-ancienne.db") == 0o600
    store.close()


def test_the_viewer_folder_is_fresh_private_and_not_the_guessable_one(store, tmp_path):
    guessable = Path(tempfile.gettempdir()) / f"aude-desktop-{os.getuid()}"
    sha = attachments.add_file(store, _scan(tmp_path))
    path = attachments.export_for_viewing(store, sha, "passeport.pdf")
    try:
        assert path.parent != guessable and path.parent.name.startswith("aude-desktop-view-")
        assert mode(path.parent) == 0o700 and path.parent.stat().st_uid == os.getuid()
        assert mode(path) == 0o600 and path.read_bytes() == _scan(tmp_path).read_bytes()
        assert attachments.export_for_viewing(store, sha, "passeport.pdf").parent == path.parent
    finally:
        attachments.clear_viewing_folder()
    assert not path.parent.exists()


def test_the_viewer_folder_is_removed_when_the_process_exits(tmp_path):
    script = (
        "import sys; from pathlib import Path; from aude_desktop.sync import attachments as a\n"
        "folder = a.viewing_folder(); (folder / 'scan.pdf').write_bytes(b'x'); print(folder)\n"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True, cwd=Path(__file__).parents[2])
    folder = Path(out.stdout.strip())
    assert folder.name.startswith("aude-desktop-view-") and not folder.exists()


def _scan(tmp_path: Path) -> Path:
    scan = tmp_path / "passeport.pdf"
    if not scan.exists():
        scan.write_bytes(b"%PDF-1.4 passeport " + os.urandom(1000))
    return scan
