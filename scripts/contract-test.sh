#!/usr/bin/env bash
# The contract tests: Posit's own Python client (posit-sdk) drives the fake Connect, so the fake
# and the provider cannot share an assumption the real client would contradict.
#
# Installs posit-sdk and pytest (scripts/setup-python-tests.sh), builds fake-connect, starts it
# on a free port with a random administrator key, runs pytest on tests/contract/ with
# CONNECT_SERVER and CONNECT_API_KEY set, and stops the fake however pytest ends. Extra
# arguments go to pytest (e.g. `-k associations`, `-x`). Exits with pytest's status.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

scripts/setup-python-tests.sh

cargo build --quiet -p fake-connect
target_dir="$(cargo metadata --format-version 1 --no-deps |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')"
fake="$target_dir/debug/fake-connect"

work="$(mktemp -d)"
fake_pid=""
stop() {
    if [ -n "$fake_pid" ]; then
        kill "$fake_pid" 2>/dev/null || true
        wait "$fake_pid" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap stop EXIT
# A signal ends the script through `exit`, so the EXIT trap stops the fake.
trap 'exit 143' TERM
trap 'exit 130' INT

key="contract-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
"$fake" --port 0 --api-key "$key" >"$work/stdout" 2>"$work/stderr" &
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
echo "contract-test: fake-connect at $url"

status=0
CONNECT_SERVER="$url" CONNECT_API_KEY="$key" PYTHONDONTWRITEBYTECODE=1 \
    .tools/venv/bin/python -m pytest -p no:cacheprovider --rootdir tests/contract -ra "$@" tests/contract ||
    status=$?
if [ -s "$work/stderr" ]; then
    echo "contract-test: fake-connect's stderr:"
    cat "$work/stderr"
fi
exit "$status"
