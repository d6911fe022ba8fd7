#!/bin/sh
# deps.sh - installs what jumpdeck needs to build and test on Debian 12.
# As root it runs apt-get; otherwise it prints the exact command to run.
# `deps.sh deb` adds what `make deb` and `make test-deb` need (packaging
# tools, lintian, debootstrap), which the other targets do not;
# `deps.sh fuzz` what `make fuzz` needs (clang and its libFuzzer runtime);
# `deps.sh bench` what `make bench` needs (a VT emulator for Debian's
# python3).
set -eu

# pkg-config module, command, file or Python module  ->  Debian package
need="
pkgconf:pkg-config:pkg-config
cmd:cc:gcc
cmd:make:make
pc:ncursesw:libncurses-dev
pc:libcurl:libcurl4-openssl-dev
pc:libcjson:libcjson-dev
pc:yaml-0.1:libyaml-dev
pc:libssh:libssh-dev
pc:libcrypto:libssl-dev
pc:cmocka:libcmocka-dev
cmd:python3:python3
py:yaml:python3-yaml
cmd:openssl:openssl
cmd:tmux:tmux
cmd:git:git
file:/usr/sbin/sshd:openssh-server
file:/usr/bin/docker-registry:docker-registry
file:/usr/sbin/nghttpx:nghttp2-proxy
cmd:ss:iproute2
cmd:curl:curl
cmd:ssh-keygen:openssh-client
cmd:valgrind:valgrind
cmd:cppcheck:cppcheck
cmd:zsh:zsh
file:/usr/share/bash-completion/bash_completion:bash-completion
locale:C.UTF-8:locales
"
if [ "${1:-}" = deb ]; then
	need="$need
cmd:dpkg-buildpackage:dpkg-dev
cmd:dh:debhelper
cmd:lintian:lintian
file:/usr/sbin/debootstrap:debootstrap
cmd:xz:xz-utils
"
fi
if [ "${1:-}" = bench ]; then
	need="$need
dpy:pyte:python3-pyte
"
fi

if [ "${1:-}" = fuzz ]; then
	need="$need
cmd:clang:clang
clangrt:fuzzer:libclang-rt-14-dev
"
fi

missing=""
for item in $need; do
	kind=${item%%:*}
	rest=${item#*:}
	name=${rest%%:*}
	pkg=${rest#*:}
	case $kind in
	pkgconf|cmd)
		command -v "$name" >/dev/null 2>&1 || missing="$missing $pkg" ;;
	pc)
		if ! command -v pkg-config >/dev/null 2>&1 ||
		   ! pkg-config --exists "$name" 2>/dev/null; then
			missing="$missing $pkg"
		fi ;;
	file)
		[ -e "$name" ] || missing="$missing $pkg" ;;
	py)
		python3 -c "import $name" >/dev/null 2>&1 ||
			missing="$missing $pkg" ;;
	clangrt) # clang's runtime library directory, for this machine
		rt=$(clang --print-runtime-dir 2>/dev/null || true)
		[ -e "$rt/libclang_rt.$name-$(uname -m).a" ] ||
			missing="$missing $pkg" ;;
	dpy) # a module of Debian's own python3 (python3-* packages)
		/usr/bin/python3 -c "import $name" >/dev/null 2>&1 ||
			missing="$missing $pkg" ;;
	locale)
		;;
	esac
done

if [ -z "$missing" ]; then
	exit 0
fi

if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
	echo "deps: installing$missing"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	# shellcheck disable=SC2086
	apt-get install -y -qq --no-install-recommends $missing >/dev/null
	exit 0
fi

echo "deps: missing packages:$missing" >&2
echo "deps: run:  sudo apt-get update && sudo apt-get install -y$missing" >&2
exit 1
