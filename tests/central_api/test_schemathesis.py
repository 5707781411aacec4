"""Property-based fuzzing of the whole OpenAPI document: no input may cause a server error (5xx).

Bounded here (a few examples per operation); `make test-faults` runs a larger budget.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

MAX_EXAMPLES = int(os.environ.get("AUDE_SCHEMATHESIS_EXAMPLES", "15"))


def test_no_input_causes_a_server_error(server, login):
    agent = login("agent.occ")
    command = [
        str(Path(sys.executable).parent / "schemathesis"), "run", f"{server.url}/api/v1/openapi.json",
        "--checks", "not_a_server_error", "--max-examples", str(MAX_EXAMPLES), "--seed", "1",
        "--header", f"Authorization: Bearer {agent.tokens['access_token']}",
        "--request-timeout", "20", "--suppress-health-check", "all",
    ]
    result = subprocess.run(command, capture_output=True, text=True, timeout=600,
                            env=dict(os.environ, NO_COLOR="1", SCHEMATHESIS_TELEMETRY="false"))
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-4000:]
    passed = re.search(r"(\d+) passed", output)
    assert passed and int(passed.group(1)) > 0, output[-2000:]
