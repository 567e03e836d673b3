# What the suites of tests/clients share: the offsets they ask for, and the
# checks of what a process in the container sees against the host's clocks
# read just before and just after it. Source /lib/ktap_helpers.sh first.
mono=86400 boot=172800

# cgroup v2, where the runtimes put their containers
grep -q ' /sys/fs/cgroup cgroup2 ' /proc/mounts || mount -t cgroup2 cgroup2 /sys/fs/cgroup

result() {	# result STATUS NAME: one KTAP line
	if [ "$1" = 0 ]; then
		ktap_test_pass "$2"
	else
		ktap_test_fail "$2"
	fi
}

# "UPTIME MONOTONIC BOOTTIME NS" of the show-clocks lines of stdin whose
# first field is TAG
clocks() {
	awk -v tag="$1" '$1 == tag { print $3, $5, $7, $8; exit }'
}

host_clocks() {
	show-clocks host | clocks host
}

# shifted V BEFORE AFTER OFFSET SLACK: is V - OFFSET within
# [BEFORE - SLACK, AFTER + SLACK]? The slack is the printed resolution:
# show-clocks rounds to the millisecond, /proc/uptime truncates to 10 ms.
shifted() {
	awk -v v="$1" -v a="$2" -v b="$3" -v o="$4" -v s="$5" \
		'BEGIN { exit !(v != "" && v - o >= a - s && v - o <= b + s) }'
}

# check_clocks NAME INSIDE BEFORE AFTER: four results on what a process saw
# (clocks lines): a time namespace not the host's, and /proc/uptime,
# CLOCK_MONOTONIC and CLOCK_BOOTTIME shifted by the offsets, between the
# host's readings before and after it.
check_clocks() {
	local who=$1 inside=$2 before=$3 after=$4 b_mono b_boot h_ns a_mono a_boot
	echo "# $who: host before: $before"
	echo "# $who: inside:      ${inside:-nothing}"
	echo "# $who: host after:  $after"
	# shellcheck disable=SC2086
	set -- $before
	b_mono=$2 b_boot=$3 h_ns=$4
	# shellcheck disable=SC2086
	set -- $after
	a_mono=$2 a_boot=$3
	# shellcheck disable=SC2086
	set -- ${inside:-x x x x}
	[ "$4" != x ] && [ "$4" != none ] && [ "$4" != "$h_ns" ]
	result $? "${who}_in_a_new_time_namespace"
	shifted "$1" "$b_boot" "$a_boot" $boot 0.011 2>/dev/null
	result $? "${who}_proc_uptime_shifted"
	shifted "$2" "$b_mono" "$a_mono" $mono 0.001 2>/dev/null
	result $? "${who}_clock_monotonic_shifted"
	shifted "$3" "$b_boot" "$a_boot" $boot 0.001 2>/dev/null
	result $? "${who}_clock_boottime_shifted"
}

# check_offsets NAME TEXT: /proc/self/timens_offsets, as read inside, shows
# the offsets.
check_offsets() {
	echo "$2" | sed "s/^/# $1: timens_offsets: /"
	echo "$2" | awk -v m=$mono -v b=$boot '
		$1 == "monotonic" && $2 == m && $3 == 0 { n++ }
		$1 == "boottime" && $2 == b && $3 == 0 { n++ }
		END { exit n != 2 }'
	result $? "${1}_timens_offsets_show_the_offsets"
}
