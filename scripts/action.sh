#!/usr/bin/env bash
# The steps of action.yml: build keyslot from the action's own checkout once, then check.
# Inputs arrive as KEYSLOT_* variables; the exit code is keyslot check's (1: findings at or above fail-on).
set -euo pipefail
here="${GITHUB_ACTION_PATH:-$(cd "$(dirname "$0")/.." && pwd)}"
if [ ! -f "$here/dist/cli.js" ]; then
  (cd "$here" && npm ci --no-audit --no-fund >&2)
fi
read -r -a paths <<< "${KEYSLOT_PATHS:-.}"
args=(check "${paths[@]}" --fail-on "${KEYSLOT_FAIL_ON:-error}")
if [ -n "${KEYSLOT_BASELINE:-}" ]; then args+=(--baseline "$KEYSLOT_BASELINE"); fi
if [ -n "${KEYSLOT_SARIF:-}" ]; then
  # the SARIF run never fails the step: the gate below does
  node "$here/bin/keyslot.js" "${args[@]}" --format sarif --fail-on never --quiet > "$KEYSLOT_SARIF"
fi
exec node "$here/bin/keyslot.js" "${args[@]}" --format "${KEYSLOT_FORMAT:-github}"
