#!/bin/sh
# make-deb.sh - builds the Debian package from the working tree: copies the
# tracked and new files into $BUILD/deb/jumpdeck-VERSION, runs
# dpkg-buildpackage there (source and binary, unsigned) and lintian on the
# result. The .deb, .dsc and .changes end up in $BUILD/deb.
set -eu
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
version=$(dpkg-parsechangelog -S Version)
code=$(sed -n 's/^#define JD_VERSION "\(.*\)"$/\1/p' cli/cli_version.c)
if [ "$version" != "$code" ]; then
	echo "make deb: debian/changelog says $version but" \
		"cli/cli_version.c says $code" >&2
	exit 1
fi
out=$BUILD/deb
src=$out/jumpdeck-$version
rm -rf "$out"
mkdir -p "$src"
# The files of the working tree, without build output.
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	git ls-files --cached --others --exclude-standard |
		while IFS= read -r f; do [ -f "$f" ] && printf '%s\n' "$f"; done |
		tar -cf - -T - | tar -xf - -C "$src"
else
	tar --exclude=./build --exclude='./build-*' --exclude=./.git \
		-cf - . | tar -xf - -C "$src"
fi
echo "  DEB     $src"
jobs=$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo 1)
[ "$jobs" -gt 2 ] && jobs=2
(cd "$src" &&
	DEB_BUILD_OPTIONS="parallel=$jobs ${DEB_BUILD_OPTIONS:-}" \
		dpkg-buildpackage -us -uc >../build.log 2>&1) || {
	tail -40 "$out/build.log" >&2
	echo "make deb: dpkg-buildpackage failed (all of it: $out/build.log)" >&2
	exit 1
}
rm -rf "$src"
changes=$(ls "$out"/jumpdeck_"$version"_*.changes)
echo "  LINTIAN $changes"
# lintian warns when run as root: run it as nobody when we are root.
as=""
if [ "$(id -u)" -eq 0 ] && command -v runuser >/dev/null 2>&1 &&
	id nobody >/dev/null 2>&1 &&
	runuser -u nobody -- test -r "$changes" 2>/dev/null; then
	as="runuser -u nobody -- env HOME=/tmp TMPDIR=/tmp"
fi
$as lintian --fail-on error,warning --display-info "$changes"
ls "$out"/jumpdeck_"$version"_*.deb
