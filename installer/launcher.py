"""Entry point of the frozen bundle (PyInstaller): the same `main` as the `aude-desktop` command."""

from aude_desktop.app import main

raise SystemExit(main())
