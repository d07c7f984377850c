#!/usr/bin/env bash
# Builds llama.cpp's llama-server from the source the npm package node-llama-cpp
# ships (llama/gitRelease.bundle), with the machine's cmake and g++, for the
# real-server tests. The build is cached by llama.cpp release tag: a second run
# on the same machine prints the cached binary at once.
#
# Usage: scripts/build_llama_server.sh   (prints the binary's path on its last line)
# Env:   MIB_LLAMA_CACHE (default ~/.cache/mib/llama-server), NODE_LLAMA_CPP_VERSION
set -euo pipefail

version="${NODE_LLAMA_CPP_VERSION:-3.22.1}"
cache="${MIB_LLAMA_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/mib/llama-server}"
mkdir -p "$cache"

for tool in cmake g++ git npm tar; do
  command -v "$tool" >/dev/null 2>&1 || { echo "build_llama_server: $tool is missing" >&2; exit 3; }
done

package="$cache/node-llama-cpp-$version"
if [ ! -f "$package/llama/llama.cpp.info.json" ]; then
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  (cd "$work" && npm pack --silent "node-llama-cpp@$version" >/dev/null)
  mkdir -p "$package"
  tar -xzf "$work"/node-llama-cpp-*.tgz -C "$package" --strip-components=1 \
    package/llama/gitRelease.bundle package/llama/llama.cpp.info.json
fi
tag=$(sed -nE 's/.*"tag"[[:space:]]*:[[:space:]]*"([^"]+)".*/\1/p' "$package/llama/llama.cpp.info.json")
[ -n "$tag" ] || { echo "build_llama_server: no release tag in llama.cpp.info.json" >&2; exit 3; }

binary="$cache/$tag/llama-server"
if [ -x "$binary" ]; then
  echo "$binary"
  exit 0
fi

src="$cache/$tag/src"
rm -rf "$src" "$cache/$tag/build"
git clone --quiet "$package/llama/gitRelease.bundle" "$src"
cmake -S "$src" -B "$cache/$tag/build" -DCMAKE_BUILD_TYPE=Release \
  -DLLAMA_CURL=OFF -DLLAMA_OPENSSL=OFF -DGGML_NATIVE=OFF -DBUILD_SHARED_LIBS=OFF \
  -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF >"$cache/$tag/cmake.log" 2>&1 ||
  { tail -n 30 "$cache/$tag/cmake.log" >&2; exit 1; }
cmake --build "$cache/$tag/build" --target llama-server -j "$(nproc)" >"$cache/$tag/build.log" 2>&1 ||
  { tail -n 30 "$cache/$tag/build.log" >&2; exit 1; }
cp "$cache/$tag/build/bin/llama-server" "$binary.tmp"
mv "$binary.tmp" "$binary"
rm -rf "$src" "$cache/$tag/build"
echo "$binary"
