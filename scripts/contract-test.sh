#!/usr/bin/env bash
# The contract tests: Posit's own Python client (posit-sdk) drives the fake Connect, so the fake
# and the provider cannot share an assumption the real client would contradict; then every
# recorded exchange is held to Posit's published OpenAPI document
# (tests/contract/test_openapi_contract.py).
#
# Installs posit-sdk, pytest and openapi-core (scripts/setup-python-tests.sh), builds
# fake-connect, starts it on a free port with a random administrator key, recording every
# exchange into FAKE_CONNECT_EXCHANGES, runs pytest on tests/contract/test_posit_sdk.py with
# CONNECT_SERVER and CONNECT_API_KEY set, stops the fake, then runs
# tests/contract/test_openapi_contract.py over the whole directory. Extra arguments go to the
# posit-sdk run (e.g. `-k associations`, `-x`). Exits non-zero when either run fails.
#
# scripts/test.sh sets FAKE_CONNECT_EXCHANGES to the directory `cargo test` recorded into, so
# the provider's requests (the end-to-end suite's) are checked with posit-sdk's, and every
# operation the provider calls must have been exercised. Run alone, without the variable, the
# script records into a directory of its own: only posit-sdk's traffic is checked, and only what
# posit-sdk's tests drive is required (nothing at all when arguments narrow them).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

scripts/setup-python-tests.sh

cargo build --quiet -p fake-connect
target_dir="$(cargo metadata --format-version 1 --no-deps |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')"
fake="$target_dir/debug/fake-connect"

work="$(mktemp -d)"
fake_pid=""
stop_fake() {
    if [ -n "$fake_pid" ]; then
        kill "$fake_pid" 2>/dev/null || true
        wait "$fake_pid" 2>/dev/null || true
        fake_pid=""
    fi
}
cleanup() {
    stop_fake
    rm -rf "$work"
}
trap cleanup EXIT
# A signal ends the script through `exit`, so the EXIT trap stops the fake.
trap 'exit 143' TERM
trap 'exit 130' INT

exchanges="${FAKE_CONNECT_EXCHANGES:-}"
coverage="full"
if [ -z "$exchanges" ]; then
    exchanges="$work/exchanges"
    coverage="posit-sdk"
    [ "$#" -gt 0 ] && coverage="none"
    echo "contract-test: FAKE_CONNECT_EXCHANGES is not set: only posit-sdk's traffic is checked" \
        "against the OpenAPI document, and coverage required: $coverage (scripts/test.sh checks the provider's too)"
fi
mkdir -p "$exchanges"

key="contract-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
FAKE_CONNECT_EXCHANGES="$exchanges" "$fake" --port 0 --api-key "$key" >"$work/stdout" 2>"$work/stderr" &
fake_pid=$!
# Its first stdout line is its URL.
url=""
for _ in $(seq 100); do
    url="$(head -n1 "$work/stdout" 2>/dev/null || true)"
    [ -n "$url" ] && break
    if ! kill -0 "$fake_pid" 2>/dev/null; then
        break
    fi
    sleep 0.1
done
if [ -z "$url" ]; then
    echo "contract-test: fake-connect did not start:" >&2
    cat "$work/stderr" >&2
    exit 1
fi
echo "contract-test: fake-connect at $url, recording into $exchanges"

pytest() {
    PYTHONDONTWRITEBYTECODE=1 .tools/venv/bin/python -m pytest -p no:cacheprovider --rootdir tests/contract -ra "$@"
}

status=0
CONNECT_SERVER="$url" CONNECT_API_KEY="$key" pytest "$@" tests/contract/test_posit_sdk.py || status=$?
stop_fake
if [ -s "$work/stderr" ]; then
    echo "contract-test: fake-connect's stderr:"
    cat "$work/stderr"
fi

echo "contract-test: every exchange in $exchanges against tests/contract/openapi/connect-openapi.json"
FAKE_CONNECT_EXCHANGES="$exchanges" CONTRACT_COVERAGE="$coverage" pytest tests/contract/test_openapi_contract.py ||
    status=$?
exit "$status"
