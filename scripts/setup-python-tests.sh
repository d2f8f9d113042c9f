#!/usr/bin/env bash
# Installs what the contract tests (tests/contract/) need into the venv the Terraform set-up
# uses, .tools/venv (made here when scripts/setup-terraform.sh has not run yet): Posit's own
# Python client, posit-sdk, pytest, and openapi-core (the validator that holds every recorded
# exchange to Posit's published OpenAPI document, tests/contract/test_openapi_contract.py), all
# pinned.
#
# Idempotent and quiet: when all are already there at the pinned versions it only says so.
# Says what it did, on stdout lines that start with "setup-python-tests:".
set -euo pipefail

POSIT_SDK_VERSION="0.17.0" # checked: tests/contract pass against fake-connect with it
PYTEST_VERSION="9.2.0"
OPENAPI_CORE_VERSION="0.23.1" # checked: installs from PyPI, validates OpenAPI 3.0 documents

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
print(m.version("posit-sdk"), m.version("pytest"), m.version("openapi-core"))' 2>/dev/null
}

want="$POSIT_SDK_VERSION $PYTEST_VERSION $OPENAPI_CORE_VERSION"
if [ "$(installed || true)" = "$want" ]; then
    say "posit-sdk $POSIT_SDK_VERSION, pytest $PYTEST_VERSION and openapi-core $OPENAPI_CORE_VERSION already installed in $venv"
    exit 0
fi
if [ ! -x "$venv/bin/python" ]; then
    say "creating venv $venv"
    "$python" -m venv "$venv"
fi
say "installing posit-sdk==$POSIT_SDK_VERSION pytest==$PYTEST_VERSION openapi-core==$OPENAPI_CORE_VERSION into $venv"
"$venv/bin/python" -m pip install --disable-pip-version-check --quiet \
    "posit-sdk==$POSIT_SDK_VERSION" "pytest==$PYTEST_VERSION" "openapi-core==$OPENAPI_CORE_VERSION"
got="$(installed || true)"
if [ "$got" != "$want" ]; then
    say "error: expected posit-sdk, pytest and openapi-core at $want, found: ${got:-nothing}" >&2
    exit 1
fi
