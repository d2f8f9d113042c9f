#!/usr/bin/env bash
# Builds a release of the provider in the layout the Terraform Registry (and any provider
# network mirror) expects, into dist/:
#
#   terraform-provider-posit_VERSION_linux_amd64.zip    the binary, named terraform-provider-posit_vVERSION
#   terraform-provider-posit_VERSION_manifest.json      terraform-registry-manifest.json (protocol 6.0)
#   terraform-provider-posit_VERSION_SHA256SUMS         sha256 of the zips and the manifest
#   terraform-provider-posit_VERSION_SHA256SUMS.sig     only with GPG_FINGERPRINT set (see below)
#
# Usage:
#   scripts/release.sh [VERSION]            # VERSION defaults to Cargo.toml's; a leading "v" is dropped
#   scripts/release.sh --binary PATH [--allow-dynamic] [VERSION]
#                                           # package an already-built binary instead of building
#   options: --out DIR (default dist/), --no-verify (skip running the built binary)
#
# The linux_amd64 binary is statically linked (glibc, `-C target-feature=+crt-static`), so it
# runs on any x86-64 Linux whatever its C library: Terraform Cloud agents, distroless or Alpine
# images. The script checks that the ELF file has no interpreter and no needed shared
# libraries, then runs it: started by hand it must say it is a plugin and exit 1, and with
# -debug it must start serving (print TF_REATTACH_PROVIDERS).
# Name lookup in the static binary uses glibc's built-in `files` and `dns` sources. Checked by
# hand in a chroot holding no C library at all (only Terraform, the provider and /etc): a
# Connect host named in /etc/hosts resolves, also when nsswitch.conf lists modules that are not
# there (mdns4_minimal, resolve, sss), which are skipped. A name only such a module knows (an
# mDNS `.local` name, an SSSD host) needs a dynamically linked build (`cargo build --release`).
#
# Signing (the public Registry wants a detached signature of the SHA256SUMS file): set
# GPG_FINGERPRINT to the key's fingerprint and the script runs
# `gpg --batch --local-user "$GPG_FINGERPRINT" --detach-sign`. Without it there is no .sig file,
# which is fine for a private registry or a filesystem/network mirror.
#
# RELEASE_ZIP_LEVEL (1-9, default 9) sets the zip compression level.
#
# Tools: cargo; zip and sha256sum when present, else python3 (zipfile, hashlib).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
say() { echo "release: $*" >&2; }
die() { say "error: $*"; exit 1; }

name="terraform-provider-posit"
out="$root/dist"
binary=""
allow_dynamic=""
verify=1
version=""
while [ $# -gt 0 ]; do
    case "$1" in
        --binary) binary="${2:?--binary needs a path}"; shift 2 ;;
        --out) out="${2:?--out needs a directory}"; shift 2 ;;
        --allow-dynamic) allow_dynamic=1; shift ;;
        --no-verify) verify=""; shift ;;
        -h|--help) sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed -e '$d' -e 's/^# \{0,1\}//'; exit 0 ;;
        -*) die "unknown option $1 (see --help)" ;;
        *) [ -z "$version" ] || die "more than one VERSION given"; version="$1"; shift ;;
    esac
done

# ---- version
cargo_version="$(awk -F'"' '/^\[package\]/{p=1; next} /^\[/{p=0} p && /^version[ \t]*=/{print $2; exit}' Cargo.toml)"
[ -n "$cargo_version" ] || die "no [package] version in Cargo.toml"
version="${version:-$cargo_version}"
version="${version#v}"
[[ "$version" =~ ^[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$ ]] ||
    die "VERSION must be a semantic version such as 1.2.3 (got $version)"
if [ "$version" != "$cargo_version" ]; then
    say "warning: releasing $version but Cargo.toml says $cargo_version (the provider reports the latter in its User-Agent)"
fi

# ---- targets: Terraform's OS_ARCH and the Rust target that builds it. Only linux_amd64 today.
os_arch="linux_amd64"
rust_target="x86_64-unknown-linux-gnu"

# ---- build
if [ -z "$binary" ]; then
    command -v cargo >/dev/null 2>&1 || die "cargo not found"
    target_dir="${CARGO_TARGET_DIR:-$root/target}"
    say "building $name $version for $os_arch (cargo build --release --target $rust_target, static glibc)"
    # With --target, RUSTFLAGS apply to the target only, not to build scripts and proc macros.
    RUSTFLAGS="${RUSTFLAGS:-} -C target-feature=+crt-static" \
        cargo build --release --locked --target "$rust_target" -p "$name" --bin "$name"
    binary="$target_dir/$rust_target/release/$name"
fi
[ -x "$binary" ] || die "no executable at $binary"

# ---- checks on the binary
# Static: an ELF without PT_INTERP (no dynamic loader) and without DT_NEEDED entries.
linkage="$(python3 - "$binary" <<'PY'
import struct, sys
data = open(sys.argv[1], "rb").read()
if data[:4] != b"\x7fELF" or data[4] != 2 or data[5] != 1:
    print("not a 64-bit little-endian ELF file"); sys.exit(0)
e_phoff, = struct.unpack_from("<Q", data, 0x20)
e_phentsize, e_phnum = struct.unpack_from("<HH", data, 0x36)
interp, needed = None, 0
for i in range(e_phnum):
    off = e_phoff + i * e_phentsize
    p_type, _flags, p_offset, _vaddr, _paddr, p_filesz = struct.unpack_from("<IIQQQQ", data, off)
    if p_type == 3:  # PT_INTERP
        interp = data[p_offset:p_offset + p_filesz].rstrip(b"\0").decode(errors="replace")
    elif p_type == 2:  # PT_DYNAMIC: count DT_NEEDED (1) entries
        for j in range(0, p_filesz, 16):
            tag, _val = struct.unpack_from("<qQ", data, p_offset + j)
            if tag == 0:
                break
            needed += tag == 1
if interp or needed:
    print(f"dynamic (interpreter {interp}, {needed} needed libraries)")
else:
    print("static")
PY
)"
say "linkage: $linkage"
if command -v file >/dev/null 2>&1; then say "file: $(file -b "$binary")"; fi
if [ "$linkage" != "static" ] && [ -z "$allow_dynamic" ]; then
    die "$binary is not statically linked ($linkage); pass --allow-dynamic to package it anyway"
fi

if [ -n "$verify" ]; then
    # Started by hand, the provider explains that it is a plugin and exits 1.
    set +e
    direct="$(env -u TF_PLUGIN_MAGIC_COOKIE "$binary" 2>&1)"
    rc=$?
    set -e
    [ "$rc" = 1 ] && grep -q "plugin" <<<"$direct" ||
        die "running $binary by hand: expected the 'this binary is a plugin' message and exit 1, got exit $rc: $direct"
    say "runs: started by hand it says it is a plugin and exits 1"
    # With -debug it serves and prints TF_REATTACH_PROVIDERS: the runtime, sockets and TLS set-up work.
    log="$(mktemp)"
    "$binary" -debug >"$log" 2>&1 &
    pid=$!
    for _ in $(seq 1 100); do
        grep -q TF_REATTACH_PROVIDERS "$log" && break
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    served=""
    grep -q TF_REATTACH_PROVIDERS "$log" && served=1
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    [ -n "$served" ] || { cat "$log" >&2; rm -f "$log"; die "$binary -debug did not start serving"; }
    rm -f "$log"
    say "runs: -debug serves and prints TF_REATTACH_PROVIDERS"
fi

# ---- package
mkdir -p "$out"
out="$(cd "$out" && pwd)"
stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT
exe="${name}_v${version}"
zipfile="${name}_${version}_${os_arch}.zip"
manifest="${name}_${version}_manifest.json"
sums="${name}_${version}_SHA256SUMS"
rm -f "$out/$zipfile" "$out/$manifest" "$out/$sums" "$out/$sums.sig"

cp "$binary" "$stage/$exe"
chmod 0755 "$stage/$exe"
# A fixed timestamp keeps the zip (and so its checksum) the same for the same binary.
epoch="${SOURCE_DATE_EPOCH:-315532800}" # 1980-01-01, the earliest a zip can hold
level="${RELEASE_ZIP_LEVEL:-9}"
[[ "$level" =~ ^[1-9]$ ]] || die "RELEASE_ZIP_LEVEL must be 1 to 9 (got $level)"
if command -v zip >/dev/null 2>&1; then
    touch -d "@$epoch" "$stage/$exe"
    (cd "$stage" && TZ=UTC zip -q -X "-$level" "$out/$zipfile" "$exe")
else
    python3 - "$stage/$exe" "$out/$zipfile" "$exe" "$epoch" "$level" <<'PY'
import sys, time, zipfile
src, dest, arcname, epoch, level = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
info = zipfile.ZipInfo(arcname, date_time=time.gmtime(max(epoch, 315532800))[:6])
info.compress_type = zipfile.ZIP_DEFLATED
info.external_attr = (0o100755 << 16)  # a regular, executable file
info.create_system = 3  # Unix, so that the mode above is honoured
with open(src, "rb") as f, zipfile.ZipFile(dest, "w") as z:
    z.writestr(info, f.read(), compresslevel=level)
PY
fi
cp "$root/terraform-registry-manifest.json" "$out/$manifest"

(
    cd "$out"
    if command -v sha256sum >/dev/null 2>&1; then
        sha256sum "$zipfile" "$manifest" >"$sums"
    else
        python3 - "$zipfile" "$manifest" >"$sums" <<'PY'
import hashlib, sys
for name in sys.argv[1:]:
    h = hashlib.sha256()
    with open(name, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    print(f"{h.hexdigest()}  {name}")
PY
    fi
)

if [ -n "${GPG_FINGERPRINT:-}" ]; then
    command -v gpg >/dev/null 2>&1 || die "GPG_FINGERPRINT is set but gpg is not installed"
    gpg --batch --yes --local-user "$GPG_FINGERPRINT" --output "$out/$sums.sig" --detach-sign "$out/$sums"
    say "signed $sums with $GPG_FINGERPRINT"
fi

say "wrote to $out:"
for f in "$zipfile" "$manifest" "$sums" "$sums.sig"; do
    if [ -f "$out/$f" ]; then printf '  %10s  %s\n' "$(wc -c <"$out/$f" | tr -d ' ')" "$f" >&2; fi
done
say "install it locally: scripts/install-local.sh --zip $out/$zipfile"
# stdout: the files written, one a line, for scripts.
for f in "$zipfile" "$manifest" "$sums" "$sums.sig"; do
    if [ -f "$out/$f" ]; then echo "$out/$f"; fi
done
