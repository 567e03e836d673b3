#!/bin/bash
# Boot a kernel and initramfs in QEMU (TCG) on a serial console.
#
# usage: run-vm.sh [-a ARCH] [-i] [-t SECONDS] [-l LOG] [-d DISK] [-m MEMORY] [-q QEMU_ARGS]
#                  KERNEL INITRAMFS [KERNEL_ARG...]
#
#   -a ARCH     x86_64 (the default: QEMU's "pc" machine) or arm64 (its "virt"
#               machine)
#   -i          interactive: the console is this terminal (Ctrl-A X quits QEMU)
#   -t SECONDS  kill the VM after this long and exit 124 (default 600)
#   -l LOG      also write the console output to LOG
#   -d DISK     attach DISK as a raw virtio disk (/dev/vda in the guest)
#   -m MEMORY   the guest's memory, in QEMU's -m syntax (default 1G)
#   -q ARGS     more arguments for QEMU, split at blanks (may be repeated),
#               e.g. -q "-icount shift=0,sleep=off"
#
# The guest powers itself off when done (reboot -f under -no-reboot), so
# QEMU's exit status says nothing about the tests: the console log does.
set -euo pipefail

arch=x86_64 interactive=0 timeout=600 log=/dev/null disk= memory=1G extra=()
while getopts "a:it:l:d:m:q:" opt; do
	case $opt in
	a) arch=$OPTARG ;;
	i) interactive=1 ;;
	t) timeout=$OPTARG ;;
	l) log=$OPTARG ;;
	d) disk=$OPTARG ;;
	m) memory=$OPTARG ;;
	q) read -ra args <<< "$OPTARG"; extra+=("${args[@]}") ;;
	*) exit 2 ;;
	esac
done
shift $((OPTIND - 1))
kernel=$1 initramfs=$2
shift 2

case $arch in
x86_64)
	qemu=(qemu-system-x86_64 -machine pc -cpu max)
	kargs="console=ttyS0 tsc=reliable"
	;;
arm64)
	# The pointer authentication of -cpu max with an implementation's own
	# algorithm, which TCG computes much faster than the architected QARMA
	# for the kernel's every function return.
	qemu=(qemu-system-aarch64 -machine virt -cpu max,pauth-impdef=on)
	kargs=console=ttyAMA0
	;;
*)
	echo "run-vm.sh: -a $arch: x86_64 or arm64" >&2
	exit 2
	;;
esac

# TCG is slow: give RCU more time before it calls a stall. Built-in KUnit
# tests run only in the boots that ask for them (kunit.enable=1), so that
# their results count once.
cmdline="$kargs panic=-1 rcupdate.rcu_cpu_stall_timeout=60 kunit.enable=0 $*"

qemu+=(-nodefaults -no-reboot -nographic -display none -accel tcg -smp 2 -m "$memory"
       -kernel "$kernel" -initrd "$initramfs" -append "$cmdline")
[ -n "$disk" ] && qemu+=(-drive "file=$disk,format=raw,if=virtio")
qemu+=("${extra[@]}")

if [ "$interactive" = 1 ]; then
	exec "${qemu[@]}" -serial mon:stdio
fi

echo "  VM    booting $(basename "$kernel") (TCG; timeout ${timeout}s): ${qemu[*]} -serial stdio" >&2
set +e
timeout -k 10 "$timeout" "${qemu[@]}" -serial stdio < /dev/null | tee "$log"
rc=${PIPESTATUS[0]}
set -e
if [ "$rc" = 124 ]; then
	echo "harness: VM killed after ${timeout}s" | tee -a "$log"
fi
exit "$rc"
