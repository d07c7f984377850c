#!/bin/sh
# Installs the mib binary of this machine from a GitHub release, checking its SHA-256:
#
#   curl -fsSL https://github.com/OWNER/mib/releases/latest/download/install.sh | sh
#
# Environment (all optional):
#   MIB_VERSION      release tag to install (default: the latest release)
#   MIB_REPO         owner/name of the GitHub repository (default below)
#   MIB_BASE_URL     where the assets and SHA256SUMS are (default: that release's download URL;
#                    any URL curl or wget reads, file:// too)
#   MIB_INSTALL_DIR  where to put mib (default: $HOME/.local/bin)
#   MIB_UNAME_S, MIB_UNAME_M   stand in for `uname -s` and `uname -m`
#
# `install.sh --print-asset` prints the asset it would install and exits.
set -eu

DEFAULT_REPO="OWNER/mib"

fail() {
  echo "mib install: $*" >&2
  exit 1
}

# The release asset for `uname -s` $1 and `uname -m` $2.
asset_for() {
  case "$2" in
    x86_64 | amd64) arch=x86_64 ;;
    aarch64 | arm64) arch=aarch64 ;;
    *) fail "no mib binary for machine \"$2\" (x86_64 and aarch64 only)" ;;
  esac
  case "$1" in
    Linux) echo "mib-$arch-unknown-linux-gnu" ;;
    Darwin) echo "mib-$arch-apple-darwin" ;;
    MINGW* | MSYS* | CYGWIN* | Windows_NT)
      [ "$arch" = x86_64 ] || fail "no mib binary for Windows on $2 (x86_64 only)"
      echo "mib-x86_64-pc-windows-msvc.exe"
      ;;
    *) fail "no mib binary for system \"$1\" (Linux, Darwin and Windows only)" ;;
  esac
}

download() { # URL FILE
  if command -v curl >/dev/null 2>&1; then
    curl -fsSL -o "$2" "$1" || fail "cannot download $1"
  elif command -v wget >/dev/null 2>&1; then
    wget -q -O "$2" "$1" || fail "cannot download $1"
  else
    fail "needs curl or wget"
  fi
}

sha256_of() { # FILE
  if command -v sha256sum >/dev/null 2>&1; then
    sha256sum "$1" | cut -d ' ' -f 1
  elif command -v shasum >/dev/null 2>&1; then
    shasum -a 256 "$1" | cut -d ' ' -f 1
  else
    fail "needs sha256sum or shasum to check the download"
  fi
}

asset=$(asset_for "${MIB_UNAME_S:-$(uname -s)}" "${MIB_UNAME_M:-$(uname -m)}")
if [ "${1:-}" = "--print-asset" ]; then
  echo "$asset"
  exit 0
fi
[ $# -eq 0 ] || fail "unknown argument \"$1\" (only --print-asset)"

repo=${MIB_REPO:-$DEFAULT_REPO}
if [ -n "${MIB_VERSION:-}" ]; then
  base=${MIB_BASE_URL:-https://github.com/$repo/releases/download/$MIB_VERSION}
else
  base=${MIB_BASE_URL:-https://github.com/$repo/releases/latest/download}
fi
dir=${MIB_INSTALL_DIR:-$HOME/.local/bin}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
download "$base/SHA256SUMS" "$tmp/SHA256SUMS"
download "$base/$asset" "$tmp/$asset"
expected=$(awk -v name="$asset" '$2 == name || $2 == "*" name { print $1 }' "$tmp/SHA256SUMS")
[ -n "$expected" ] || fail "SHA256SUMS at $base lists no $asset"
actual=$(sha256_of "$tmp/$asset")
[ "$actual" = "$expected" ] || fail "checksum mismatch for $asset: expected $expected, got $actual"

case "$asset" in *.exe) name=mib.exe ;; *) name=mib ;; esac
mkdir -p "$dir"
chmod +x "$tmp/$asset"
mv "$tmp/$asset" "$dir/$name"
echo "mib install: $dir/$name ($asset, sha256 $actual)"
