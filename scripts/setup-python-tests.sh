#!/usr/bin/env bash
# Installs what the contract tests (tests/contract/) need into the venv the Terraform set-up
# uses, .tools/venv (made here when scripts/setup-terraform.sh has not run yet): Posit's own
# Python client, posit-sdk, and pytest, both pinned.
#
# Idempotent and quiet: when both are already there at the pinned versions it only says so.
# Says what it did, on stdout lines that start with "setup-python-tests:".
set -euo pipefail

POSIT_SDK_VERSION="0.17.0" # checked: tests/contract pass against fake-connect with it
PYTEST_VERSION="9.2.0"

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="$root/.tools/venv"

say() { echo "setup-python-tests: $*"; }

python="${PYTHON:-python3}"
if ! command -v "$python" >/dev/null 2>&1; then
    say "error: $python not found; the contract tests need Python 3" >&2
    exit 1
fi

installed() {
    [ -x "$venv/bin/python" ] || return 1
    "$venv/bin/python" -c 'import importlib.metadata as m
print(m.version("posit-sdk"), m.version("pytest"))' 2>/dev/null
}

want="$POSIT_SDK_VERSION $PYTEST_VERSION"
if [ "$(installed || true)" = "$want" ]; then
    say "posit-sdk $POSIT_SDK_VERSION and pytest $PYTEST_VERSION already installed in $venv"
    exit 0
fi
if [ ! -x "$venv/bin/python" ]; then
    say "creating venv $venv"
    "$python" -m venv "$venv"
fi
say "installing posit-sdk==$POSIT_SDK_VERSION pytest==$PYTEST_VERSION into $venv"
"$venv/bin/python" -m pip install --disable-pip-version-check --quiet \
    "posit-sdk==$POSIT_SDK_VERSION" "pytest==$PYTEST_VERSION"
got="$(installed || true)"
if [ "$got" != "$want" ]; then
    say "error: expected posit-sdk and pytest at $want, found: ${got:-nothing}" >&2
    exit 1
fi
