#!/bin/bash
# Install, from Debian's packages, whatever the build, the VM and the tests
# need and the machine lacks. Needs root (or sudo) only when something is
# missing.
set -euo pipefail

packages=(
	# the kernel source and its build
	linux-source-6.12 gcc make flex bison bc libelf-dev libssl-dev
	cpio xz-utils unifdef python3 git rsync
	# make series-lint: sparse, and the SPDX check of checkpatch.pl
	sparse python3-ply python3-git
	# the VM and what runs inside it
	qemu-system-x86 busybox-static util-linux criu
	# the reliability suite runs stress-ng's unshare stressor
	stress-ng
)

missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=
[ "$(id -u)" = 0 ] || sudo=sudo
echo "  DEPS  installing: ${missing[*]}"
$sudo apt-get update -q
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
