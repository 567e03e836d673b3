#!/bin/bash
# Configure and build the test kernel of TREE in OBJ, incrementally: for
# x86_64, or with KERNEL_ARCH=arm64 or riscv64 for those, cross-built by
# clang and LLVM's tools, which also build arm64's compat vDSO (Debian's
# cross GCCs conflict with gcc-multilib, which the x86 selftests need).
#
# usage: build-kernel.sh TREE OBJ FRAGMENT...
#
# The configuration is "make tinyconfig" plus the fragments, merged with the
# kernel's scripts/kconfig/merge_config.sh. It is rebuilt only when the
# fragments change. After olddefconfig, every option a fragment asks for must
# have survived: a missing one fails the build, named, and so does a missing
# fragment. ALLOW_MISSING_OPTIONS=1 is for trees that predate an option or a
# fragment (a selftest's config, before the patch that adds it): it leaves
# them out and says so.
set -euo pipefail

tree=$1 obj=$2
shift 2
mkdir -p "$obj"
obj=$(realpath "$obj")
case ${KERNEL_ARCH:-x86_64} in
x86_64)
	kmake=(make --no-print-directory -C "$tree" O="$obj" ARCH=x86_64 -j"$(nproc)")
	image=arch/x86/boot/bzImage
	;;
arm64)
	kmake=(make --no-print-directory -C "$tree" O="$obj" ARCH=arm64 LLVM=1 -j"$(nproc)")
	image=arch/arm64/boot/Image
	;;
riscv64)
	kmake=(make --no-print-directory -C "$tree" O="$obj" ARCH=riscv LLVM=1 -j"$(nproc)")
	image=arch/riscv/boot/Image
	;;
*)
	echo "error: KERNEL_ARCH=$KERNEL_ARCH: x86_64, arm64 or riscv64" >&2
	exit 2
	;;
esac

fragments=()
for f in "$@"; do
	if [ -f "$f" ]; then
		fragments+=("$(realpath "$f")")
	elif [ "${ALLOW_MISSING_OPTIONS:-}" = 1 ]; then
		echo "  CONFIG not in this tree: $f"
	else
		echo "error: config fragment $f does not exist" >&2
		exit 1
	fi
done

wanted="$obj/.fragments"
if ! cat "${fragments[@]}" | cmp -s - "$wanted"; then
	echo "  CONFIG $obj: tinyconfig + ${fragments[*]##*/}"
	"${kmake[@]}" -s tinyconfig > /dev/null
	"$tree/scripts/kconfig/merge_config.sh" -m -O "$obj" "$obj/.config" \
		"${fragments[@]}" > "$obj/merge_config.log"
	cat "${fragments[@]}" > "$wanted"
fi
"${kmake[@]}" -s olddefconfig > /dev/null

missing=$(grep -h '^CONFIG_' "${fragments[@]}" | sort -u | while read -r line; do
	grep -qx "$line" "$obj/.config" || echo "$line"
done)
if [ -n "$missing" ] && [ "${ALLOW_MISSING_OPTIONS:-}" = 1 ]; then
	echo "  CONFIG not in this tree: $(echo $missing)"
elif [ -n "$missing" ]; then
	echo "error: options requested but not in $obj/.config (unmet dependencies?):" >&2
	echo "$missing" | sed 's/^/  /' >&2
	exit 1
fi

echo "  KERNEL building $tree in $obj (a few minutes from scratch)"
start=$SECONDS
# Kbuild's one-line-per-step output becomes a count every 500 steps; anything
# else (warnings, errors) is shown as it comes. All of it is in build.log.
"${kmake[@]}" "${image##*/}" headers 2>&1 | tee "$obj/build.log" | awk '
	/^  [A-Z0-9_]+ / { if (++n % 500 == 0) { printf "  KERNEL %d build steps\n", n; fflush() }; next }
	{ print; fflush() }'
echo "  KERNEL $obj/$image ready ($((SECONDS - start))s)"
