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
#
# "Matches" is decided on what the patches change, not on how the files
# spell it: the tree matches when it is, untouched, what the last apply or
# export made of exactly these patch files, or when its commits export to
# them but for the blob ids of their "index" lines and the base-commit line
# (which name another point release's blobs when the series was exported on
# another base).
#   export  write TREE's commits on top of base to PATCHES as format-patch
#           files, with a cover letter made from PATCHES/cover-letter.txt
#           (subject line, blank line, body). An unchanged series exports to
#           byte-identical files.
#   check   fail if TREE holds uncommitted changes or commits that the patch
#           files in PATCHES lack.
set -euo pipefail

cmd=$1 tree=$2 patches=$3
# The commit that the last apply or export left the tree at, and the digest
# of the patch files it was made from or exported to.
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

# The digest of the series files of PATCHES.
patches_digest() {
	series_files "$patches" | xargs -r cat | sha256sum | cut -d ' ' -f 1
}

# The state of the tree and the patch files, as $applied records it.
state() {
	echo "$(git -C "$tree" rev-parse HEAD) $(patches_digest)"
}

record_state() {
	state > "$applied"
}

# Is the tree, untouched, what the last apply or export made of PATCHES?
recorded_state() {
	[ "$(state)" = "$(cat "$applied" 2>/dev/null)" ]
}

# Do directories $1 and $2 hold the same series files, but for the lines
# that name blobs of the base?
same_series() {
	local dir
	for dir in "$1" "$2"; do
		mkdir -p "$dir.cmp"
		for f in "$dir"/*.patch; do
			[ -e "$f" ] || continue
			sed -E '/^index [0-9a-f]+\.\.[0-9a-f]+/d; /^base-commit: /d' "$f" > "$dir.cmp/${f##*/}"
		done
	done
	diff -r -q "$1.cmp" "$2.cmp" > /dev/null 2>&1
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
	if recorded_state; then
		echo "series-check: $tree matches $patches ($(git -C "$tree" rev-list --count base..HEAD) patches)"
		return 0
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

up_to_date() {
	local tmp rc=1
	dirty && return 1
	recorded_state && return 0
	tmp=$(mktemp -d)
	export_to "$tmp/tree"
	copy_series "$tmp/patches"
	if same_series "$tmp/tree" "$tmp/patches"; then
		record_state
		rc=0
	fi
	rm -rf "$tmp"
	return $rc
}

apply() {
	local files head
	if up_to_date; then
		echo "  TREE  $tree: base + $(git -C "$tree" rev-list --count base..HEAD) patches, up to date"
		return 0
	fi
	# Commits that are neither base nor the series last applied are work.
	head=$(git -C "$tree" rev-parse HEAD)
	if dirty || { [ "$head" != "$(git -C "$tree" rev-parse base)" ] &&
		      [ "$head" != "$(cut -d ' ' -f 1 "$applied" 2>/dev/null)" ]; }; then
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
	record_state
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
	record_state
	echo "  EXPORT $(git -C "$tree" rev-list --count base..HEAD) patches to $patches"
}

case $cmd in
apply) apply ;;
export) mkdir -p "$patches"; do_export ;;
check) check ;;
*) echo "usage: series.sh apply|export|check TREE PATCHES" >&2; exit 2 ;;
esac
