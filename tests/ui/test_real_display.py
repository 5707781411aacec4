"""`aude-desktop --demo` on a real X server (Xvfb): the xcb plugin loads, the main window maps, a
close request from the window system (WM_DELETE_WINDOW, what a window manager's close button
sends) ends the app with exit code 0, and no temporary folder is left."""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from aude_desktop.display import missing_libraries

BIN = Path(sys.executable).parent
XVFB = shutil.which("Xvfb")
LIBX11 = ctypes.util.find_library("X11")

pytestmark = [
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="X11 is Linux-only here"),
    pytest.mark.skipif(XVFB is None, reason="Xvfb absent (Debian package xvfb: `make system-deps` as root)"),
    pytest.mark.skipif(LIBX11 is None, reason="libX11 absent (Debian package libx11-6: `make system-deps`)"),
]


class _ClientMessage(ctypes.Structure):
    _fields_ = [("type", ctypes.c_int), ("serial", ctypes.c_ulong), ("send_event", ctypes.c_int),
                ("display", ctypes.c_void_p), ("window", ctypes.c_ulong), ("message_type", ctypes.c_ulong),
                ("format", ctypes.c_int), ("data", ctypes.c_long * 5)]


class _Event(ctypes.Union):
    _fields_ = [("client", _ClientMessage), ("pad", ctypes.c_long * 24)]


class X11:
    """Just enough Xlib to find a top-level window by name and ask it to close."""

    def __init__(self, display: str):
        self.x = ctypes.CDLL(LIBX11)
        self.x.XOpenDisplay.restype = ctypes.c_void_p
        self.x.XOpenDisplay.argtypes = [ctypes.c_char_p]
        self.x.XDefaultRootWindow.restype = ctypes.c_ulong
        self.x.XDefaultRootWindow.argtypes = [ctypes.c_void_p]
        self.x.XQueryTree.argtypes = [ctypes.c_void_p, ctypes.c_ulong, ctypes.POINTER(ctypes.c_ulong),
                                      ctypes.POINTER(ctypes.c_ulong), ctypes.POINTER(ctypes.POINTER(ctypes.c_ulong)),
                                      ctypes.POINTER(ctypes.c_uint)]
        self.x.XGetWindowProperty.argtypes = [
            ctypes.c_void_p, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_long, ctypes.c_long, ctypes.c_int, ctypes.c_ulong,
            ctypes.POINTER(ctypes.c_ulong), ctypes.POINTER(ctypes.c_int), ctypes.POINTER(ctypes.c_ulong),
            ctypes.POINTER(ctypes.c_ulong), ctypes.POINTER(ctypes.c_void_p)]
        self.x.XInternAtom.restype = ctypes.c_ulong
        self.x.XInternAtom.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int]
        self.x.XSendEvent.argtypes = [ctypes.c_void_p, ctypes.c_ulong, ctypes.c_int, ctypes.c_long, ctypes.POINTER(_Event)]
        self.x.XFlush.argtypes = [ctypes.c_void_p]
        self.x.XCloseDisplay.argtypes = [ctypes.c_void_p]
        self.x.XFree.argtypes = [ctypes.c_void_p]
        self.display = self.x.XOpenDisplay(display.encode())
        assert self.display, f"cannot open X display {display}"

    def windows(self) -> dict[int, str]:
        """Named top-level windows (children of the root, no window manager here)."""
        root, parent = ctypes.c_ulong(), ctypes.c_ulong()
        children, count = ctypes.POINTER(ctypes.c_ulong)(), ctypes.c_uint()
        self.x.XQueryTree(self.display, self.x.XDefaultRootWindow(self.display), ctypes.byref(root),
                          ctypes.byref(parent), ctypes.byref(children), ctypes.byref(count))
        named = {}
        for i in range(count.value):
            name = self.text_property(children[i], b"_NET_WM_NAME")  # the title, in UTF-8
            if name:
                named[children[i]] = name
        if children:
            self.x.XFree(children)
        return named

    def text_property(self, window: int, name: bytes) -> str:
        kind, fmt = ctypes.c_ulong(), ctypes.c_int()
        items, after, data = ctypes.c_ulong(), ctypes.c_ulong(), ctypes.c_void_p()
        atom = self.x.XInternAtom(self.display, name, False)
        if self.x.XGetWindowProperty(self.display, window, atom, 0, 1024, False, 0, ctypes.byref(kind), ctypes.byref(fmt),
                                     ctypes.byref(items), ctypes.byref(after), ctypes.byref(data)) != 0 or not data:
            return ""
        text = ctypes.string_at(data, items.value).decode("utf-8", errors="replace") if fmt.value == 8 else ""
        self.x.XFree(data)
        return text

    def close(self, window: int) -> None:
        event = _Event()
        event.client.type = 33  # ClientMessage
        event.client.window = window
        event.client.message_type = self.x.XInternAtom(self.display, b"WM_PROTOCOLS", False)
        event.client.format = 32
        event.client.data[0] = self.x.XInternAtom(self.display, b"WM_DELETE_WINDOW", False)
        self.x.XSendEvent(self.display, window, False, 0, ctypes.byref(event))
        self.x.XFlush(self.display)

    def disconnect(self) -> None:
        self.x.XCloseDisplay(self.display)


@pytest.fixture
def xserver(tmp_path):
    read, write = os.pipe()
    server = subprocess.Popen([XVFB, "-displayfd", str(write), "-screen", "0", "1280x900x24", "-nolisten", "tcp"],
                              pass_fds=(write,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(write)
    with os.fdopen(read) as pipe:
        number = pipe.readline().strip()
    if not number:
        server.kill()
        pytest.fail("Xvfb did not start")
    yield f":{number}"
    server.terminate()
    server.wait(timeout=10)


def test_demo_opens_its_main_window_on_a_real_x_server_and_closes_cleanly(tmp_path, xserver):
    assert missing_libraries() == [], "the xcb plugin's libraries: `make system-deps` installs them"
    tmpdir = tmp_path / "tmp"
    tmpdir.mkdir()
    env = dict(os.environ, DISPLAY=xserver, TMPDIR=str(tmpdir), PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring")
    env.pop("QT_QPA_PLATFORM", None)
    env.pop("WAYLAND_DISPLAY", None)
    app = subprocess.Popen([str(BIN / "aude-desktop"), "--demo", "--role", "agent_dreets"], env=env,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    x11 = X11(xserver)
    try:
        deadline = time.monotonic() + 120
        main = None
        while main is None and time.monotonic() < deadline and app.poll() is None:
            main = next((w for w, name in x11.windows().items() if name == "AUDE Desktop — profil de démonstration"), None)
            time.sleep(0.2)
        assert main is not None, f"no main window mapped (exit {app.poll()}): {app.stdout.read() if app.poll() is not None else ''}"
        # the demo server is up and the first sync has started before the window is asked to close
        deadline = time.monotonic() + 120
        while not any("Serveur prêt" in log.read_text(encoding="utf-8") for log in tmpdir.glob("aude-demo-server-*/server.log")):
            assert time.monotonic() < deadline and app.poll() is None, "the demo server did not start"
            time.sleep(0.2)
        x11.close(main)
        code = app.wait(timeout=90)
    finally:
        x11.disconnect()
        if app.poll() is None:
            app.kill()
    output = app.stdout.read()
    assert code == 0, output
    assert "could not load the Qt platform plugin" not in output
    assert list(tmpdir.iterdir()) == []
