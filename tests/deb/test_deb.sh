#!/bin/sh
# test_deb.sh - the Debian package on a clean Debian 12: a root made with
# debootstrap (kept as a tarball in a cache directory, with the packages
# apt downloads, so a second run is fast), the cloud-init snippet's files
# written into it and its install script run there (apt-get install
# ./jumpdeck_*.deb, the package served on loopback), then jumpdeck run
# inside the root: --version, nodes against the simulated cluster on
# loopback (chroot shares the network), the installed themes, sample
# config, completion and man page, an operator's copy of the shared
# config, and removal. Needs root (debootstrap, chroot, mount).
# TAP-like lines; `make test-deb` runs it after building the package.
set -u
cd "$(dirname "$0")/../.." || exit 2
TOP=$(pwd)
BUILD=${BUILD:-build}
SUITE=bookworm
MIRROR=${JD_DEB_MIRROR:-http://deb.debian.org/debian}
CACHE=${JD_DEB_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/jumpdeck-test-deb}
BASE=$CACHE/$SUITE-base.tar
T=$(mktemp -d "${TMPDIR:-/tmp}/jd-deb.XXXXXX") || exit 2
R=$T/root
WORLD=$T/world
FAILED=0
HTTP_PID=""
MOUNTED=""
START=$(date +%s)

ok() { echo "ok - $1"; }
not_ok() {
	echo "not ok - $1"
	FAILED=$((FAILED + 1))
	if [ -s "$T/out" ]; then
		echo "#   output:"
		head -30 "$T/out" | sed 's/^/#   | /'
	fi
}
check() {
	desc=$1
	shift
	if "$@"; then ok "$desc"; else not_ok "$desc"; fi
}
has() { grep -qF -- "$1" "$T/out"; }
# in_root COMMAND...: run in the root, output in $T/out, status in rc.
in_root() {
	chroot "$R" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
		HOME=/root LANG=C.UTF-8 TERM=dumb "$@" >"$T/out" 2>&1 </dev/null
	rc=$?
}
rc_is() { test "$rc" -eq "$1"; }

cleanup() {
	[ -n "$HTTP_PID" ] && kill "$HTTP_PID" 2>/dev/null
	python3 tests/sim/world.py down --dir "$WORLD" >/dev/null 2>&1
	for m in $MOUNTED; do umount "$m" 2>/dev/null || umount -l "$m"; done
	# Never follow a mount out of the temporary directory.
	rm -rf --one-file-system "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

if [ "$(id -u)" -ne 0 ]; then
	echo "skip - test_deb.sh: needs root (debootstrap, chroot)"
	exit 0
fi
DEB=$(ls "$BUILD"/deb/jumpdeck_*_amd64.deb 2>/dev/null | head -1)
if [ -z "$DEB" ]; then
	not_ok "the package is built (make deb)"
	exit 1
fi
VERSION=$(dpkg-deb -f "$DEB" Version)

# ---------------------------------------------------------------- the root
mkdir -p "$CACHE/debs" "$CACHE/apt-archives/partial"
if [ ! -s "$BASE" ]; then
	# A minimal Debian 12, plus what a cloud image has anyway (curl, CA
	# certificates, cloud-init) installed by apt; made once and kept.
	echo "# debootstrap $SUITE from $MIRROR (once; cached in $CACHE)"
	B=$T/base
	if ! debootstrap --variant=minbase --cache-dir="$CACHE/debs" \
		"$SUITE" "$B" "$MIRROR" >"$T/out" 2>&1; then
		not_ok "debootstrap makes a Debian 12 root"
		exit 1
	fi
	mount -t proc proc "$B/proc" && MOUNTED="$B/proc $MOUNTED"
	mount --bind "$CACHE/apt-archives" "$B/var/cache/apt/archives" &&
		MOUNTED="$B/var/cache/apt/archives $MOUNTED"
	cp /etc/resolv.conf "$B/etc/resolv.conf" 2>/dev/null
	# No service starts inside the root.
	printf '#!/bin/sh\nexit 101\n' >"$B/usr/sbin/policy-rc.d"
	chmod 755 "$B/usr/sbin/policy-rc.d"
	if ! chroot "$B" /usr/bin/env DEBIAN_FRONTEND=noninteractive \
		sh -c 'apt-get update &&
		apt-get install -y --no-install-recommends ca-certificates \
			curl cloud-init' >"$T/out" 2>&1; then
		not_ok "curl and cloud-init install in the new root"
		exit 1
	fi
	rm -f "$B/usr/sbin/policy-rc.d"
	for m in $MOUNTED; do umount "$m"; done
	MOUNTED=""
	tar --numeric-owner -C "$B" -cf "$BASE.tmp" . && mv "$BASE.tmp" "$BASE"
	rm -rf --one-file-system "$B"
	echo "# the root was made and cached in $(($(date +%s) - START)) s"
fi
mkdir -p "$R"
tar --numeric-owner -C "$R" -xf "$BASE"
check "a clean Debian 12 root (debootstrap, $SUITE)" \
	grep -q '^VERSION_ID="12"' "$R/etc/os-release"
check "the root has no jumpdeck before the test" \
	test ! -e "$R/usr/bin/jumpdeck"
mount -t proc proc "$R/proc" && MOUNTED="$R/proc $MOUNTED"
mount --bind "$CACHE/apt-archives" "$R/var/cache/apt/archives" &&
	MOUNTED="$R/var/cache/apt/archives $MOUNTED"
cp /etc/resolv.conf "$R/etc/resolv.conf" 2>/dev/null
[ -c "$R/dev/null" ] || { rm -f "$R/dev/null"; mknod -m 666 "$R/dev/null" c 1 3; }
[ -c "$R/dev/urandom" ] ||
	{ rm -f "$R/dev/urandom"; mknod -m 666 "$R/dev/urandom" c 1 9; }

# ------------------------------------------------- the cloud-init snippet
cp doc/cloud-init-jumpdeck.yaml "$R/tmp/cloud-init.yaml"
in_root cloud-init schema --config-file /tmp/cloud-init.yaml
check "the cloud-init snippet is a valid cloud-config (cloud-init schema)" \
	rc_is 0
# Do what its write_files and runcmd do, with the package served on
# loopback in place of the storage account.
cat >"$R/tmp/apply.py" <<'EOF'
import os, subprocess, sys, yaml
doc = yaml.safe_load(open("/tmp/cloud-init.yaml"))
for f in doc["write_files"]:
    os.makedirs(os.path.dirname(f["path"]), exist_ok=True)
    with open(f["path"], "w") as out:
        out.write(f["content"])
    os.chmod(f["path"], int(f["permissions"], 8))
for cmd in doc["runcmd"]:
    r = subprocess.run(cmd)
    if r.returncode:
        sys.exit(r.returncode)
EOF
mkdir -p "$T/www"
cp "$DEB" "$T/www/"
python3 -m http.server --bind 127.0.0.1 0 --directory "$T/www" \
	>"$T/http.log" 2>&1 &
HTTP_PID=$!
i=0
while ! grep -q 'port [0-9]' "$T/http.log" && [ $i -lt 50 ]; do
	sleep 0.1
	i=$((i + 1))
done
PORT=$(sed -n 's/.*port \([0-9]*\).*/\1/p' "$T/http.log" | head -1)
SUM=$(sha256sum "$DEB" | cut -d' ' -f1)
in_root env DEBIAN_FRONTEND=noninteractive \
	JUMPDECK_DEB_URL="http://127.0.0.1:$PORT/$(basename "$DEB")" \
	JUMPDECK_DEB_SHA256="$SUM" python3 /tmp/apply.py
cp "$T/out" "$T/install.log"
check "the snippet's install script: apt-get install ./$(basename "$DEB") succeeds" \
	rc_is 0
check "the install script checked the package's SHA-256" has ": OK"
in_root dpkg-query -W -f '${Status} ${Version}' jumpdeck
check "dpkg: jumpdeck $VERSION is installed" \
	has "install ok installed $VERSION"
in_root env DEBIAN_FRONTEND=noninteractive JUMPDECK_DEB_SHA256=0 \
	JUMPDECK_DEB_URL="http://127.0.0.1:$PORT/$(basename "$DEB")" \
	/usr/local/sbin/install-jumpdeck
check "the install script refuses a package with another SHA-256" \
	test "$rc" -ne 0

# ------------------------------------------------- what was installed
in_root dpkg -L jumpdeck
missing=""
for f in /usr/bin/jumpdeck /usr/share/man/man1/jumpdeck.1.gz \
	/usr/share/jumpdeck/themes/default.theme \
	/usr/share/jumpdeck/themes/high-contrast.theme \
	/usr/share/jumpdeck/themes/monochrome.theme \
	/usr/share/jumpdeck/themes/solarized-dark.theme \
	/usr/share/bash-completion/completions/jumpdeck \
	/usr/share/zsh/vendor-completions/_jumpdeck \
	/usr/share/doc/jumpdeck/copyright \
	/usr/share/doc/jumpdeck/examples/config; do
	grep -qx "$f" "$T/out" || missing="$missing $f"
done
check "files where Debian expects them${missing:+ (missing:$missing)}" \
	test -z "$missing"

in_root jumpdeck --version
check "jumpdeck --version runs in the root" rc_is 0
check "--version: jumpdeck $VERSION" has "jumpdeck $VERSION"
for lib in "libcurl " "TLS: OpenSSL/" "ncurses 6" "libssh 0." "libyaml 0." \
	"cJSON 1."; do
	check "--version names $lib" has "$lib"
done

# ------------------------------------------------- against the cluster
python3 tests/sim/world.py up --dir "$WORLD" --scenario nodes >"$T/out" 2>&1
check "the simulated cluster starts on loopback" rc_is 0
mkdir -p "$R$WORLD"
cp -a "$WORLD/." "$R$WORLD/"
in_root env KUBECONFIG="$WORLD/kubeconfig" jumpdeck nodes
check "jumpdeck nodes in the root: exit 0 (all Ready)" rc_is 0
check "jumpdeck nodes in the root: 7/7 Ready" has "7/7 Ready"
check "jumpdeck nodes in the root: the node table" \
	grep -Eq '^aks-npsystem-26621167-vmss000000 +Ready ' "$T/out"
python3 tests/sim/world.py set-ready --dir "$WORLD" \
	aks-npsystem-26621167-vmss000001 false >/dev/null 2>&1
in_root env KUBECONFIG="$WORLD/kubeconfig" jumpdeck nodes
check "jumpdeck nodes in the root: a NotReady node gives exit 1" rc_is 1
check "jumpdeck nodes in the root: 6/7 Ready" has "6/7 Ready"

# ------------------------------------------------- themes, config, docs
in_root jumpdeck config --check /usr/share/doc/jumpdeck/examples/config
check "the installed sample config passes config --check" rc_is 0
in_root jumpdeck config --check /etc/skel/.config/jumpdeck/config
check "the snippet's shared config passes config --check" rc_is 0
printf 'theme = solarized-dark\n' >"$R/tmp/theme.conf"
in_root jumpdeck config --check /tmp/theme.conf
check "an installed theme is found (/usr/share/jumpdeck/themes)" rc_is 0
printf 'theme = no-such-theme\n' >"$R/tmp/theme.conf"
in_root jumpdeck config --check /tmp/theme.conf
check "a theme that is not installed is an error with its line" \
	sh -c "test $rc -eq 2 && grep -q '/tmp/theme.conf:1: theme' '$T/out'"
in_root bash -c '. /usr/share/bash-completion/completions/jumpdeck
	COMP_WORDS=(jumpdeck ""); COMP_CWORD=1; _jumpdeck
	printf "%s\n" "${COMPREPLY[@]}"'
check "the installed bash completion offers the commands" \
	sh -c "grep -qx nodes '$T/out' && grep -qx status '$T/out'"
check "the man page is installed, compressed" \
	sh -c "gzip -cd '$R/usr/share/man/man1/jumpdeck.1.gz' | grep -q '^.SH CONFIGURATION'"
# An operator account made after the snippet ran gets the shared config.
in_root useradd -m opsuser01
in_root chroot --userspec=opsuser01:opsuser01 / /usr/bin/env \
	HOME=/home/opsuser01 jumpdeck config
check "an operator account gets the shared config from /etc/skel" \
	grep -Eq '^frame_rate +4 +file \(/home/opsuser01/.config/jumpdeck/config:' \
	"$T/out"

in_root env DEBIAN_FRONTEND=noninteractive apt-get purge -y jumpdeck
check "apt-get purge removes it" rc_is 0
check "nothing of it is left in /usr" \
	sh -c "test ! -e '$R/usr/bin/jumpdeck' && test ! -e '$R/usr/share/jumpdeck'"

echo "# test_deb.sh took $(($(date +%s) - START)) s"
if [ "$FAILED" -ne 0 ]; then
	echo "# $FAILED assertion(s) failed"
	exit 1
fi
exit 0
