#!/bin/bash
# Stage and pack the guest's initramfs for one kernel.
#
# usage: build-guest.sh TREE OBJ OUT SUITE...
#
# The image holds guest/init, busybox, util-linux's unshare, nsenter and lsns,
# criu (with their shared libraries), the demo, and the suites:
#   base              tests/base/base_checks.c, built against TREE
#   harness-selftest  the deliberately failing suites of guest/harness-selftest
#   selftests:NAME    TREE's tools/testing/selftests/NAME, one suite a program
# Test programs are linked statically.
set -euo pipefail

tree=$(realpath "$1") obj=$(realpath "$2") out=$3
shift 3
project=$(cd "$(dirname "$0")/.." && pwd)
root="$out.root"
cc=(gcc -static -O2 -Wall -Werror -isystem "$obj/usr/include"
    -I "$tree/tools/testing/selftests")

rm -rf "$root"
mkdir -p "$root/bin" "$root/suites"
install -m 0755 "$project/guest/init" "$project/guest/demo" "$root/"
install -m 0755 /bin/busybox "$root/bin/"
"${cc[@]}" -o "$root/bin/show-clocks" "$project/tests/tools/show-clocks.c"

for suite in "$@"; do
	case $suite in
	base)
		"${cc[@]}" -o "$root/suites/base-checks" "$project/tests/base/base_checks.c"
		;;
	harness-selftest)
		cp -r "$project/guest/harness-selftest" "$root/"
		;;
	selftests:*)
		name=${suite#selftests:}
		build="$out.selftests/$name"
		mkdir -p "$build"
		make --no-print-directory -s -C "$tree/tools/testing/selftests/$name" \
			OUTPUT="$(realpath "$build")" CC="gcc -static" \
			KHDR_INCLUDES="-isystem $obj/usr/include" all
		for prog in $(make --no-print-directory -s -C "$tree/tools/testing/selftests/$name" \
				OUTPUT="$(realpath "$build")" -f Makefile -f - print-progs <<<'print-progs: ; @echo $(TEST_GEN_PROGS)'); do
			install -m 0755 "$prog" "$root/suites/$name-${prog##*/}"
		done
		;;
	*)
		echo "build-guest.sh: unknown suite $suite" >&2
		exit 2
		;;
	esac
done

"$project/scripts/mkinitramfs.sh" "$obj/usr/gen_init_cpio" "$root" "$out" \
	/usr/bin/unshare /usr/bin/nsenter /usr/bin/lsns /usr/sbin/criu
echo "  GUEST  $out: suites $(ls "$root/suites" | tr '\n' ' ')"
