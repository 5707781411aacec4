"""A TCP proxy between the client and the real server that cuts, delays or truncates responses.

Each accepted connection takes the proxy's current `mode`:
- "pass": bytes flow both ways untouched;
- "refuse": the connection is closed at once (network down);
- "cut": the request reaches the server, but the connection is closed as soon as the answer
  starts, so the client never learns that its commands were applied;
- "truncate": only the first `truncate_at` bytes of the answer are forwarded, then close;
- "delay": every chunk of the answer waits `delay_s` seconds (a slow mobile link).
"""

from __future__ import annotations

import socket
import threading
import time
from dataclasses import dataclass, field

MODES = ("pass", "refuse", "cut", "truncate", "delay")


@dataclass
class FaultProxy:
    target_port: int
    mode: str = "pass"
    truncate_at: int = 200
    delay_s: float = 0.2
    connections: dict[str, int] = field(default_factory=lambda: dict.fromkeys(MODES, 0))

    def __post_init__(self) -> None:
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self._closed = False
        self._open: set[socket.socket] = set()
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def set_mode(self, mode: str) -> None:
        """Switch fault; open (keep-alive) connections are dropped so the next request meets it."""
        self.mode = mode
        for sock in list(self._open):
            _close(sock)
        self._open.clear()

    def close(self) -> None:
        self._closed = True
        self._listener.close()
        self.set_mode("pass")

    def _accept(self) -> None:
        while not self._closed:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            mode = self.mode
            self.connections[mode] += 1
            if mode == "refuse":
                _close(client)
                continue
            try:
                upstream = socket.create_connection(("127.0.0.1", self.target_port))
            except OSError:
                _close(client)
                continue
            self._open.update((client, upstream))
            threading.Thread(target=_pump, args=(client, upstream, "pass", self), daemon=True).start()
            threading.Thread(target=_pump, args=(upstream, client, mode, self), daemon=True).start()


def _pump(source: socket.socket, sink: socket.socket, mode: str, proxy: FaultProxy) -> None:
    sent = 0
    try:
        while True:
            chunk = source.recv(65536)
            if not chunk:
                break
            if mode == "cut":
                break
            if mode == "delay":
                time.sleep(proxy.delay_s)
            if mode == "truncate":
                chunk = chunk[: max(0, proxy.truncate_at - sent)]
            sink.sendall(chunk)
            sent += len(chunk)
            if mode == "truncate" and sent >= proxy.truncate_at:
                break
    except OSError:
        pass
    finally:
        _close(source)
        _close(sink)


def _close(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    sock.close()
