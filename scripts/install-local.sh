#!/usr/bin/env bash
# Installs a build of the provider into a filesystem mirror, so that `terraform init` (or
# `tofu init`) installs `posit-dev/posit` from this machine, offline, and records it in
# .terraform.lock.hcl like any provider from a registry. The mirror holds it under both registry
# hostnames: Terraform reads `posit-dev/posit` as registry.terraform.io/posit-dev/posit, OpenTofu
# as registry.opentofu.org/posit-dev/posit.
#
# Prints, on stdout, the `provider_installation` block that makes each CLI use the mirror, each
# after a comment naming the CLI and where its block goes:
#   Terraform: ~/.terraformrc (%APPDATA%/terraform.rc on Windows), or the file TF_CLI_CONFIG_FILE names
#   OpenTofu:  ~/.tofurc (%APPDATA%/tofu.rc on Windows), or the file TF_CLI_CONFIG_FILE names
# A CLI configuration takes one provider_installation block: with --cli terraform (or opentofu)
# only that CLI's block is printed, so stdout is a whole CLI configuration file. Everything else
# goes to stderr.
#
#   scripts/install-local.sh                      # cargo build --release, then install it
#   scripts/install-local.sh --binary PATH        # install an already-built binary
#   scripts/install-local.sh --zip PATH           # install a release zip from scripts/release.sh
#
# Options:
#   --mirror DIR     the mirror directory (default: ~/.terraform.d/plugins)
#   --version V      the version to install as (default: Cargo.toml's; from the name with --zip)
#   --platform P     OS_ARCH (default: this machine's, e.g. linux_amd64)
#   --packed         put a zip in the mirror (packed layout) instead of the unpacked binary
#   --cli CLI        whose block to print: terraform, opentofu, or both (the default)
#
# Layouts (the two filesystem-mirror layouts, under DIR, for HOST both registry.terraform.io and
# registry.opentofu.org):
#   unpacked: HOST/posit-dev/posit/VERSION/OS_ARCH/terraform-provider-posit_vVERSION
#   packed:   HOST/posit-dev/posit/terraform-provider-posit_VERSION_OS_ARCH.zip
#
# Re-installing the same version with a different build changes its checksum: working
# directories that locked the old one then need `terraform init -upgrade` (or bump the version).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
say() { echo "install-local: $*" >&2; }
die() { say "error: $*"; exit 1; }

name="terraform-provider-posit"
source_addr="registry.terraform.io/posit-dev/posit"
tofu_addr="registry.opentofu.org/posit-dev/posit"
cli="both"
mirror="${HOME:-/root}/.terraform.d/plugins"
binary=""
zip_in=""
version=""
platform=""
packed=""
while [ $# -gt 0 ]; do
    case "$1" in
        --binary) binary="${2:?--binary needs a path}"; shift 2 ;;
        --zip) zip_in="${2:?--zip needs a path}"; shift 2 ;;
        --mirror) mirror="${2:?--mirror needs a directory}"; shift 2 ;;
        --version) version="${2:?--version needs a version}"; shift 2 ;;
        --platform) platform="${2:?--platform needs OS_ARCH}"; shift 2 ;;
        --packed) packed=1; shift ;;
        --cli) cli="${2:?--cli needs terraform, opentofu or both}"; shift 2 ;;
        -h|--help) sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed -e '$d' -e 's/^# \{0,1\}//'; exit 0 ;;
        *) die "unknown argument $1 (see --help)" ;;
    esac
done
[ -z "$binary" ] || [ -z "$zip_in" ] || die "give --binary or --zip, not both"
case "$cli" in
    terraform|opentofu|both) ;;
    tofu) cli=opentofu ;;
    *) die "--cli must be terraform, opentofu or both (got $cli)" ;;
esac

# ---- platform
if [ -z "$platform" ]; then
    case "$(uname -s)" in
        Linux) os=linux ;; Darwin) os=darwin ;; FreeBSD) os=freebsd ;;
        *) die "unknown OS $(uname -s); pass --platform OS_ARCH" ;;
    esac
    case "$(uname -m)" in
        x86_64|amd64) arch=amd64 ;; aarch64|arm64) arch=arm64 ;; i?86) arch=386 ;; armv*) arch=arm ;;
        *) die "unknown architecture $(uname -m); pass --platform OS_ARCH" ;;
    esac
    platform="${os}_${arch}"
fi
[[ "$platform" =~ ^[a-z0-9]+_[a-z0-9]+$ ]] || die "--platform must look like linux_amd64 (got $platform)"

# ---- version
if [ -z "$version" ] && [ -n "$zip_in" ]; then
    base="$(basename "$zip_in")"
    if [[ "$base" =~ ^${name}_(.+)_${platform}\.zip$ ]]; then version="${BASH_REMATCH[1]}"; fi
fi
if [ -z "$version" ]; then
    version="$(awk -F'"' '/^\[package\]/{p=1; next} /^\[/{p=0} p && /^version[ \t]*=/{print $2; exit}' "$root/Cargo.toml")"
fi
version="${version#v}"
[[ "$version" =~ ^[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$ ]] ||
    die "the version must be a semantic version such as 1.2.3 (got ${version:-nothing})"

# ---- what to install
if [ -n "$zip_in" ]; then
    [ -f "$zip_in" ] || die "no file at $zip_in"
elif [ -z "$binary" ]; then
    command -v cargo >/dev/null 2>&1 || die "cargo not found (or pass --binary PATH)"
    say "building the provider (cargo build --release)"
    (cd "$root" && cargo build --release --quiet -p "$name" --bin "$name") >&2
    binary="${CARGO_TARGET_DIR:-$root/target}/release/$name"
fi
if [ -n "$binary" ]; then
    [ -f "$binary" ] && [ -x "$binary" ] || die "no executable file at $binary"
fi

# ---- install
mkdir -p "$mirror"
mirror="$(cd "$mirror" && pwd)"
exe="${name}_v${version}"

# Installs into the mirror under one registry address ($1); sets $installed.
install_as() {
    local provider_dir="$mirror/$1"
    local unpacked_dir="$provider_dir/$version/$platform"
    local packed_zip="$provider_dir/${name}_${version}_${platform}.zip"
    # One layout per version and platform: drop what an earlier install left.
    rm -rf "$unpacked_dir" "$packed_zip"
    rmdir "$provider_dir/$version" 2>/dev/null || true
    mkdir -p "$provider_dir"

    if [ -n "$zip_in" ] && [ -n "$packed" ]; then
        cp "$zip_in" "$packed_zip"
        installed="$packed_zip"
    elif [ -n "$zip_in" ]; then
        mkdir -p "$unpacked_dir"
        python3 - "$zip_in" "$unpacked_dir" <<'PY'
import os, sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z:
    for info in z.infolist():
        path = z.extract(info, sys.argv[2])
        mode = (info.external_attr >> 16) & 0o777
        os.chmod(path, mode or 0o755)
PY
        installed="$unpacked_dir"
    elif [ -n "$packed" ]; then
        python3 - "$binary" "$packed_zip" "$exe" <<'PY'
import sys, zipfile
src, dest, arcname = sys.argv[1:4]
info = zipfile.ZipInfo(arcname, date_time=(1980, 1, 1, 0, 0, 0))
info.compress_type = zipfile.ZIP_DEFLATED
info.external_attr = 0o100755 << 16
info.create_system = 3
with open(src, "rb") as f, zipfile.ZipFile(dest, "w") as z:
    z.writestr(info, f.read(), compresslevel=1)
PY
        installed="$packed_zip"
    else
        mkdir -p "$unpacked_dir"
        cp "$binary" "$unpacked_dir/$exe"
        chmod 0755 "$unpacked_dir/$exe"
        installed="$unpacked_dir/$exe"
    fi
    say "installed posit-dev/posit $version ($platform) as $installed"
}

# Under both hostnames, always: the same mirror then serves either CLI.
install_as "$source_addr"
install_as "$tofu_addr"

say "put the block for your CLI in its CLI configuration, then run \`terraform init\` (or"
say "\`tofu init\`) where your configuration requires posit-dev/posit:"

hcl_path="${mirror//\\/\\\\}"
hcl_path="${hcl_path//\"/\\\"}"
block() {
    cat <<EOF
provider_installation {
  filesystem_mirror {
    path    = "$hcl_path"
    include = ["$1"]
  }
  direct {
    exclude = ["$1"]
  }
}
EOF
}
case "$cli" in
    terraform) block "$source_addr" ;;
    opentofu) block "$tofu_addr" ;;
    both)
        echo "# Terraform: ~/.terraformrc (%APPDATA%/terraform.rc on Windows), or the file TF_CLI_CONFIG_FILE names"
        block "$source_addr"
        echo
        echo "# OpenTofu: ~/.tofurc (%APPDATA%/tofu.rc on Windows), or the file TF_CLI_CONFIG_FILE names"
        block "$tofu_addr"
        ;;
esac
