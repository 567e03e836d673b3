#!/bin/bash
# Check the kernel norms on every patch of the series, one commit at a time:
#   - the tree at each commit builds (bisectability);
#   - checkpatch.pl --strict finds nothing in the patch (a changelog body
#     and its author's Signed-off-by included), and MAINTAINERS covers every
#     file it adds;
#   - the C files the patch touches compile without warnings at W=1 and
#     pass sparse (C=2).
# Prints one line per finding and exits 1 if there is any.
#
# usage: series-lint.sh TREE OBJ FRAGMENT...
set -uo pipefail

tree=$(realpath "$1") obj=$2
shift 2
project=$(cd "$(dirname "$0")/.." && pwd)
lint="$(dirname "$tree")/lint"
findings=0

finding() {
	echo "$1: $2"
	findings=$((findings + 1))
}

[ -e "$lint/.git" ] || git -C "$tree" worktree add -q --detach "$lint" base
git -C "$lint" checkout -q --detach base
mkdir -p "$obj"
obj=$(realpath "$obj")
kmake=(make --no-print-directory -s -C "$lint" O="$obj" ARCH=x86_64 -j"$(nproc)")
# The fragments of the series' tree are taken as each commit has them:
# build-kernel.sh leaves out one that does not exist yet, and merges it when
# it appears. A patch that comes before an option (CONFIG_TIME_NS before the
# vDSO allows it) builds without it.
fragments=()
for fragment in "$@"; do
	fragment=$(realpath "$fragment")
	fragments+=("${fragment/#$tree\//$lint/}")
done
export ALLOW_MISSING_OPTIONS=1

# Warnings of one object at W=1 and with sparse, without line numbers, so
# that those of a file before and after a patch compare.
object_warnings() {
	local out=${1%.c}.o
	# Only what this configuration links into vmlinux: a file outside it (a
	# patch that comes before its option) would be compiled without its
	# declarations.
	[ -f "$lint/$1" ] && ar t "$obj/vmlinux.a" | grep -qxF "$out" || return 0
	rm -f "$obj/$out"
	"${kmake[@]}" W=1 C=2 "$out" 2>&1 | grep -E 'warning:|error:' |
		sed -E 's/:[0-9]+:[0-9]+:/:/; s/:[0-9]+:/:/' | sort -u
}

"$project/scripts/build-kernel.sh" "$lint" "$obj" "${fragments[@]}" > "$obj/.lint-build" 2>&1 ||
	finding base "does not build (see $obj/.lint-build)"

for commit in $(git -C "$tree" rev-list --reverse base..HEAD); do
	subject=$(git -C "$tree" log -1 --format=%s "$commit")
	name="$(git -C "$tree" rev-parse --short "$commit") $subject"
	echo "  LINT  $name" >&2

	files=$(git -C "$tree" diff --name-only "$commit^" "$commit" -- '*.c' | grep -v '^tools/')
	for file in $files; do
		object_warnings "$file" > "$obj/.lint-before-${file//\//_}"
	done
	git -C "$lint" checkout -q "$commit"

	while read -r line; do
		finding "$name" "checkpatch: $line"
	done < <(git -C "$tree" format-patch -1 --stdout "$commit" |
		PATH=/usr/bin:$PATH "$lint/scripts/checkpatch.pl" --strict -q --no-summary \
			--ignore FILE_PATH_CHANGES - |
		grep -E '^(ERROR|WARNING|CHECK):')

	# checkpatch asks whether MAINTAINERS needs updating for every new
	# file; what counts is that an entry covers it.
	for file in $(git -C "$tree" diff --name-only --diff-filter=A "$commit^" "$commit"); do
		(cd "$lint" && scripts/get_maintainer.pl --no-git --no-git-fallback -f "$file") |
			grep -qE '\((maintainer|supporter):' ||
			finding "$name" "no MAINTAINERS entry covers $file"
	done

	if ! "$project/scripts/build-kernel.sh" "$lint" "$obj" "${fragments[@]}" > "$obj/.lint-build" 2>&1; then
		finding "$name" "does not build (see $obj/.lint-build)"
		continue
	fi

	for file in $files; do
		while read -r line; do
			finding "$name" "new W=1/sparse warning: $line"
		done < <(object_warnings "$file" | comm -13 "$obj/.lint-before-${file//\//_}" -)
	done
done

echo "series-lint: $findings findings"
[ "$findings" = 0 ]
