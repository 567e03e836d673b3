#!/bin/sh
# util-linux's own tools on time namespaces: unshare --time with offsets,
# nsenter --time into a running namespace, and lsns -t time. Prints KTAP.
#
# Busybox runs its applets before PATH programs: util-linux's tools are
# named by their full paths.
. /lib/ktap_helpers.sh
mono=86400 boot=172800

result() {	# result STATUS NAME: one KTAP line
	if [ "$1" = 0 ]; then
		ktap_test_pass "$2"
	else
		ktap_test_fail "$2"
	fi
}

# near A B D: does A - B lie within [D - 2, D + 2] seconds?
near() {
	awk -v a="$1" -v b="$2" -v d="$3" 'BEGIN { x = a - b - d; exit !(x > -2 && x < 2) }'
}

# clocks: "UPTIME MONOTONIC BOOTTIME NS" of whatever show-clocks runs in
clocks() {
	"$@" show-clocks x | awk '{ print $3, $5, $7, $8 }'
}

ktap_print_header
if [ ! -e /proc/self/ns/time ]; then
	ktap_skip_all "this kernel has no time namespaces"
	exit "$KSFT_SKIP"
fi
ktap_set_plan 8

# 1-3: unshare --time --fork with offsets shifts /proc/uptime and the clocks.
host=$(clocks)
inner=$(clocks /usr/bin/unshare --time --fork --monotonic $mono --boottime $boot)
echo "# host:    $host"
echo "# unshare: $inner"
# shellcheck disable=SC2086
set -- $host
h_up=$1 h_mono=$2 h_boot=$3 h_ns=$4
# shellcheck disable=SC2086
set -- ${inner:-x x x x}
near "$1" "$h_up" $boot 2>/dev/null; result $? unshare_time_shifts_proc_uptime
near "$2" "$h_mono" $mono 2>/dev/null; result $? unshare_time_shifts_clock_monotonic
near "$3" "$h_boot" $boot 2>/dev/null && [ "$4" != "$h_ns" ]
result $? unshare_time_shifts_clock_boottime_in_a_new_namespace

# A process that stays in such a namespace, for nsenter and lsns.
/usr/bin/unshare --time --fork --monotonic $mono --boottime $boot sleep 60 &
runner=$!
target=
for _ in 1 2 3 4 5 6 7 8 9 10; do
	target=$(cat /proc/$runner/task/$runner/children 2>/dev/null)
	target=${target% }
	[ -n "$target" ] && [ "$(readlink /proc/"$target"/exe)" != /usr/bin/unshare ] && break
	sleep 0.2
done
target_ns=$(readlink /proc/"$target"/ns/time 2>/dev/null)
echo "# process $target in $target_ns"

# 4-6: nsenter --time --target enters that namespace.
entered=$(/usr/bin/nsenter --time --target "$target" readlink /proc/self/ns/time)
echo "# nsenter: /proc/self/ns/time is $entered"
[ -n "$target_ns" ] && [ "$target_ns" != "$h_ns" ] && [ "$entered" = "$target_ns" ]
result $? nsenter_time_enters_the_target_namespace
host=$(clocks)
inner=$(clocks /usr/bin/nsenter --time --target "$target")
echo "# host:    $host"
echo "# nsenter: $inner"
# shellcheck disable=SC2086
set -- $host
h_up=$1 h_mono=$2 h_boot=$3
# shellcheck disable=SC2086
set -- ${inner:-x x x x}
near "$2" "$h_mono" $mono 2>/dev/null; result $? nsenter_time_sees_the_shifted_clock_monotonic
near "$1" "$h_up" $boot 2>/dev/null; result $? nsenter_time_sees_the_shifted_proc_uptime

# 7-8: lsns -t time lists the initial namespace and the new one.
/usr/bin/lsns -t time > /tmp/lsns.out 2>&1
sed 's/^/# /' /tmp/lsns.out
inode() { echo "$1" | tr -dc 0-9; }
awk -v ns="$(inode "$h_ns")" '$1 == ns && $2 == "time"' /tmp/lsns.out | grep -q .
result $? lsns_lists_the_initial_time_namespace
awk -v ns="$(inode "$target_ns")" -v pid="$target" '$1 == ns && $2 == "time" && $4 == pid' \
	/tmp/lsns.out | grep -q .
result $? lsns_lists_the_new_time_namespace_and_its_process

kill "$target" "$runner" 2>/dev/null
wait
ktap_finished
