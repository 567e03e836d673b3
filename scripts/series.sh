#!/bin/bash
# The patch series and the kernel work tree, kept in step.
#
# usage: series.sh apply|export|check TREE PATCHES
#
#   apply   bring TREE to base plus the series in PATCHES (git am). A tree that
#           already matches is left alone; one whose commits match the series
#           it was last given (PATCHES moved on, e.g. after a pull) is reset to
#           base and re-applied; one that holds work the patch files lack is
#           refused.
#   export  write TREE's commits on top of base to PATCHES as format-patch
#           files, with a cover letter made from PATCHES/cover-letter.txt
#           (subject line, blank line, body). An unchanged series exports to
#           byte-identical files.
#   check   fail if TREE holds uncommitted changes or commits that the patch
#           files in PATCHES lack.
set -euo pipefail

cmd=$1 tree=$2 patches=$3
# The commit that the last apply or export left the tree at.
applied="$tree/.git/applied-series"

# Fixed identity and dates, so that applying the same series twice gives the
# same commits.
export GIT_COMMITTER_NAME="Time namespace series" GIT_COMMITTER_EMAIL="timens@localhost"

series_files() {
	find "$1" -maxdepth 1 -name '[0-9][0-9][0-9][0-9]-*.patch' | sort
}

# Export TREE's commits to directory $1.
export_to() {
	local out=$1 count
	mkdir -p "$out"
	count=$(git -C "$tree" rev-list --count base..HEAD)
	[ "$count" -gt 0 ] || return 0
	local cover=(--cover-letter)
	if [ -f "$patches/cover-letter.txt" ]; then
		git -C "$tree" config branch.main.description "$(cat "$patches/cover-letter.txt")"
		cover+=(--cover-from-description=subject)
	fi
	# A fixed --abbrev: git's default grows with the number of objects, and
	# would make the same series export differently from two repositories.
	git -C "$tree" format-patch -q --zero-commit --no-signature --abbrev=12 \
		--base=base "${cover[@]}" -o "$(realpath "$out")" base..HEAD
	# The cover letter is dated now; date it as the last patch instead.
	sed -i "1,/^Date: /s/^Date: .*/Date: $(git -C "$tree" log -1 --format=%aD HEAD)/" \
		"$out/0000-cover-letter.patch"
}

# Copy the series files of PATCHES to directory $1.
copy_series() {
	mkdir -p "$1"
	series_files "$patches" | xargs -r cp -t "$1"
}

# Do directories $1 and $2 hold the same series files?
same_series() {
	diff -r -q "$1" "$2" > /dev/null 2>&1
}

dirty() {
	[ -n "$(git -C "$tree" status --porcelain --untracked-files=normal)" ]
}

check() {
	local tmp rc=0
	if dirty; then
		echo "series-check: $tree has uncommitted changes; commit them and run 'make export':" >&2
		git -C "$tree" status --short | head -n 10 >&2
		return 1
	fi
	tmp=$(mktemp -d)
	export_to "$tmp/tree"
	copy_series "$tmp/patches"
	if ! same_series "$tmp/tree" "$tmp/patches"; then
		echo "series-check: the commits in $tree differ from the patch files in $patches:" >&2
		diff -r -q "$tmp/patches" "$tmp/tree" | sed "s|$tmp/||g" | head -n 10 >&2
		echo "Run 'make export' and commit the patch files, or 'make series' to discard the tree's commits." >&2
		rc=1
	else
		echo "series-check: $tree matches $patches ($(git -C "$tree" rev-list --count base..HEAD) patches)"
	fi
	rm -rf "$tmp"
	return $rc
}

apply() {
	local tmp files stale=0
	tmp=$(mktemp -d)
	export_to "$tmp/tree"
	copy_series "$tmp/patches"
	if ! dirty && same_series "$tmp/tree" "$tmp/patches"; then
		rm -rf "$tmp"
		echo "  TREE  $tree: base + $(git -C "$tree" rev-list --count base..HEAD) patches, up to date"
		return 0
	fi
	# Commits that are neither base nor the series last applied are work.
	if [ "$(git -C "$tree" rev-parse HEAD)" != "$(git -C "$tree" rev-parse base)" ] &&
	   [ "$(git -C "$tree" rev-parse HEAD)" != "$(cat "$applied" 2>/dev/null)" ]; then
		stale=1
	fi
	rm -rf "$tmp"
	if dirty || [ $stale = 1 ]; then
		echo "error: $tree holds work that the patch files lack: run 'make export'" >&2
		echo "       and commit, or discard it with: git -C $tree reset --hard base" >&2
		return 1
	fi
	git -C "$tree" checkout -q main
	git -C "$tree" reset -q --hard base
	mapfile -t files < <(series_files "$patches" | grep -v '/0000-cover-letter.patch$' | xargs -r realpath)
	if [ "${#files[@]}" -gt 0 ]; then
		echo "  TREE  applying ${#files[@]} patches to $tree"
		git -C "$tree" am -q --committer-date-is-author-date "${files[@]}"
	fi
	git -C "$tree" rev-parse HEAD > "$applied"
}

do_export() {
	local tmp f
	tmp=$(mktemp -d)
	export_to "$tmp"
	series_files "$patches" | while read -r f; do
		[ -e "$tmp/${f##*/}" ] || rm "$f"
	done
	for f in "$tmp"/*.patch; do
		[ -e "$f" ] || continue
		cmp -s "$f" "$patches/${f##*/}" || cp "$f" "$patches/"
	done
	rm -rf "$tmp"
	git -C "$tree" rev-parse HEAD > "$applied"
	echo "  EXPORT $(git -C "$tree" rev-list --count base..HEAD) patches to $patches"
}

case $cmd in
apply) apply ;;
export) mkdir -p "$patches"; do_export ;;
check) check ;;
*) echo "usage: series.sh apply|export|check TREE PATCHES" >&2; exit 2 ;;
esac
