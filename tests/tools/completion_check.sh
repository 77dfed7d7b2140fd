#!/usr/bin/env bash
# The generated bash completion (cmake/Package.cmake) completes commands and each command's options.
# Argument: the build folder.
set -euo pipefail
source "$1/share/synthlabel.bash"
complete_words() {
  COMP_WORDS=("$@")
  COMP_CWORD=$(($# - 1))
  COMPREPLY=()
  _synthlabel
  echo "${COMPREPLY[*]}"
}
[[ $(complete_words synthlabel gen) == generate ]] || { echo "synthlabel gen<TAB>: '$(complete_words synthlabel gen)'"; exit 1; }
[[ $(complete_words synthlabel generate --ove) == --overwrite ]] || { echo "generate --ove<TAB>: '$(complete_words synthlabel generate --ove)'"; exit 1; }
[[ $(complete_words synthlabel check --rep) == --report ]] || { echo "check --rep<TAB>: '$(complete_words synthlabel check --rep)'"; exit 1; }
[[ " $(complete_words synthlabel bench --) " == *" --render-only "* ]] || { echo "bench --<TAB> lacks --render-only"; exit 1; }
zcat "$1/share/synthlabel.1.gz" | grep -q '^\.SS synthlabel generate' || { echo "man page lacks generate"; exit 1; }
echo "completion and man page ok"
