# AUDE Desktop — the two commands: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export QT_QPA_PLATFORM ?= offscreen

.PHONY: run setup system-deps test test-faults lint bench screenshot package package-check clean

# Setup is idempotent: the venv is rebuilt only when pyproject.toml changes.
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[server,dev]"
	touch $(STAMP)

setup: $(STAMP)

# Debian packages: the X libraries PySide6's xcb plugin links to (listed in aude_desktop/display.py,
# which the .deb declares too), Xvfb (a real X server for the windowed test), and what some tests use
# (a real Secret Service, PDF tools). CI runs it as root; without root or apt-get it says so and the
# tests that need them skip with the reason.
SYSTEM_PACKAGES := gnome-keyring dbus-daemon poppler-utils xvfb xauth $(shell $(PYTHON) aude_desktop/display.py --packages)
system-deps:
	@if command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ]; then \
	  dpkg -s $(SYSTEM_PACKAGES) >/dev/null 2>&1 || \
	  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(SYSTEM_PACKAGES) >/dev/null; }; \
	  command -v initdb >/dev/null || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null || true; \
	else echo "system-deps: run as root on Debian/Ubuntu to install $(SYSTEM_PACKAGES) and PostgreSQL"; fi

# A display and the xcb libraries are checked first: what is missing is said in French, with the
# packages to install.
run: $(STAMP)
	@QT_QPA_PLATFORM= $(BIN)/python aude_desktop/display.py
	QT_QPA_PLATFORM= $(BIN)/aude-desktop --demo

# Each test run gets a private TMPDIR, removed afterwards whatever happens (failure, Ctrl+C): what a
# killed child process could leave in it goes too.
# (755: the throw-away PostgreSQL cluster of the tests runs as `nobody` when root runs the tests.)
PRIVATE_TMP = tmp=$$(mktemp -d "$${TMPDIR:-/tmp}/aude-test-XXXXXX"); chmod 755 "$$tmp"; trap 'rm -rf "$$tmp"' EXIT; \
	trap 'exit 130' INT; trap 'exit 143' TERM; TMPDIR="$$tmp"

test: $(STAMP)
	@$(PRIVATE_TMP) $(BIN)/python -m pytest -q tests

# Longer fault loops and a larger fuzzing budget than the bounded versions inside `make test`.
test-faults: $(STAMP)
	@$(PRIVATE_TMP) HYPOTHESIS_PROFILE=explore AUDE_KILL_ROUNDS=100 AUDE_KILL_FIRST_ROUNDS=40 AUDE_PROXY_ROUNDS=150 AUDE_LETTER_KILL_ROUNDS=40 \
	  AUDE_HOSTILE_EXAMPLES=600 AUDE_SCHEMATHESIS_EXAMPLES=200 AUDE_PROTOCOL_EXAMPLES=400 AUDE_SCOPE_EXAMPLES=300 AUDE_UPLOAD_ROUNDS=30 \
	  AUDE_LOGIN_RACE=300 AUDE_REFRESH_RACE=100 \
	  $(BIN)/python -m pytest -q -s tests/faults tests/central_api/test_schemathesis.py \
	  tests/central_api/test_hostile_commands.py tests/sync/test_hostile_server.py tests/rules/test_rule_properties.py \
	  tests/central_api/test_protocol_attacks.py tests/security/test_sync_client_attacks.py \
	  tests/sync/test_hostile_scope.py tests/central_api/test_blob_possession.py tests/central_api/test_move_region.py \
	  tests/central_api/test_access_matrix.py tests/security/test_client_hardening.py \
	  tests/central_api/test_sign_in_attacks.py tests/security/test_audit_tampering.py

lint: $(STAMP)
	$(BIN)/ruff check aude_desktop central_api tests bench

bench: $(STAMP)
	$(BIN)/python -m bench

screenshot: $(STAMP)
	$(BIN)/python -m aude_desktop.ui.gallery docs/screenshots

# A one-folder PyInstaller bundle (dist/aude-desktop/) and a .deb (dist/aude-desktop_VERSION_ARCH.deb).
# Windows: installer/windows/aude-desktop.iss (Inno Setup), built on a Windows machine (docs/ADMIN.md).
package: $(STAMP)
	$(BIN)/python -m pip install --quiet -e ".[package]"
	$(BIN)/pyinstaller --noconfirm --clean --log-level WARN --distpath dist --workpath build/pyinstaller installer/aude-desktop.spec
	$(BIN)/python installer/build_deb.py

package-check: $(STAMP)
	$(BIN)/python installer/package_check.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache build dist
