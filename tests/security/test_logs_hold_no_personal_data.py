"""A real run of the application over the demo data — server started, signed in, synced, queues
shown, at DEBUG level — leaves no applicant's or beneficiary's name in the log folder."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from central_api.demo_data import FIRST_F, FIRST_M, LAST


@pytest.mark.parametrize("role", ["agent_dreets", "ordre"])
def test_a_demo_run_logs_no_names(tmp_path, role):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", AUDE_LOG_LEVEL="DEBUG")
    done = subprocess.run(
        [str(Path(sys.executable).parent / "aude-desktop"), "--demo", "--role", role, "--profile", str(tmp_path / "p"),
         "--screenshot", str(tmp_path / "shot.png")],
        env=env, capture_output=True, text=True, timeout=240)
    assert done.returncode == 0, done.stderr[-2000:]
    logs = "\n".join(f.read_text(encoding="utf-8", errors="replace") for f in (tmp_path / "p" / "logs").rglob("*") if f.is_file())
    assert "start AUDE Desktop" in logs and len(logs.splitlines()) >= 3  # the log was written: the check means something
    names = [n for n in LAST + FIRST_F + FIRST_M if len(n) > 3]
    found = [n for n in names if re.search(rf"\b{re.escape(n)}\b", logs)]
    assert found == [], f"names in the log: {found}"
