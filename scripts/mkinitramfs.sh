#!/bin/bash
# Pack the test VM's initramfs with the kernel's own usr/gen_init_cpio.
#
# usage: [SYSROOT=DIR] mkinitramfs.sh GEN_INIT_CPIO ROOT OUT [PROGRAM...]
#
# ROOT is a staging directory copied into the image as it is. Each PROGRAM is
# a dynamically linked host program (criu, unshare, ...): it goes in at its
# own path, together with the shared libraries and the loader that ldd names.
# With SYSROOT, the programs are another architecture's, unpacked in DIR
# (PROGRAM is its path there, and in the guest), which ldd cannot run: their
# loader and libraries are what their ELF headers name, found in DIR's
# multiarch library directories.
set -euo pipefail

gen_init_cpio=$1 root=$(realpath "$2") out=$3
shift 3

dirs=$(mktemp) entries=$(mktemp)
trap 'rm -f "$dirs" "$entries"' EXIT

add_parents() {
	local d=${1%/*}
	while [ -n "$d" ]; do
		echo "$d" >> "$dirs"
		d=${d%/*}
	done
}

echo /dev >> "$dirs"
echo "nod /dev/console 0600 0 0 c 5 1" >> "$entries"

while IFS= read -r path; do
	rel=${path#"$root"}
	if [ -L "$path" ]; then
		echo "slink $rel $(readlink "$path") 0777 0 0" >> "$entries"
	elif [ -d "$path" ]; then
		echo "$rel" >> "$dirs"
	else
		echo "file $rel $path $(stat -c %a "$path") 0 0" >> "$entries"
	fi
done < <(find "$root" -mindepth 1)

sysroot=${SYSROOT:-}

# libs PROGRAM: the shared libraries and the loader it needs, one a line
libs() {
	if [ -z "$sysroot" ]; then
		ldd "$1" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }'
		return
	fi
	local todo=("$1") seen=" " f lib path p
	while [ ${#todo[@]} -gt 0 ]; do
		f=${todo[0]} todo=("${todo[@]:1}")
		readelf -l "$sysroot$f" | sed -n 's/.*program interpreter: \(.*\)]$/\1/p'
		for lib in $(readelf -d "$sysroot$f" | sed -n 's/.*(NEEDED).*\[\(.*\)\]$/\1/p'); do
			path=
			for p in "$sysroot"/lib/*-linux-gnu/"$lib" "$sysroot"/usr/lib/*-linux-gnu/"$lib"; do
				[ -e "$p" ] && path=${p#"$sysroot"} && break
			done
			if [ -z "$path" ]; then
				echo "mkinitramfs.sh: $lib, which $f needs, is not in $sysroot" >&2
				return 1
			fi
			case $seen in *" $path "*) continue ;; esac
			seen+="$path "
			todo+=("$path")
			echo "$path"
		done
	done
}

for prog in "$@"; do
	libs=$(libs "$prog")
	for f in "$prog" $libs; do
		add_parents "$f"
		echo "file $f $(readlink -f "$sysroot$f") 0755 0 0" >> "$entries"
	done
done

# Parents sort before their children, and every directory precedes the files.
{
	sort -u "$dirs" | sed 's/.*/dir & 0755 0 0/'
	sort -u "$entries"
} > "$out.list"
"$gen_init_cpio" "$out.list" > "$out"
