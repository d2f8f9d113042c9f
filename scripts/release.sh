#!/usr/bin/env bash
# Builds a release of the provider for five platforms, from this Linux x86-64 machine, in the
# layout the Terraform Registry (and any provider mirror) expects, into dist/:
#
#   terraform-provider-posit_VERSION_OS_ARCH.zip     one per platform, holding the binary
#                                                     terraform-provider-posit_vVERSION (.exe on Windows)
#   terraform-provider-posit_VERSION_manifest.json   terraform-registry-manifest.json (protocol 6.0)
#   terraform-provider-posit_VERSION_SHA256SUMS      sha256 of the zips and the manifest
#   terraform-provider-posit_VERSION_SHA256SUMS.sig  only with GPG_FINGERPRINT set (see below)
#
# Usage:
#   scripts/release.sh [VERSION]            # all five platforms; VERSION defaults to Cargo.toml's
#   scripts/release.sh --platforms linux_amd64,darwin_arm64 [VERSION]
#   scripts/release.sh --binary PATH [--platforms OS_ARCH] [--allow-dynamic] [VERSION]
#                                           # package an already-built binary (default: for this
#                                           # machine's platform) instead of building
#   options: --out DIR (default dist/)
#            --no-verify      skip running the binaries (the header checks still run)
#            --no-checks      skip every check, headers included (for a binary checked elsewhere)
#            --no-lock-check  skip scripts/release-check.sh (run by default when building)
#            --lock-check     run it with --binary too
#            --probe PATH     the plugin-probe binary to check with (default: cargo builds it)
#
# Platforms, each built with `cargo build --release --locked` for its Rust target:
#
#   linux_amd64    x86_64-unknown-linux-gnu, static glibc (-C target-feature=+crt-static)
#   linux_arm64    aarch64-unknown-linux-musl, static (musl)          } cargo zigbuild: zig is
#   darwin_amd64   x86_64-apple-darwin (macOS 10.12+)                 } the C compiler and linker
#   darwin_arm64   aarch64-apple-darwin (macOS 11+), ad-hoc signed    } (PyPI: ziglang,
#   windows_amd64  x86_64-pc-windows-gnu                              } cargo-zigbuild)
#
# The tools install themselves: `rustup target add` for missing targets, and ziglang and
# cargo-zigbuild (pinned below) into the venv .tools/zig-venv. No C cross compiler, macOS SDK or
# Windows SDK is needed. Without an SDK, zig cannot link Security.framework, so macOS builds do
# not read the keychain: they trust Mozilla's roots and connect_ca_certificate (docs/index.md,
# "Platforms and TLS trust").
#
# Why linux_arm64 is musl while linux_amd64 is static glibc: both are static, so they run on any
# Linux of their architecture (Graviton and Ampere runners, Alpine and distroless images). zig
# links glibc only dynamically, and a static glibc for arm64 would need a cross gcc and Debian's
# arm64 C library; musl is static by design and ships with Rust's target. Name resolution is
# alike in both: /etc/hosts and DNS from /etc/resolv.conf, no NSS modules.
#
# Checks, all without the platform itself, by tools/plugin-probe (built here with cargo):
#   - every binary: `plugin-probe inspect --platform OS_ARCH --self-contained`: the executable
#     format and architecture from its headers; static on Linux; only system libraries on macOS
#     (and on darwin_arm64 a valid code signature: the page hashes are recomputed) and only
#     Windows' own DLLs on Windows. A signed copy with one byte changed must fail that check.
#   - linux_amd64 (runs here): started by hand it says it is a plugin and exits 1; with -debug it
#     prints TF_REATTACH_PROVIDERS; `plugin-probe handshake` over a unix socket and over TCP:
#     the go-plugin handshake, auto-mTLS (a stranger's certificate refused), GetProviderSchema,
#     Shutdown and a clean exit.
#   - linux_arm64: the same handshake under qemu-user (`qemu-aarch64`, Debian's qemu-user,
#     installed with apt-get when missing).
#   - windows_amd64: the same handshake over TCP under wine (Debian's wine64, installed with
#     apt-get when missing; skipped with a warning where it cannot be installed). Wine 8 lacks
#     bcryptprimitives.dll, which Rust's std loads: tools/wine-shim/ builds a stand-in for it.
#   - darwin_*: the headers only (no emulator runs macOS programs on Linux).
# Then (unless --no-lock-check) scripts/release-check.sh: Terraform installs the release from a
# local registry and a filesystem mirror, and a lock file written for macOS verifies on Linux.
#
# Signing (the public Registry wants a detached signature of the SHA256SUMS file): set
# GPG_FINGERPRINT to the key's fingerprint and the script runs
# `gpg --batch --local-user "$GPG_FINGERPRINT" --detach-sign`. Without it there is no .sig file,
# which is fine for a private registry or a filesystem/network mirror.
#
# RELEASE_ZIP_LEVEL (1-9, default 9) sets the zip compression level. Tools: cargo and rustup;
# python3; zip and sha256sum when present, else python3 (zipfile, hashlib).
set -euo pipefail

ZIGLANG_VERSION="0.17.1"
CARGO_ZIGBUILD_VERSION="0.24.1"

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
say() { echo "release: $*" >&2; }
die() { say "error: $*"; exit 1; }

name="terraform-provider-posit"
all_platforms="linux_amd64,linux_arm64,darwin_amd64,darwin_arm64,windows_amd64"
out="$root/dist"
binary=""
platforms=""
allow_dynamic=""
verify=1
checks=1
lock_check=""
probe="${PLUGIN_PROBE:-}"
version=""
while [ $# -gt 0 ]; do
    case "$1" in
        --binary) binary="${2:?--binary needs a path}"; shift 2 ;;
        --platforms|--platform) platforms="${2:?--platforms needs OS_ARCH[,OS_ARCH...]}"; shift 2 ;;
        --out) out="${2:?--out needs a directory}"; shift 2 ;;
        --allow-dynamic) allow_dynamic=1; shift ;;
        --no-verify) verify=""; shift ;;
        --no-checks) checks=""; verify=""; shift ;;
        --no-lock-check) lock_check=no; shift ;;
        --lock-check) lock_check=yes; shift ;;
        --probe) probe="${2:?--probe needs a path}"; shift 2 ;;
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

# ---- platforms
host_platform() {
    local os arch
    case "$(uname -s)" in Linux) os=linux ;; Darwin) os=darwin ;; *) os="$(uname -s | tr 'A-Z' 'a-z')" ;; esac
    case "$(uname -m)" in x86_64|amd64) arch=amd64 ;; aarch64|arm64) arch=arm64 ;; *) arch="$(uname -m)" ;; esac
    echo "${os}_${arch}"
}
host="$(host_platform)"
rust_target() {
    case "$1" in
        linux_amd64) echo x86_64-unknown-linux-gnu ;;
        linux_arm64) echo aarch64-unknown-linux-musl ;;
        darwin_amd64) echo x86_64-apple-darwin ;;
        darwin_arm64) echo aarch64-apple-darwin ;;
        windows_amd64) echo x86_64-pc-windows-gnu ;;
        *) return 1 ;;
    esac
}
exe_suffix() { case "$1" in windows_*) echo .exe ;; *) echo "" ;; esac; }
# The oldest macOS each build runs on: Rust's own minimums. Set explicitly, because zig links
# for its newest known macOS otherwise (a binary that refuses to start on older ones).
macos_min() { case "$1" in darwin_amd64) echo 10.12 ;; darwin_arm64) echo 11.0 ;; esac; }

if [ -n "$binary" ]; then
    platforms="${platforms:-$host}"
    [[ "$platforms" != *,* ]] || die "--binary packages one platform (got --platforms $platforms)"
    lock_check="${lock_check:-no}"
else
    platforms="${platforms:-$all_platforms}"
    lock_check="${lock_check:-yes}"
fi
IFS=',' read -r -a plist <<<"$platforms"
for p in "${plist[@]}"; do
    rust_target "$p" >/dev/null || die "unknown platform $p (known: $all_platforms)"
done

target_dir="${CARGO_TARGET_DIR:-$root/target}"
started=$(date +%s)

# ---- the checker
if [ -z "$checks" ]; then
    say "warning: --no-checks: the binaries are packaged unchecked"
elif [ -z "$probe" ]; then
    command -v cargo >/dev/null 2>&1 || die "cargo not found (or pass --probe PATH)"
    say "building tools/plugin-probe (the checker)"
    cargo build --locked --quiet -p plugin-probe --bin plugin-probe
    probe="$target_dir/debug/plugin-probe"
fi
[ -z "$checks" ] || [ -x "$probe" ] || die "no plugin-probe at $probe"

# ---- tools for cross builds
setup_cross() {
    local targets=("$@") missing=()
    command -v rustup >/dev/null 2>&1 || die "rustup not found: it adds the Rust targets for the other platforms"
    local installed
    installed="$(rustup target list --installed)"
    for t in "${targets[@]}"; do
        grep -qx "$t" <<<"$installed" || missing+=("$t")
    done
    if [ "${#missing[@]}" -gt 0 ]; then
        say "rustup target add ${missing[*]}"
        rustup target add "${missing[@]}" >&2
    fi
    setup_zig
}
setup_zig() {
    local venv="$root/.tools/zig-venv"
    local have
    have="$("$venv/bin/python" -c 'import importlib.metadata as m; print(m.version("ziglang"), m.version("cargo-zigbuild"))' 2>/dev/null || true)"
    if [ "$have" != "$ZIGLANG_VERSION $CARGO_ZIGBUILD_VERSION" ]; then
        [ -x "$venv/bin/python" ] || python3 -m venv "$venv"
        say "installing ziglang==$ZIGLANG_VERSION and cargo-zigbuild==$CARGO_ZIGBUILD_VERSION into $venv (PyPI)"
        "$venv/bin/python" -m pip install --disable-pip-version-check --quiet \
            "ziglang==$ZIGLANG_VERSION" "cargo-zigbuild==$CARGO_ZIGBUILD_VERSION" >&2
    fi
    # cargo-zigbuild runs `python3 -m ziglang` when no `zig` is on PATH: the venv's python.
    export PATH="$venv/bin:$PATH"
    say "zig $(python3 -m ziglang version), $(cargo-zigbuild --version)"
}

# ---- build
declare -A built
if [ -n "$binary" ]; then
    [ -f "$binary" ] || die "no file at $binary"
    built["${plist[0]}"]="$binary"
else
    command -v cargo >/dev/null 2>&1 || die "cargo not found"
    cross=()
    for p in "${plist[@]}"; do
        [ "$p" = linux_amd64 ] || cross+=("$(rust_target "$p")")
    done
    [ "${#cross[@]}" -eq 0 ] || setup_cross "${cross[@]}"
    for p in "${plist[@]}"; do
        t="$(rust_target "$p")"
        s=$(date +%s)
        if [ "$p" = linux_amd64 ]; then
            say "building $name $version for $p (cargo build --release --target $t, static glibc)"
            # With --target, RUSTFLAGS apply to the target only, not to build scripts and proc macros.
            RUSTFLAGS="${RUSTFLAGS:-} -C target-feature=+crt-static" \
                cargo build --release --locked --target "$t" -p "$name" --bin "$name"
        else
            say "building $name $version for $p (cargo zigbuild --release --target $t)"
            MACOSX_DEPLOYMENT_TARGET="$(macos_min "$p")" \
                cargo zigbuild --release --locked --target "$t" -p "$name" --bin "$name"
        fi
        built["$p"]="$target_dir/$t/release/$name$(exe_suffix "$p")"
        say "built $p in $(( $(date +%s) - s )) s"
    done
fi

# ---- checks
# Emulators, installed when missing as the other scripts install what they need.
apt_install() {
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        say "installing $* (apt-get)"
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@" >&2 ||
            { apt-get update -q >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@" >&2; }
    else
        return 1
    fi
}

handshake() { # handshake NETWORK COMMAND...
    local network="$1"; shift
    local env=()
    [ "$network" = unix ] || env=(--env POSIT_PROVIDER_TRANSPORT=tcp)
    "$probe" handshake --expect-network "$network" --timeout 120 "${env[@]}" -- "$@" | sed 's/^/    /' >&2
    return "${PIPESTATUS[0]}"
}

check_host_runs() {
    local bin="$1"
    # Started by hand, the provider explains that it is a plugin and exits 1.
    set +e
    direct="$(env -u TF_PLUGIN_MAGIC_COOKIE "$bin" 2>&1)"
    rc=$?
    set -e
    [ "$rc" = 1 ] && grep -q "plugin" <<<"$direct" ||
        die "running $bin by hand: expected the 'this binary is a plugin' message and exit 1, got exit $rc: $direct"
    say "  runs: started by hand it says it is a plugin and exits 1"
    # With -debug it serves and prints TF_REATTACH_PROVIDERS.
    local log
    log="$(mktemp)"
    "$bin" -debug >"$log" 2>&1 &
    local pid=$!
    for _ in $(seq 1 100); do
        grep -q TF_REATTACH_PROVIDERS "$log" && break
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    local served=""
    grep -q TF_REATTACH_PROVIDERS "$log" && served=1
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    [ -n "$served" ] || { cat "$log" >&2; rm -f "$log"; die "$bin -debug did not start serving"; }
    rm -f "$log"
    say "  runs: -debug serves and prints TF_REATTACH_PROVIDERS"
    say "  handshake over a unix socket:"
    handshake unix "$bin" || die "$bin: the handshake over a unix socket failed"
    say "  handshake over TCP:"
    handshake tcp "$bin" || die "$bin: the handshake over TCP failed"
}

check_macho_signature_is_checked() {
    local bin="$1" copy
    copy="$(mktemp)"
    cp "$bin" "$copy"
    # One byte in the middle of the code (well before the signature at the end) changed.
    python3 - "$copy" <<'PY'
import sys
path = sys.argv[1]
with open(path, "r+b") as f:
    data = bytearray(f.read())
    i = len(data) // 3
    data[i] ^= 0xFF
    f.seek(0); f.write(data)
PY
    if "$probe" inspect "$copy" >/dev/null 2>&1; then
        rm -f "$copy"
        die "$bin: a copy with one byte changed still passed the code signature check"
    fi
    rm -f "$copy"
    say "  a copy with one byte changed fails the code signature check"
}

wine_skipped=""
stage_wine="$(mktemp -d)"
trap 'rm -rf "$stage_wine"' EXIT
for p in "${plist[@]}"; do
    [ -n "$checks" ] || break
    bin="${built[$p]}"
    say "checking $p: $bin"
    inspect_args=(--platform "$p")
    [ -n "$allow_dynamic" ] || inspect_args+=(--self-contained)
    [ -z "$(macos_min "$p")" ] || inspect_args+=(--macos "$(macos_min "$p")")
    inspected="$("$probe" inspect "$bin" "${inspect_args[@]}")" ||
        die "$bin does not pass the header checks for $p (--allow-dynamic skips the self-contained one)"
    sed 's/^/    /' <<<"$inspected" >&2
    # A signed Mach-O (darwin_arm64 must be: macOS runs no unsigned arm64 program; Intel Macs
    # need no signature and zig signs only arm64) must fail once changed.
    if grep -q "^code signature: valid" <<<"$inspected"; then
        check_macho_signature_is_checked "$bin"
    fi
    [ -n "$verify" ] || continue
    if [ "$p" = "$host" ]; then
        check_host_runs "$bin"
    elif [ "$p" = linux_arm64 ]; then
        command -v qemu-aarch64 >/dev/null 2>&1 || apt_install qemu-user ||
            die "qemu-aarch64 is needed to run the linux_arm64 build: install qemu-user, or pass --no-verify"
        say "  handshake under $(qemu-aarch64 --version | head -n1):"
        handshake unix qemu-aarch64 "$bin" || die "$bin: the handshake under qemu-aarch64 failed"
    elif [ "$p" = windows_amd64 ]; then
        find_wine() { command -v wine64 || command -v wine || { [ -x /usr/lib/wine/wine64 ] && echo /usr/lib/wine/wine64; } || true; }
        wine_bin="$(find_wine)"
        [ -n "$wine_bin" ] || { apt_install wine64 || true; wine_bin="$(find_wine)"; }
        if [ -z "$wine_bin" ]; then
            say "  warning: wine is not installed and cannot be (not root, or no apt-get): the Windows build was checked by its headers only"
            wine_skipped=1
            continue
        fi
        # A prefix of its own, kept under .tools/ (wine takes a few seconds to make one); no
        # desktop, no Mono or Gecko installers, no wine debug output.
        export WINEPREFIX="$root/.tools/wine-prefix" WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml="
        export WINEARCH=win64
        winedir="$stage_wine/windows_amd64"
        mkdir -p "$winedir"
        cp "$bin" "$winedir/"
        # Wine 8 (Debian 12) has no bcryptprimitives.dll, which Rust's std needs (ProcessPrng):
        # a stand-in beside the copy (tools/wine-shim/bcryptprimitives.c). The zip holds the
        # executable alone.
        if ! ls /usr/lib/*/wine/x86_64-windows/bcryptprimitives.dll /usr/lib/wine/x86_64-windows/bcryptprimitives.dll \
            /opt/wine*/lib*/wine/x86_64-windows/bcryptprimitives.dll >/dev/null 2>&1; then
            command -v python3 >/dev/null && python3 -m ziglang version >/dev/null 2>&1 || setup_zig
            python3 -m ziglang cc -target x86_64-windows-gnu -shared -O2 -o "$winedir/bcryptprimitives.dll" \
                "$root/tools/wine-shim/bcryptprimitives.c" -ladvapi32
            say "  this wine has no bcryptprimitives.dll: using tools/wine-shim's (ProcessPrng on RtlGenRandom)"
        fi
        say "  handshake over TCP under $("$wine_bin" --version 2>/dev/null):"
        handshake tcp "$wine_bin" "$winedir/$(basename "$bin")" || die "$bin: the handshake under wine failed"
    fi
done

# ---- package
mkdir -p "$out"
out="$(cd "$out" && pwd)"
stage="$(mktemp -d)"
trap 'rm -rf "$stage" "$stage_wine"' EXIT
manifest="${name}_${version}_manifest.json"
sums="${name}_${version}_SHA256SUMS"
epoch="${SOURCE_DATE_EPOCH:-315532800}" # 1980-01-01, the earliest a zip can hold
level="${RELEASE_ZIP_LEVEL:-9}"
[[ "$level" =~ ^[1-9]$ ]] || die "RELEASE_ZIP_LEVEL must be 1 to 9 (got $level)"
rm -f "$out/${name}_${version}_"*.zip "$out/$manifest" "$out/$sums" "$out/$sums.sig"

zips=()
for p in "${plist[@]}"; do
    exe="${name}_v${version}$(exe_suffix "$p")"
    zipfile="${name}_${version}_${p}.zip"
    mkdir -p "$stage/$p"
    cp "${built[$p]}" "$stage/$p/$exe"
    chmod 0755 "$stage/$p/$exe"
    # A fixed timestamp keeps the zip (and so its checksum) the same for the same binary.
    if command -v zip >/dev/null 2>&1; then
        touch -d "@$epoch" "$stage/$p/$exe"
        (cd "$stage/$p" && TZ=UTC zip -q -X "-$level" "$out/$zipfile" "$exe")
    else
        python3 - "$stage/$p/$exe" "$out/$zipfile" "$exe" "$epoch" "$level" <<'PY'
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
    zips+=("$zipfile")
done
cp "$root/terraform-registry-manifest.json" "$out/$manifest"

(
    cd "$out"
    if command -v sha256sum >/dev/null 2>&1; then
        sha256sum "${zips[@]}" "$manifest" >"$sums"
    else
        python3 - "${zips[@]}" "$manifest" >"$sums" <<'PY'
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

files=("${zips[@]}" "$manifest" "$sums" "$sums.sig")

if [ "$lock_check" = yes ] && [[ ",$platforms," != *",$host,"* ]]; then
    say "note: no lock file check: it installs this machine's package ($host), which this release lacks"
elif [ "$lock_check" = yes ]; then
    "$root/scripts/release-check.sh" --out "$out" "$version" >&2 || die "the lock file check failed (scripts/release-check.sh)"
fi

say "wrote to $out:"
for f in "${files[@]}"; do
    if [ -f "$out/$f" ]; then printf '  %10s  %s\n' "$(wc -c <"$out/$f" | tr -d ' ')" "$f" >&2; fi
done
[ -z "$wine_skipped" ] || say "note: the Windows build was not run (no wine); see above"
say "done in $(( $(date +%s) - started )) s"
say "install one locally: scripts/install-local.sh --zip $out/${zips[0]}"
# stdout: the files written, one a line, for scripts.
for f in "${files[@]}"; do
    if [ -f "$out/$f" ]; then echo "$out/$f"; fi
done
