#!/bin/bash
# Stage and pack the guest's initramfs for one kernel.
#
# usage: [GUEST_ARCH=arm64] build-guest.sh TREE OBJ OUT SUITE...
#
# GUEST_ARCH=arm64 packs a guest for the arm64 kernel of make check-arm64:
# clang cross-builds the programs (and, where a selftests directory has
# TEST_GEN_PROGS_32, those as 32-bit arm programs), and busybox, util-linux
# and stress-ng come from Debian's arm64 packages, downloaded (not installed)
# and unpacked in BUILD/arm64-sysroot. Only the suites of make check-series
# and check-compat are made for arm64.
#
# The image holds guest/init, busybox, util-linux's unshare, nsenter and lsns,
# criu (with their shared libraries), the demo, the CRIU steps (guest/criu,
# guest/migrate) and the programs they checkpoint, TREE's KTAP helpers for the
# shell suites (/lib/ktap_helpers.sh), and the suites (the reliability suites
# add stress-ng):
#   base              tests/base/base_checks.c, built against TREE
#   harness-selftest  the deliberately failing suites of guest/harness-selftest
#   bench             tests/bench/vdso_bench.c, the vDSO benchmark of make bench
#   scale             tests/bench/timens_scale.c, the scale run of make bench
#   selftests:NAME    TREE's tools/testing/selftests/NAME, one suite a program
#   reliability       tests/reliability: the short runs of the fuzzer, the
#                     stress and the leak check (about a minute in all),
#                     and the count of live namespaces after every suite
#   reliability-full  the same programs, with the full counts and durations
#   clocksource       guest/clocksource, run before every other suite: it
#                     waits for the clocksource that the vDSO reads (x86:
#                     tsc, arm64: arch_sys_counter) and fails without it
#   kmemleak          guest/kmemleak-scan, run after every other suite
#   upstream:NAME[/PROG]  the same directory (or only its program PROG) of the
#                     tag "upstream" of TREE, the unmodified kernel: its own
#                     selftests, built untouched against OBJ's headers, each
#                     program a suite "upstream-NAME-PROG"
#   tools             the scripts tests/tools/*.sh: real programs (util-linux)
#                     run in the VM, each a suite
#   clients           container runtimes and clients that set offsets, each
#                     a suite "clients-NAME": tests/clients/*.sh (crun and
#                     LXC with a busybox root file system in /containers,
#                     a Go program), and tests/tools/runc_order.c, runc's
#                     order of operations; the VM needs harness.root=tmpfs
# Test programs are linked statically.
set -euo pipefail

tree=$(realpath "$1") obj=$(realpath "$2") out=$3
shift 3
project=$(cd "$(dirname "$0")/.." && pwd)
root="$out.root"
case ${GUEST_ARCH:-x86_64} in
x86_64)
	compiler=(gcc)
	# 32-bit programs are built by the selftests' Makefiles (-m32)
	compiler32=()
	sysroot=
	# Dynamically linked host programs a suite needs, beside the usual ones
	programs=(/usr/bin/unshare /usr/bin/nsenter /usr/bin/lsns /usr/sbin/criu)
	# The reliability suite fails without it, rather than the build.
	stress_ng=$(command -v stress-ng || true)
	;;
arm64)
	# The selftests silence warnings that only GCC has (-Wclobbered).
	compiler=(clang --target=aarch64-linux-gnu -fuse-ld=lld -Wno-unknown-warning-option)
	compiler32=(clang --target=arm-linux-gnueabihf -fuse-ld=lld -Wno-unknown-warning-option)
	# The programs of these arm64 packages, and the libraries they need
	# (the packages' dependencies, which apt-get download does not fetch),
	# are packed from the unpacked packages (mkinitramfs.sh's SYSROOT).
	sysroot=$(realpath -m "$(dirname "$out")/arm64-sysroot")
	packages=(busybox-static util-linux stress-ng)
	# Depends and Pre-Depends only, recursively, of this architecture
	# (virtual packages are "<NAME>", of others unsuffixed).
	debs=$(apt-cache depends --recurse --no-recommends --no-suggests --no-conflicts \
		--no-breaks --no-replaces --no-enhances "${packages[@]/%/:arm64}" |
		grep -x '[^ <].*:arm64' | sort -u)
	if [ "$(cat "$sysroot.packages" 2>/dev/null)" != "$debs" ]; then
		echo "  GUEST  downloading and unpacking ${packages[*]} for arm64 (and $(($(wc -l <<< "$debs") - ${#packages[@]})) dependencies)"
		rm -rf "$sysroot" "$sysroot.debs" "$sysroot.packages"
		mkdir -p "$sysroot" "$sysroot.debs"
		# shellcheck disable=SC2086
		(cd "$sysroot.debs" && apt-get download -q=2 $debs)
		for deb in "$sysroot.debs"/*.deb; do
			dpkg-deb -x "$deb" "$sysroot"
		done
		echo "$debs" > "$sysroot.packages"
	fi
	programs=(/usr/bin/unshare /usr/bin/nsenter /usr/bin/lsns)
	stress_ng=/usr/bin/stress-ng
	# The 32-bit programs need arm's uapi headers, not arm64's.
	make --no-print-directory -s -C "$tree" O="$(realpath -m "$out.arm-headers")" ARCH=arm \
		INSTALL_HDR_PATH="$(realpath -m "$out.arm-headers/usr")" headers_install
	khdr32=$(realpath "$out.arm-headers/usr/include")
	;;
*)
	echo "build-guest.sh: GUEST_ARCH=$GUEST_ARCH: x86_64 or arm64" >&2
	exit 2
	;;
esac
cc=("${compiler[@]}" -static -O2 -Wall -Werror -isystem "$obj/usr/include"
    -I "$tree/tools/testing/selftests")

rm -rf "$root"
mkdir -p "$root/bin" "$root/suites"
install -m 0755 "$project/guest/init" "$project/guest/demo" "$project/guest/criu" \
	"$project/guest/migrate" "$root/"
install -m 0755 "$sysroot/bin/busybox" "$root/bin/"
install -D -m 0644 "$tree/tools/testing/selftests/kselftest/ktap_helpers.sh" \
	"$root/lib/ktap_helpers.sh"
"${cc[@]}" -o "$root/bin/show-clocks" "$project/tests/tools/show-clocks.c"
"${cc[@]}" -o "$root/bin/ticker" "$project/tests/tools/ticker.c"
"${cc[@]}" -o "$root/bin/migrant" "$project/tests/tools/migrant.c"

for suite in "$@"; do
	case $suite in
	base)
		"${cc[@]}" -o "$root/suites/base-checks" "$project/tests/base/base_checks.c"
		;;
	reliability | reliability-full)
		for prog in timens_fuzz timens_stress timens_leak; do
			"${cc[@]}" -o "$root/bin/$prog" "$project/tests/reliability/$prog.c"
		done
		if [ "$suite" = reliability ]; then
			fuzz=10000 stress=20 leak=10000
		else
			fuzz=100000 stress=120 leak=100000
		fi
		printf '#!/bin/sh\nexec /bin/timens_fuzz %s\n' "$fuzz" > "$root/suites/reliability-fuzz"
		printf '#!/bin/sh\nexec /bin/timens_stress %s\n' "$stress" > "$root/suites/reliability-stress"
		printf '#!/bin/sh\nexec /bin/timens_leak %s\n' "$leak" > "$root/suites/reliability-leak"
		# Sorted after every other suite but zz-kmemleak-scan, which
		# then sees the namespaces that this count creates and frees.
		printf '#!/bin/sh\nexec /bin/timens_leak --count-only\n' \
			> "$root/suites/zy-timens-live-count"
		chmod 0755 "$root"/suites/reliability-* "$root/suites/zy-timens-live-count"
		programs+=("$stress_ng")
		;;
	clocksource)
		install -m 0755 "$project/guest/clocksource" "$root/suites/clocksource"
		;;
	kmemleak)
		install -m 0755 "$project/guest/kmemleak-scan" "$root/suites/zz-kmemleak-scan"
		;;
	bench)
		"${cc[@]}" -o "$root/suites/vdso-bench" "$project/tests/bench/vdso_bench.c"
		;;
	scale)
		"${cc[@]}" -o "$root/suites/timens-scale" "$project/tests/bench/timens_scale.c"
		;;
	harness-selftest)
		cp -r "$project/guest/harness-selftest" "$root/"
		;;
	selftests:*)
		name=${suite#selftests:}
		build="$out.selftests/$name"
		mkdir -p "$build"
		smake=(make --no-print-directory -s -C "$tree/tools/testing/selftests/$name"
		       OUTPUT="$(realpath "$build")")
		"${smake[@]}" CC="${compiler[*]} -static" KHDR_INCLUDES="-isystem $obj/usr/include" all
		progs=$("${smake[@]}" -f Makefile -f - print-progs <<<'print-progs: ; @echo $(TEST_GEN_PROGS)')
		if [ ${#compiler32[@]} -gt 0 ]; then
			# The Makefile's own rule for them, with the 32-bit compiler.
			progs32=$("${smake[@]}" -f Makefile -f - print-progs \
				<<<'print-progs: ; @echo $(addprefix $(OUTPUT)/,$(TEST_GEN_PROGS_32))')
			# shellcheck disable=SC2086
			[ -z "$progs32" ] || "${smake[@]}" CC="${compiler32[*]} -static" \
				KHDR_INCLUDES="-isystem $khdr32" $progs32
			progs="$progs $progs32"
		fi
		for prog in $progs; do
			install -m 0755 "$prog" "$root/suites/$name-${prog##*/}"
		done
		;;
	upstream:*)
		name=${suite#upstream:} prog=
		case $name in */*) prog=${name#*/} name=${name%%/*} ;; esac
		src="$out.upstream"
		build=$(realpath -m "$out.upstream-build/$name")
		# The selftests as they are in the tag: nothing of them is kept in
		# the project, or changed.
		rm -rf "$src/tools/testing/selftests/$name"
		mkdir -p "$src" "$build"
		git -C "$tree" archive upstream "tools/testing/selftests/$name" \
			tools/testing/selftests/kselftest.h \
			tools/testing/selftests/kselftest_harness.h \
			tools/testing/selftests/lib.mk \
			tools/testing/selftests/clone3/clone3_selftests.h | tar -x -C "$src"
		umake=(make --no-print-directory -s -C "$src/tools/testing/selftests/$name"
		       OUTPUT="$build" CC="${compiler[*]} -static -isystem $obj/usr/include"
		       KHDR_INCLUDES="-isystem $obj/usr/include")
		if [ -n "$prog" ]; then
			# One program, without the libraries of the others (libcap).
			progs=$build/$prog
			"${umake[@]}" LDLIBS= "$progs"
		else
			progs=$("${umake[@]}" -f Makefile -f - print-progs <<<'print-progs: ; @echo $(TEST_GEN_PROGS)')
			# shellcheck disable=SC2086
			"${umake[@]}" $progs
		fi
		for p in $progs; do
			install -m 0755 "$p" "$root/suites/upstream-$name-${p##*/}"
		done
		;;
	tools)
		for t in "$project"/tests/tools/*.sh; do
			install -m 0755 "$t" "$root/suites/tools-$(basename "$t" .sh)"
		done
		;;
	clients)
		"${cc[@]}" -pthread -o "$root/suites/clients-runc-order" \
			"$project/tests/tools/runc_order.c"
		install -D -m 0644 "$project/tests/clients/lib/clocks.sh" "$root/lib/clients-clocks.sh"
		for t in "$project"/tests/clients/*.sh; do
			install -m 0755 "$t" "$root/suites/clients-$(basename "$t" .sh)"
		done
		# The containers' root file system: busybox and show-clocks.
		rootfs=$root/containers/rootfs
		mkdir -p "$rootfs/bin" "$rootfs/dev" "$rootfs/proc" "$rootfs/sys" "$rootfs/tmp"
		install -m 0755 "$sysroot/bin/busybox" "$root/bin/show-clocks" "$rootfs/bin/"
		for applet in sh cat sleep; do
			ln -s busybox "$rootfs/bin/$applet"
		done
		programs+=(/usr/bin/crun)
		# LXC mounts a container's root file system on its libdir's
		# lxc/rootfs, which must exist.
		mkdir -p "$root/usr/lib/x86_64-linux-gnu/lxc/rootfs"
		programs+=(/usr/bin/lxc-start /usr/bin/lxc-attach /usr/bin/lxc-stop)
		# A Go program, and the system call of later Go versions.
		GOCACHE=$(realpath -m "$out.gocache") CGO_ENABLED=0 \
			go build -o "$root/bin/go-newtime" "$project/tests/clients/go_newtime.go"
		"${cc[@]}" -o "$root/bin/go_clone3" "$project/tests/tools/go_clone3.c"
		;;
	*)
		echo "build-guest.sh: unknown suite $suite" >&2
		exit 2
		;;
	esac
done

SYSROOT=$sysroot "$project/scripts/mkinitramfs.sh" "$obj/usr/gen_init_cpio" "$root" "$out" \
	$(printf '%s\n' "${programs[@]}" | grep . | sort -u)
echo "  GUEST  $out: suites $(ls "$root/suites" | tr '\n' ' ')"
