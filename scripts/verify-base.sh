#!/bin/bash
# Check that a kernel tree processed by remove-timens.py has no trace of
# time namespaces left.
#
# Usage: scripts/verify-base.sh KERNEL_TREE [BUILD_DIR]
#
# With BUILD_DIR (an O= directory holding a built x86_64 vDSO) it also checks
# that the x86 vvar area is 3 pages.  Exits non-zero on any finding.
set -u

if [ $# -lt 1 ] || [ $# -gt 2 ] || [ ! -d "$1" ]; then
	echo "usage: $0 KERNEL_TREE [BUILD_DIR]" >&2
	exit 2
fi
build=
if [ $# -eq 2 ]; then
	build=$(cd "$2" && pwd) || exit 2
fi
cd "$1" || exit 2
if [ ! -f kernel/fork.c ] || [ ! -d drivers ]; then
	echo "$1: not a kernel source tree" >&2
	exit 2
fi

fail=0
finding() {
	echo "FAIL: $*"
	fail=1
}

# Report the lines a grep found, if any.
check() {
	local name=$1 out
	out=$(cat)
	if [ -n "$out" ]; then
		finding "$name"
		printf '%s\n' "$out"
	fi
}

# 1) Identifiers, outside drivers/.  Known false positives: acpixf.h
# (acpi_gbl_runtime_namespace_override contains "time_namespace") and the
# bpf selftests' get_time_ns() helper.
grep -rInE --exclude-dir=.git --exclude-dir=drivers \
	'CONFIG_TIME_NS|GENERIC_VDSO_TIME_NS|(config|select|depends on|imply)[[:space:]]+TIME_NS\b|CLONE_NEWTIME|time_namespace|\btimens|_timens|TIMENS|Timens|\b(init|get|put|copy|free|clone|to)_time_ns\b|time_ns_for_children|->time_ns\b|time_for_children|TIME_FOR_CHILDREN|TIME_NAMESPACE|time_namespaces|PROC_TIME_INIT_INO|\barch_get_vdso_data\b|exec_task_namespaces|common_nsleep_timens|\bget_boottime_timespec\b|time-ns vdso' . |
	grep -vE '^\./include/acpi/acpixf\.h:|^\./tools/testing/selftests/bpf/' |
	check "time namespace identifiers"

# 2) drivers/ (acpica again matches "time_namespace" as a substring).
grep -rnE 'CONFIG_TIME_NS|CLONE_NEWTIME|time_namespace|\btimens|_timens|TIMENS|time_ns_for_children|TIME_NAMESPACE|arch_get_vdso_data' drivers |
	grep -v acpi_gbl_runtime_namespace_override |
	check "time namespace identifiers in drivers/"

# 3) Prose.
grep -rIniE '\btime[ _-]namespace|\btimens|_timens|time-ns vdso' --exclude-dir=.git . |
	check "time namespace prose"

# 4) Structure: deleted files, vvar page counts.
for p in include/linux/time_namespace.h kernel/time/namespace.c \
	 include/vdso/time.h tools/testing/selftests/timens; do
	[ -e "$p" ] && finding "$p still exists"
done
grep -q 'vvar_start = \. - 3 \* PAGE_SIZE' arch/x86/entry/vdso/vdso-layout.lds.S ||
	finding "x86 vvar_start is not 3 pages"
for f in arch/arm64/include/asm/vdso.h arch/riscv/include/asm/vdso.h \
	 arch/s390/include/asm/vdso.h; do
	grep -qE '__VVAR_PAGES[[:space:]]+1$' "$f" || finding "$f: __VVAR_PAGES is not 1"
done
for f in arch/powerpc/kernel/vdso/vdso32.lds.S arch/powerpc/kernel/vdso/vdso64.lds.S; do
	grep -q '_vdso_datapage = \. - 2 \* PAGE_SIZE' "$f" || finding "$f: vvar area is not 2 pages"
done

# 5) Optional: the generated x86_64 vDSO image.
if [ -n "$build" ]; then
	img=$build/arch/x86/entry/vdso/vdso-image-64.c
	if [ ! -f "$img" ]; then
		finding "$img not found"
	elif ! grep -q '\.sym_vvar_start = -12288,' "$img"; then
		finding "$img: $(grep -o '\.sym_vvar_start = [-0-9]*' "$img"), expected -12288"
	fi
fi

if [ "$fail" -ne 0 ]; then
	echo "base verification: FAILED"
	exit 1
fi
echo "base verification: ok"
