#!/usr/bin/env bash
# fiberlet on other engines: the runtime, examples 1 to 3 compiled with the
# plugin, and `fiberlet build` output of a TypeScript app, run on Deno and
# Bun and compared with Node (test/engines/check.mjs). Both engines get the
# stackless backend; the stackful one needs Node (the addon drives V8's
# Locker API), and the runtime's probe for it falls back with one warning.
#
#   scripts/engines.sh                    Deno and Bun, at the versions below
#   DENO_VERSION=2.9.6 BUN_VERSION=1.4.5 scripts/engines.sh
#
# The engines come from the npm registry as the binary packages their own
# npm installers pick (@deno/<platform>, @oven/bun-<platform>), fetched with
# `npm pack` and cached in native/.cache/engines (gitignored); nothing else
# is contacted. Needs a build (npm run build).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cache="$root/native/.cache/engines"
deno_version=${DENO_VERSION:-2.9.6}
bun_version=${BUN_VERSION:-1.4.5}

case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) deno_pkg=@deno/linux-x64-glibc; bun_pkg=@oven/bun-linux-x64 ;;
  Linux-aarch64) deno_pkg=@deno/linux-arm64-glibc; bun_pkg=@oven/bun-linux-aarch64 ;;
  *) echo "engines: only Linux x64/arm64 is supported" >&2; exit 2 ;;
esac
# Bun's x64 build needs AVX2; its baseline build runs on older CPUs.
if [ "$bun_pkg" = @oven/bun-linux-x64 ] && ! grep -qw avx2 /proc/cpuinfo; then bun_pkg=@oven/bun-linux-x64-baseline; fi

# Unpacks <package>@<version> into the cache once; prints its directory.
fetch() {
  local pkg=$1 version=$2
  local dir="$cache/$(echo "$pkg" | tr -d @ | tr / -)-$version"
  if [ ! -d "$dir/package" ]; then
    mkdir -p "$cache"
    echo "engines: fetching $pkg@$version from the npm registry" >&2
    local tgz
    tgz=$(cd "$cache" && npm pack "$pkg@$version" --silent)
    rm -rf "$dir" && mkdir -p "$dir"
    tar xzf "$cache/$tgz" -C "$dir"
    rm -f "$cache/$tgz"
  fi
  echo "$dir/package"
}

deno="$(fetch "$deno_pkg" "$deno_version")/deno"
bun="$(fetch "$bun_pkg" "$bun_version")/bin/bun"
chmod +x "$deno" "$bun" # npm's installers set the mode; a packed tarball may not
echo "=== Deno $("$deno" --version | head -1 | cut -d' ' -f2), Bun $("$bun" --version)"
[ -f "$root/dist/cjs/cli/main.js" ] || (cd "$root" && npm run build --silent)
cd "$root" && node test/engines/check.mjs "deno=$deno" "bun=$bun"
