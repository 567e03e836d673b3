#!/bin/bash
# Pack the test VM's initramfs with the kernel's own usr/gen_init_cpio.
#
# usage: mkinitramfs.sh GEN_INIT_CPIO ROOT OUT [PROGRAM...]
#
# ROOT is a staging directory copied into the image as it is. Each PROGRAM is
# a dynamically linked host program (criu, unshare, ...): it goes in at its
# own path, together with the shared libraries and the loader that ldd names.
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

for prog in "$@"; do
	libs=$(ldd "$prog" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }')
	for f in "$prog" $libs; do
		add_parents "$f"
		echo "file $f $(readlink -f "$f") 0755 0 0" >> "$entries"
	done
done

# Parents sort before their children, and every directory precedes the files.
{
	sort -u "$dirs" | sed 's/.*/dir & 0755 0 0/'
	sort -u "$entries"
} > "$out.list"
"$gen_init_cpio" "$out.list" > "$out"
