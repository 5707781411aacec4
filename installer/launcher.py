"""Entry point of the frozen bundle (PyInstaller): the same `main` as the `aude-desktop` command."""

import multiprocessing

if __name__ == "__main__":
    # The first sync's writer process (store/writer_process.py) starts this executable again.
    multiprocessing.freeze_support()
    from aude_desktop.app import main

    raise SystemExit(main())
