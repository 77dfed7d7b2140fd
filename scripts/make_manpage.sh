#!/usr/bin/env bash
# Writes synthlabel(1) in roff to stdout from the binary's own --help texts (the main page and each
# command's), so the man page cannot drift from the options. Run by the build (cmake/Package.cmake).
#   scripts/make_manpage.sh build/synthlabel > synthlabel.1 && man -l synthlabel.1
set -euo pipefail
bin=$1
version=$("$bin" --version)
commands=$("$bin" --help | awk '/^Subcommands:/ {on = 1; next} on && /^  [a-z]/ {print $1}')
# Text as roff shows it verbatim: backslashes escaped, lines starting with . or ' protected, '-' literal.
verbatim() { sed -e 's/\\/\\e/g' -e 's/^\([.'"'"']\)/\\\&\1/' -e 's/-/\\-/g'; }
echo ".TH SYNTHLABEL 1 \"\" \"synthlabel $version\" \"User Commands\""
echo ".SH NAME"
echo "synthlabel \\- labeled training data from YAML scene configs, pixel-exact, rendered headlessly with Vulkan"
echo ".SH SYNOPSIS"
echo ".B synthlabel"
echo ".I COMMAND"
echo "[OPTIONS] ..."
echo ".SH DESCRIPTION"
echo ".nf"
"$bin" --help | verbatim
echo ".fi"
echo ".SH COMMANDS"
for c in $commands; do
  echo ".SS synthlabel $c"
  echo ".nf"
  "$bin" "$c" --help | verbatim
  echo ".fi"
done
echo ".SH FILES"
echo "/usr/share/synthlabel/configs: example configs (quickstart.yaml first); /usr/share/synthlabel/assets: their models, textures and HDR maps."
echo ".SH SEE ALSO"
echo "The documentation in the source repository: README.md, docs/config.md, docs/conventions.md, docs/python.md."
