#!/bin/sh
# embed.sh - turns a text file into a C string constant, so the default theme
# is compiled in from the same file that ships in themes/.
# usage: embed.sh SYMBOL FILE > out.c
set -eu
sym=$1
file=$2
printf '/* generated from %s by scripts/embed.sh; do not edit */\n' "$file"
printf 'extern const char %s[];\n' "$sym"
printf 'const char %s[] =\n' "$sym"
sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/\t"/' -e 's/$/\\n"/' "$file"
printf '\t"";\n'
