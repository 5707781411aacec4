"""The transport honours the proxy and the CA bundle the user configured, and only those."""

from __future__ import annotations

import http.client
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import pytest

from aude_desktop.settings import Settings
from aude_desktop.sync.http import NetworkError, Transport
from tests.support.live_server import start


class _Proxy(BaseHTTPRequestHandler):
    """A forwarding HTTP proxy on 127.0.0.1 that records what went through it."""

    seen: list[str] = []

    def log_message(self, *args):
        pass

    def do_GET(self):  # noqa: N802
        self.seen.append(self.path)
        target = urlsplit(self.path)
        upstream = http.client.HTTPConnection(target.hostname, target.port, timeout=10)
        upstream.request("GET", target.path + (f"?{target.query}" if target.query else ""), headers=dict(self.headers))
        answer = upstream.getresponse()
        body = answer.read()
        self.send_response(answer.status)
        for key, value in answer.getheaders():
            if key.lower() not in ("transfer-encoding", "connection", "content-length"):
                self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def server(tmp_path):
    live = start(f"sqlite:///{tmp_path / 'c.db'}")
    yield live
    live.stop()


def test_requests_go_through_the_configured_proxy(server):
    handler = type("Proxy", (_Proxy,), {"seen": []})
    proxy = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=proxy.serve_forever, daemon=True).start()
    try:
        settings = Settings(server_url=server.url, http_proxy=f"http://127.0.0.1:{proxy.server_address[1]}")
        meta = Transport.from_settings(settings).request("GET", "/api/v1/meta")
        assert meta["protocol_version"] == 1
        assert handler.seen == [f"{server.url}/api/v1/meta"]
        direct = Transport.from_settings(Settings(server_url=server.url))
        direct.request("GET", "/api/v1/meta")
        assert len(handler.seen) == 1  # without the setting, no proxy (not even one from the environment)
    finally:
        proxy.shutdown()


def test_dead_proxy_is_a_french_network_error(server):
    settings = Settings(server_url=server.url, http_proxy="http://127.0.0.1:9")
    with pytest.raises(NetworkError) as excinfo:
        Transport.from_settings(settings).request("GET", "/api/v1/meta")
    assert "proxy" in str(excinfo.value).lower() or "injoignable" in str(excinfo.value)


def test_ca_bundle_is_used_for_verification(tmp_path):
    bundle = tmp_path / "ac-interne.pem"
    bundle.write_text("-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n")
    transport = Transport.from_settings(Settings(server_url="https://aude.exemple.invalid", ca_bundle=str(bundle)))
    assert transport.session.verify == str(bundle)
    assert Transport.from_settings(Settings()).session.verify is True
