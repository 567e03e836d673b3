#!/bin/bash
# Install, from Debian's packages, whatever the build, the VM and the tests
# need and the machine lacks, and the kernel source at its pinned version.
# Needs root (or sudo) only when something is missing.
#
# usage: install-deps.sh [--arch ARCH] SOURCE_PACKAGE SOURCE_VERSION [PACKAGE...]
#
# PACKAGE: what one target needs beside the rest (make bench: gnuplot-nox).
# --arch ARCH: add ARCH to dpkg's architectures, if it is not there yet,
# so that apt fetches its package lists and "apt-get download PKG:ARCH" can
# fetch its packages (make check-arm64's guest). Nothing of ARCH is
# installed.
#
# The source package holds only a tarball under /usr/src, so replacing
# another installed version of it with the pinned one is safe.
set -euo pipefail

foreign=
if [ "${1:-}" = --arch ]; then
	foreign=$2
	shift 2
fi
source_package=$1 source_version=$2
shift 2

packages=(
	# the kernel's build
	gcc make flex bison bc libelf-dev libssl-dev
	# the 32-bit (-m32 -static) programs of the timens selftests
	gcc-multilib
	cpio xz-utils unifdef python3 git rsync
	# make series-lint: sparse, and the SPDX check of checkpatch.pl
	sparse python3-ply python3-git
	# the VM and what runs inside it
	qemu-system-x86 busybox-static util-linux criu
	# the reliability suite runs stress-ng's unshare stressor
	stress-ng
	# make check-clients: container runtimes and a Go program
	crun lxc golang-go
	"$@"
)

installed_version() {
	{ dpkg-query -W -f='${Status} ${Version}' "$1" 2>/dev/null || true; } |
		sed -n 's/^install ok installed //p'
}

missing=()
for p in "${packages[@]}"; do
	[ -n "$(installed_version "$p")" ] || missing+=("$p")
done
installed_source=$(installed_version "$source_package")
[ "$installed_source" = "$source_version" ] || missing+=("$source_package=$source_version")
add_arch=
if [ -n "$foreign" ] && ! dpkg --print-foreign-architectures | grep -qxF "$foreign"; then
	add_arch=$foreign
fi
[ ${#missing[@]} -eq 0 ] && [ -z "$add_arch" ] && exit 0

sudo=
[ "$(id -u)" = 0 ] || sudo=sudo
if [ -n "$add_arch" ]; then
	echo "  DEPS  adding the $add_arch architecture to dpkg (dpkg --add-architecture $add_arch):" \
		"apt fetches its package lists from now on; nothing of it is installed"
	$sudo dpkg --add-architecture "$add_arch"
fi
$sudo apt-get update -q
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$installed_source" != "$source_version" ]; then
	available=$(apt-cache madison "$source_package" | awk -F' *[|] *' '{ print $2 }' | sort -u -V)
	if ! grep -qxF "$source_version" <<< "$available"; then
		echo "error: $source_package $source_version, the pinned version, is no longer in the archive." >&2
		echo "       The archive has: $(echo ${available:-nothing})" >&2
		echo "       Move the pin with: make pin LINUX_SOURCE_VERSION=$(tail -n 1 <<< "$available")" >&2
		exit 1
	fi
	if [ -n "$installed_source" ]; then
		echo "  DEPS  replacing $source_package $installed_source with the pinned $source_version"
	fi
fi

echo "  DEPS  installing: ${missing[*]}"
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends \
	--allow-downgrades "${missing[@]}"
