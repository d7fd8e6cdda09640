#!/usr/bin/env bash
# The real agent CLIs the hook end-to-end tests drive (tests/agents/): Claude Code, Codex,
# Gemini CLI, Copilot CLI and Cline CLI, from the npm registry, pinned to the versions the tests
# were written against. Installed into a cache directory outside the repository; idempotent.
set -euo pipefail
dir="${RINGFENCE_TOOLS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/ringfence-dev}/agents"
packages=(
  "@anthropic-ai/claude-code@2.1.328"
  "@openai/codex@0.169.0"
  "@google/gemini-cli@0.61.0"
  "@github/copilot@1.0.102"
)
# Cline CLI in its own directory: an npm install of one more package into the directory above
# would prune the others (they are installed --no-save).
cline_dir="$dir/cline"
if ! test -x "$cline_dir/node_modules/.bin/cline"; then
  mkdir -p "$cline_dir"
  echo '{"name": "ringfence-cline-cli", "private": true}' >"$cline_dir/package.json"
  (cd "$cline_dir" && npm_config_dangerously_allow_all_scripts=true \
    npm install --no-save --no-audit --no-fund --loglevel=error "cline@3.0.65")
fi
stamp="$dir/.ready-$(printf '%s\n' "${packages[@]}" | cksum | cut -d' ' -f1)"
if [ -e "$stamp" ]; then
  exit 0
fi
mkdir -p "$dir"
echo '{"name": "ringfence-agent-clis", "private": true}' >"$dir/package.json"
echo "setup.d/agents.sh: installing ${packages[*]}"
# The CLIs' install scripts fetch their platform binaries as npm optional dependencies.
(cd "$dir" && npm_config_dangerously_allow_all_scripts=true \
  npm install --no-save --no-audit --no-fund --loglevel=error "${packages[@]}")
for bin in claude codex gemini copilot; do
  test -x "$dir/node_modules/.bin/$bin" || { echo "setup.d/agents.sh: $bin missing" >&2; exit 1; }
done
rm -f "$dir"/.ready-*
touch "$stamp"
echo "setup.d/agents.sh: ready in $dir"
