#!/usr/bin/env bash
# Checks a release in dist/ with real Terraform, the way users get it: from a registry whose
# signed SHA256SUMS hold every platform's checksum, and from a filesystem mirror. Run by
# scripts/release.sh at the end; it only reads dist/.
#
#   scripts/release-check.sh [--out DIR] [VERSION]      # VERSION: from the file names in DIR
#
# Everything is local: an HTTPS provider registry on 127.0.0.1 (python3's http.server with a
# throw-away certificate that Terraform trusts through SSL_CERT_FILE) serves dist/'s files, and
# a `host "registry.terraform.io"` block in the CLI configuration sends Terraform there. The
# SHA256SUMS are signed with GPG_FINGERPRINT's key when dist/ has its .sig, else with a
# throw-away key made here (dist/ is not changed).
#
# For each Terraform found (`terraform` on PATH, and .tools/bin/terraform-libtf from
# scripts/setup-terraform.sh), in fresh workspaces:
#   1. "a Mac": `terraform providers lock -platform=darwin_arm64` from the registry writes a lock
#      file with the zh: hashes of SHA256SUMS (one per zip, and the manifest's) and the h1: hash
#      of the darwin_arm64 package alone (computed here from the zip), as `terraform init` on a
#      Mac writes it;
#   2. "the Linux CI runner": that lock file, `terraform init` from the registry: the linux_amd64
#      package is accepted by its zh: hash, and its h1: is added;
#   3. the same from a filesystem mirror holding the zips (packed layout), unsigned: accepted by
#      the lock file's zh: hash alone;
#   4. the mirror with the linux_amd64 zip changed: `terraform init` must refuse it (checksum);
#   5. `terraform providers lock` for every platform in dist/: SHA256SUMS's zh: hashes and one h1:
#      per platform, each equal to the one computed here.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
say() { echo "release-check: $*" >&2; }
die() { say "error: $*"; exit 1; }

name="terraform-provider-posit"
out="$root/dist"
version=""
while [ $# -gt 0 ]; do
    case "$1" in
        --out) out="${2:?--out needs a directory}"; shift 2 ;;
        -h|--help) sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed -e '$d' -e 's/^# \{0,1\}//'; exit 0 ;;
        -*) die "unknown option $1 (see --help)" ;;
        *) version="${1#v}"; shift ;;
    esac
done
out="$(cd "$out" && pwd)"
if [ -z "$version" ]; then
    sums_file="$(ls "$out"/${name}_*_SHA256SUMS 2>/dev/null | head -n1)"
    [ -n "$sums_file" ] || die "no ${name}_VERSION_SHA256SUMS in $out"
    version="$(basename "$sums_file")"; version="${version#${name}_}"; version="${version%_SHA256SUMS}"
fi
sums="${name}_${version}_SHA256SUMS"
[ -f "$out/$sums" ] || die "no $sums in $out"
for tool in python3 openssl gpg; do command -v "$tool" >/dev/null 2>&1 || die "$tool is needed"; done

# The platforms in the release, from SHA256SUMS.
mapfile -t platforms < <(sed -n "s/^[0-9a-f]\{64\}  ${name}_${version}_\(.*\)\.zip$/\1/p" "$out/$sums")
[ "${#platforms[@]}" -gt 0 ] || die "$sums lists no zip"
has() { local p; for p in "${platforms[@]}"; do [ "$p" = "$1" ] && return 0; done; return 1; }
case "$(uname -m)" in x86_64) here=linux_amd64 ;; aarch64) here=linux_arm64 ;; *) here="" ;; esac
has "$here" || die "the release has no package for this machine ($here), which init would install"
# The lock file "from a Mac": darwin_arm64's, else another platform's than this machine's.
mac=darwin_arm64
has "$mac" || mac="$(printf '%s\n' "${platforms[@]}" | grep -vx "$here" | head -n1 || true)"
[ -n "$mac" ] || mac="$here"
say "release $version: ${platforms[*]}; lock written for $mac, verified on $here"

work="$(mktemp -d)"
server_pid=""
cleanup() {
    [ -z "$server_pid" ] || kill "$server_pid" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

# ---- Terraform
tfs=()
command -v terraform >/dev/null 2>&1 && tfs+=("$(command -v terraform)")
if [ ! -x "$root/.tools/bin/terraform-libtf" ]; then
    "$root/scripts/setup-terraform.sh" >&2 || say "warning: scripts/setup-terraform.sh failed; checking with the Terraform on PATH only"
fi
[ -x "$root/.tools/bin/terraform-libtf" ] && tfs+=("$root/.tools/bin/terraform-libtf")
[ "${#tfs[@]}" -gt 0 ] || die "no Terraform: put terraform on PATH or run scripts/setup-terraform.sh"

# ---- expected hashes: zh: is the zip's sha256, h1: the hash of the files inside it
python3 - "$out" "$name" "$version" "${platforms[@]}" >"$work/expected" <<'PY'
import base64, hashlib, sys, zipfile
out, name, version, platforms = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
for p in platforms:
    path = f"{out}/{name}_{version}_{p}.zip"
    zh = hashlib.sha256(open(path, "rb").read()).hexdigest()
    lines = ""
    with zipfile.ZipFile(path) as z:
        for member in sorted(i.filename for i in z.infolist() if not i.is_dir()):
            lines += f"{hashlib.sha256(z.read(member)).hexdigest()}  {member}\n"
    h1 = base64.b64encode(hashlib.sha256(lines.encode()).digest()).decode()
    print(p, "zh:" + zh, "h1:" + h1)
PY
while read -r p zh _; do
    grep -q "^${zh#zh:}  ${name}_${version}_${p}.zip$" "$out/$sums" || die "$sums does not hold the sha256 of the $p zip"
done <"$work/expected"

# ---- a signed SHA256SUMS
user_gnupghome="${GNUPGHOME:-$HOME/.gnupg}"
export GNUPGHOME="$work/gnupg"
mkdir -m 700 "$GNUPGHOME"
reg="$work/registry"
files="$reg/files"
mkdir -p "$files"
cp "$out/${name}_${version}_"*.zip "$out/$sums" "$files/"
if [ -n "${GPG_FINGERPRINT:-}" ] && [ -f "$out/$sums.sig" ]; then
    GNUPGHOME="$user_gnupghome" gpg --batch --armor --export "$GPG_FINGERPRINT" >"$work/key.asc"
    gpg --batch --quiet --import "$work/key.asc"
    cp "$out/$sums.sig" "$files/"
    say "using $sums.sig, signed by $GPG_FINGERPRINT"
else
    gpg --batch --quiet --passphrase '' --quick-gen-key "release-check <release-check@localhost>" rsa3072 sign 1d 2>/dev/null
    gpg --batch --quiet --detach-sign --output "$files/$sums.sig" "$files/$sums"
    gpg --batch --armor --export >"$work/key.asc"
    say "signed a copy of $sums with a throw-away key (set GPG_FINGERPRINT to sign the release itself)"
fi
key_id="$(gpg --batch --with-colons --list-keys 2>/dev/null | awk -F: '$1=="pub"{print $5; exit}')"

# ---- the registry, over HTTPS on 127.0.0.1
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj "/CN=127.0.0.1" \
    -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" -keyout "$work/key.pem" -out "$work/cert.pem" 2>/dev/null
python3 - "$reg" "$work/cert.pem" "$work/key.pem" "$work/port" <<'PY' &
import functools, http.server, ssl, sys
root, cert, key, port_file = sys.argv[1:]
class Handler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass
server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Handler, directory=root))
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(cert, key)
server.socket = ctx.wrap_socket(server.socket, server_side=True)
with open(port_file + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
import os; os.rename(port_file + ".tmp", port_file)
server.serve_forever()
PY
server_pid=$!
for _ in $(seq 1 100); do [ -s "$work/port" ] && break; sleep 0.1; done
[ -s "$work/port" ] || die "the local registry did not start"
base="https://127.0.0.1:$(cat "$work/port")"
python3 - "$reg" "$base" "$name" "$version" "$sums" "$key_id" "$work/key.asc" "${platforms[@]}" <<'PY'
import hashlib, json, os, sys
reg, base, name, version, sums, key_id, key_file, platforms = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5], sys.argv[6], sys.argv[7], sys.argv[8:]
api = f"{reg}/v1/providers/posit-dev/posit"
os.makedirs(api, exist_ok=True)
pairs = [p.split("_") for p in platforms]
with open(f"{api}/versions", "w") as f:
    json.dump({"versions": [{"version": version, "protocols": ["6.0"],
                             "platforms": [{"os": o, "arch": a} for o, a in pairs]}]}, f)
armor = open(key_file).read()
for o, a in pairs:
    zip_name = f"{name}_{version}_{o}_{a}.zip"
    d = f"{api}/{version}/download/{o}"
    os.makedirs(d, exist_ok=True)
    with open(f"{d}/{a}", "w") as f:
        json.dump({
            "protocols": ["6.0"], "os": o, "arch": a, "filename": zip_name,
            "download_url": f"{base}/files/{zip_name}",
            "shasums_url": f"{base}/files/{sums}",
            "shasums_signature_url": f"{base}/files/{sums}.sig",
            "shasum": hashlib.sha256(open(f"{reg}/files/{zip_name}", "rb").read()).hexdigest(),
            "signing_keys": {"gpg_public_keys": [{"key_id": key_id, "ascii_armor": armor}]},
        }, f)
PY
cat >"$work/registry.tfrc" <<EOF
host "registry.terraform.io" {
  services = {
    "providers.v1" = "$base/v1/providers/"
  }
}
provider_installation {
  direct {}
}
EOF
mirror="$work/mirror"
mkdir -p "$mirror/registry.terraform.io/posit-dev/posit"
cp "$out/${name}_${version}_"*.zip "$mirror/registry.terraform.io/posit-dev/posit/"
mirror_tfrc() { # mirror_tfrc DIR
    cat <<EOF
provider_installation {
  filesystem_mirror {
    path    = "$1"
    include = ["registry.terraform.io/posit-dev/posit"]
  }
  direct {
    exclude = ["registry.terraform.io/posit-dev/posit"]
  }
}
EOF
}
mirror_tfrc "$mirror" >"$work/mirror.tfrc"
# The same mirror with this machine's zip changed: its binary with one byte appended.
bad="$work/bad-mirror"
cp -r "$mirror" "$bad"
python3 - "$bad/registry.terraform.io/posit-dev/posit/${name}_${version}_${here}.zip" <<'PY'
import sys, zipfile
path = sys.argv[1]
with zipfile.ZipFile(path) as z:
    members = [(i, z.read(i.filename)) for i in z.infolist()]
with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
    for info, data in members:
        z.writestr(info, data + b"\0")
PY
mirror_tfrc "$bad" >"$work/bad.tfrc"

# ---- the checks
lock_hashes() { # lock_hashes LOCKFILE: the hashes of posit-dev/posit, one a line, sorted
    python3 - "$1" "$version" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
m = re.search(r'provider "registry\.terraform\.io/posit-dev/posit" \{(.*?)\n\}', text, re.S)
if not m:
    sys.exit("no posit-dev/posit entry in the lock file")
body = m.group(1)
if f'version     = "{sys.argv[2]}"' not in body:
    sys.exit(f"the lock file's posit-dev/posit entry is not version {sys.argv[2]}")
print("\n".join(sorted(re.findall(r'"((?:h1|zh):[^"]+)"', body))))
PY
}
expect_hashes() { # expect_hashes WHAT LOCKFILE PLATFORMS_WITH_H1...: zh of every zip, h1 of those
    local what="$1" lock="$2"; shift 2
    local want got
    # Terraform records a zh: hash for every line of the signed SHA256SUMS (the manifest's too).
    want="$( { awk '{print "zh:" $1}' "$out/$sums"; for p in "$@"; do awk -v p="$p" '$1==p{print $3}' "$work/expected"; done; } | sort)"
    got="$(lock_hashes "$lock")" || die "$what: $got"
    if [ "$got" != "$want" ]; then
        say "$what: the lock file's hashes differ from the release's"
        diff <(echo "$want") <(echo "$got") | sed 's/^/    /' >&2 || true
        cat "$lock" >&2
        die "$what: wrong hashes in the lock file"
    fi
    say "  $what: $(grep -c '^zh:' <<<"$got") zh: and $(grep -c '^h1:' <<<"$got") h1: hashes, as expected ($*)"
}
main_tf='terraform {
  required_providers {
    posit = {
      source  = "posit-dev/posit"
      version = "'"$version"'"
    }
  }
}'
tf_run() { # tf_run TF CLICONFIG DIR ARGS...: runs Terraform; its output in DIR/output
    local tf="$1" cfg="$2" dir="$3"; shift 3
    mkdir -p "$dir"
    [ -f "$dir/main.tf" ] || printf '%s\n' "$main_tf" >"$dir/main.tf"
    (cd "$dir" && env TF_CLI_CONFIG_FILE="$cfg" SSL_CERT_FILE="$work/cert.pem" TF_IN_AUTOMATION=1 \
        TF_PLUGIN_CACHE_DIR= TF_DATA_DIR="$dir/.terraform" CHECKPOINT_DISABLE=1 \
        "$tf" "$@" -no-color >"$dir/output" 2>&1)
}
platform_flags() { local p; for p in "$@"; do printf -- '-platform=%s ' "$p"; done; }

n=0
for tf in "${tfs[@]}"; do
    n=$((n + 1))
    say "with $tf ($("$tf" version 2>/dev/null | head -n1))"
    w="$work/tf$n"

    # 1. A lock file as `terraform init` writes it on the "Mac".
    tf_run "$tf" "$work/registry.tfrc" "$w/mac" providers lock -platform="$mac" ||
        { cat "$w/mac/output" >&2; die "providers lock -platform=$mac from the registry failed"; }
    grep -q "signed" "$w/mac/output" && ! grep -q "unauthenticated" "$w/mac/output" ||
        { cat "$w/mac/output" >&2; die "Terraform did not check the signature of $sums"; }
    expect_hashes "lock file written for $mac (signed registry)" "$w/mac/.terraform.lock.hcl" "$mac"

    # 2. The CI runner: init from the registry with that lock file.
    mkdir -p "$w/ci"; cp "$w/mac/.terraform.lock.hcl" "$w/ci/"
    tf_run "$tf" "$work/registry.tfrc" "$w/ci" init -input=false ||
        { cat "$w/ci/output" >&2; die "init on $here with the lock file from $mac failed"; }
    grep -q "Installed posit-dev/posit v$version" "$w/ci/output" || { cat "$w/ci/output" >&2; die "init did not install posit-dev/posit v$version"; }
    expect_hashes "after init on $here (registry)" "$w/ci/.terraform.lock.hcl" "$mac" "$here"

    # 3. The same from the filesystem mirror, without a signature: the zh: hash decides.
    mkdir -p "$w/mirror"; cp "$w/mac/.terraform.lock.hcl" "$w/mirror/"
    tf_run "$tf" "$work/mirror.tfrc" "$w/mirror" init -input=false ||
        { cat "$w/mirror/output" >&2; die "init on $here from the filesystem mirror with the lock file from $mac failed"; }
    expect_hashes "after init on $here (filesystem mirror)" "$w/mirror/.terraform.lock.hcl" "$mac" "$here"

    # 4. A changed zip is refused.
    mkdir -p "$w/bad"; cp "$w/mac/.terraform.lock.hcl" "$w/bad/"
    if tf_run "$tf" "$work/bad.tfrc" "$w/bad" init -input=false; then
        cat "$w/bad/output" >&2; die "init accepted a changed $here zip"
    fi
    grep -qi "checksum" "$w/bad/output" || { cat "$w/bad/output" >&2; die "init refused the changed zip, but not for its checksum"; }
    say "  a changed $here zip is refused: $(tr -s ' \n│' ' ' <"$w/bad/output" | grep -o "[^:]*doesn't match any of the checksums[^;]*" | head -n1)"

    # 5. Every platform.
    # shellcheck disable=SC2046
    tf_run "$tf" "$work/registry.tfrc" "$w/all" providers lock $(platform_flags "${platforms[@]}") ||
        { cat "$w/all/output" >&2; die "providers lock for every platform failed"; }
    expect_hashes "providers lock for every platform" "$w/all/.terraform.lock.hcl" "${platforms[@]}"
done
say "ok: a lock file written on $mac verifies on $here (${#tfs[@]} Terraform binaries)"
