#!/usr/bin/env bash
# docs/bad-inputs.md must be what scripts/bad_inputs_table.sh prints now (so it cannot go stale):
# regenerates it with the binary under test and compares. The device listing in the messages is the
# machine's own, so "(available: ...)" is compared as such. On a difference: the diff, and the fix.
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
now=$(mktemp)
trap 'rm -f "$now"' EXIT
SYNTHLABEL_BIN=$1 bash "$root/scripts/bad_inputs_table.sh" > "$now" 2>/dev/null
normal() { sed -E 's/\(available: [^`]*\)/(available: ...)/' "$1"; }
if ! diff <(normal "$root/docs/bad-inputs.md") <(normal "$now"); then
  echo "docs/bad-inputs.md is stale: regenerate it with scripts/bad_inputs_table.sh > docs/bad-inputs.md" >&2
  exit 1
fi
