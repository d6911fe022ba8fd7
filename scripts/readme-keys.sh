#!/bin/sh
# readme-keys.sh - rewrites the README's key list (between the keys:begin
# and keys:end markers) from the program's action table.
set -eu
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
tmp=$(mktemp)
awk -v keys="$("$BUILD/jumpdeck" --config /dev/null keys --markdown)" '
	/<!-- keys:begin -->/ { print; print keys; skip = 1; next }
	/<!-- keys:end -->/ { skip = 0 }
	!skip { print }
' README.md >"$tmp"
mv "$tmp" README.md
