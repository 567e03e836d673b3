#!/bin/bash
# The series' timens selftests on arm64: natively, and those of the clocks
# as 32-bit arm programs too, through the compat vDSO; and its KUnit tests,
# which the kernel runs at boot. The kernel is built by
# build-kernel.sh (KERNEL_ARCH=arm64), the programs statically by clang, and
# they run as suites of guest/init, with Debian's static busybox for arm64,
# in QEMU's "virt" machine (TCG).
#
# usage: check-arm64.sh TREE OBJ OUT LOG
#
# OBJ holds the built kernel and its headers; OUT.* the guest's files; LOG
# gets the console. report.py judges LOG.
set -euo pipefail

tree=$(realpath "$1") obj=$(realpath "$2") out=$(realpath -m "$3") log=$(realpath -m "$4")
project=$(cd "$(dirname "$0")/.." && pwd)
selftests=$tree/tools/testing/selftests
root=$out.root

# Debian's busybox-static for arm64, from the archive the machine uses
# (apt-get download needs the architecture: dpkg --add-architecture arm64).
busybox_deb=$(ls "$out".busybox/busybox-static_*_arm64.deb 2>/dev/null || true)
if [ -z "$busybox_deb" ]; then
	echo "  GUEST fetching busybox-static:arm64"
	mkdir -p "$out.busybox"
	(cd "$out.busybox" && apt-get download -q busybox-static:arm64)
	busybox_deb=$(ls "$out".busybox/busybox-static_*_arm64.deb)
fi

# The 32-bit programs need arm's uapi headers, not arm64's.
echo "  GUEST arm headers and the timens selftests for arm64 and arm"
make --no-print-directory -s -C "$tree" O="$out.arm-headers" ARCH=arm \
	INSTALL_HDR_PATH="$out.arm-headers/usr" headers_install
cc64=(clang --target=aarch64-linux-gnu -fuse-ld=lld -static -O2 -Wall
      -Wno-unknown-warning-option -isystem "$obj/usr/include" -I "$selftests")
cc32=(clang --target=arm-linux-gnueabihf -fuse-ld=lld -static -O2 -Wall
      -Wno-unknown-warning-option -isystem "$out.arm-headers/usr/include"
      -I "$selftests" -D_FILE_OFFSET_BITS=64)

rm -rf "$root"
mkdir -p "$root/bin" "$root/suites"
install -m 0755 "$project/guest/init" "$root/"
dpkg-deb --fsys-tarfile "$busybox_deb" | tar -x -O ./bin/busybox > "$root/bin/busybox"
chmod 0755 "$root/bin/busybox"

cd "$selftests/timens"
for prog in timens_ns timens_clone timens_offsets timens_clocks timens_vdso timens_timers; do
	extra=()
	[ "$prog" = timens_vdso ] && extra=(../vDSO/parse_vdso.c)
	"${cc64[@]}" -o "$root/suites/timens-$prog" "$prog.c" "${extra[@]}" -lpthread
done
# As the x86 Makefile builds them with -m32: the clocks' tests, with 64-bit
# time for the timers' deadlines.
for prog in timens_clocks timens_vdso timens_timers; do
	extra=()
	[ "$prog" = timens_vdso ] && extra=(../vDSO/parse_vdso.c)
	[ "$prog" = timens_timers ] && extra=(-D_TIME_BITS=64)
	"${cc32[@]}" -o "$root/suites/timens-${prog}_32" "$prog.c" "${extra[@]}" -lpthread
done

"$project/scripts/mkinitramfs.sh" "$obj/usr/gen_init_cpio" "$root" "$out"

timeout=900
echo "  VM    booting arm64 Image (TCG; timeout ${timeout}s)"
set +e
timeout -k 10 "$timeout" qemu-system-aarch64 -nodefaults -no-reboot -nographic \
	-machine virt -accel tcg -cpu max -smp 2 -m 1G \
	-kernel "$obj/arch/arm64/boot/Image" -initrd "$out" -serial stdio \
	-append "console=ttyAMA0 panic=-1 rcupdate.rcu_cpu_stall_timeout=60 kunit.enable=1" \
	< /dev/null > "$log"
rc=$?
set -e
[ "$rc" = 124 ] && echo "harness: VM killed after ${timeout}s" >> "$log"
exit 0
