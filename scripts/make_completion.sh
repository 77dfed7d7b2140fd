#!/usr/bin/env bash
# Writes the bash completion of synthlabel to stdout from the binary's own --help texts: commands,
# and each command's options (files and folders elsewhere). Run by the build (cmake/Package.cmake).
set -euo pipefail
bin=$1
commands=$("$bin" --help | awk '/^Subcommands:/ {on = 1; next} on && /^  [a-z]/ {print $1}')
echo "# bash completion for synthlabel (generated from its --help by scripts/make_completion.sh)"
echo "_synthlabel() {"
echo '  local cur=${COMP_WORDS[COMP_CWORD]} opts=""'
echo '  if (( COMP_CWORD == 1 )); then'
echo "    COMPREPLY=(\$(compgen -W \"$(echo $commands) --help --version\" -- \"\$cur\"))"
echo '    return'
echo '  fi'
echo '  case ${COMP_WORDS[1]} in'
for c in $commands; do
  opts=$("$bin" "$c" --help | awk '/^Options:/ {on = 1} on' | grep -oE -- '(^|[ ,])--?[A-Za-z][A-Za-z0-9-]*' | tr -d ' ,' | sort -u | tr '\n' ' ')
  echo "    $c) opts=\"${opts% }\" ;;"
done
echo '  esac'
echo '  if [[ $cur == -* ]]; then'
echo '    COMPREPLY=($(compgen -W "$opts" -- "$cur"))'
echo '  else'
echo '    COMPREPLY=($(compgen -f -- "$cur"))'
echo '  fi'
echo "}"
echo "complete -o filenames -o bashdefault -F _synthlabel synthlabel"
