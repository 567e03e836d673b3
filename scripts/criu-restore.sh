#!/bin/bash
# The use case time namespaces exist for: a process checkpointed with CRIU
# and restored after a reboot keeps its CLOCK_MONOTONIC. Two boots of the
# series kernel with a raw disk between them (guest/criu): the first starts
# /bin/ticker, which prints its clocks five times a second, in a time
# namespace whose clocks are OFFSET seconds ahead, and dumps it to the disk;
# the second, whose own clock is far behind the ticker's, restores it. The
# ticker's clock must go on from where it stopped: never backwards, and
# without a jump of the time it spent on the disk, give or take a second.
#
# Then the counter-example: the same on the base kernel, which has no time
# namespaces. There the clock cannot survive the reboot (it jumps back to the
# new boot's clock), or CRIU refuses to restore the time namespace (an error of
# its timens code in restore.log): the test passes when it shows the problem
# that the series solves, and fails on any other outcome. The base boots'
# console logs must be free of kernel splats like any other. Prints KTAP.
#
# usage: criu-restore.sh SERIES_KERNEL BASE_KERNEL INITRAMFS WORKDIR
set -uo pipefail

series=$1 base=$2 initramfs=$3 work=$4
here=$(dirname "$0")
offset=1000
# The tolerance for the jump: the ticker's period (0.2 s) plus a second.
tolerance=1.2
mkdir -p "$work"

# boot KERNEL NAME STEP: one boot running "guest/criu STEP" on the disk of
# NAME; its results in $work/NAME-STEP.{log,json,summary}. Returns the
# status of report.py summary: 0 if the boot finished and its steps passed
# with no kernel splat.
boot() {
	local kernel=$1 name=$2 step=$3 out="$work/$2-$3"
	[ "$step" = dump ] && rm -f "$work/$name.disk" && truncate -s 64M "$work/$name.disk"
	"$here/run-vm.sh" -t 300 -d "$work/$name.disk" -l "$out.log" "$kernel" "$initramfs" \
		harness.mode=criu "harness.criu=$step" > /dev/null 2>&1
	"$here/report.py" vm "$out.log" "$out.json" --manifest "$here/../tests/manifest.txt" \
		--vm "criu-$step" > "$out.summary" 2>&1 &&
		"$here/report.py" summary "$out.json" > "$out.summary" 2>&1
}

# value NAME STEP KEY [FIELD]: a "criu: KEY VALUE..." line of a boot's log.
value() {
	sed -n "s/^criu: $3 //p" "$work/$1-$2.log" | tr -d '\r' | head -n 1 |
		awk -v f="${4:-1}" '{ print $f }'
}

# Is $1 OP $2, in floating point?
compare() {
	awk -v a="$1" -v b="$2" "BEGIN { exit !(a != \"\" && b != \"\" && a $3 b) }"
}

# Run one kernel's two boots; show what they saw as diagnostics.
run() {
	local kernel=$1 name=$2 ok=0
	boot "$kernel" "$name" dump || ok=1
	[ $ok = 0 ] || sed 's/^/# dump: /' "$work/$name-dump.summary"
	boot "$kernel" "$name" restore || { ok=1; sed 's/^/# restore: /' "$work/$name-restore.summary"; }
	dumped=$(value "$name" dump last) dumped_boot=$(value "$name" dump last 2)
	restored=$(value "$name" restore next) restored_boot=$(value "$name" restore next 2)
	echo "# $name: ticker in $(value "$name" dump ticker_ns), the host in $(value "$name" dump host_ns)" |
		sed 's/in ,/in none,/; s/in $/in none/'
	echo "# $name: CLOCK_MONOTONIC $dumped (BOOTTIME $dumped_boot) at the dump, on uptime $(value "$name" dump uptime)"
	echo "# $name: next boot at uptime $(value "$name" restore uptime): restored, CLOCK_MONOTONIC ${restored:-none} (BOOTTIME ${restored_boot:-none})"
	return $ok
}

echo "KTAP version 1"
echo "1..7"

if run "$series" series; then
	echo "ok 1 dump_and_restore_boots_pass"
else
	echo "not ok 1 dump_and_restore_boots_pass"
fi
# The ticker was in a time namespace of its own, OFFSET seconds ahead.
if [ "$(value series dump ticker_ns)" != "$(value series dump host_ns)" ] &&
   compare "$dumped" "$(value series dump uptime)" '>' &&
   compare "$dumped" "$(awk -v o=$offset -v u="$(value series dump uptime)" 'BEGIN { print o + u - 1 }')" '>'; then
	echo "ok 2 ticker_ran_in_a_time_namespace"
else
	echo "not ok 2 ticker_ran_in_a_time_namespace"
fi
# The restored ticker is in a time namespace again, and the new boot's own
# clock is behind the ticker's: without one, its clock would jump back.
if [ "$(value series restore ticker_ns)" != "$(value series restore host_ns)" ] &&
   compare "$(value series restore uptime)" "$dumped" '<'; then
	echo "ok 3 restored_into_a_time_namespace_with_the_clock_ahead_of_the_new_boot"
else
	echo "not ok 3 restored_into_a_time_namespace_with_the_clock_ahead_of_the_new_boot"
fi
if compare "$restored" "$dumped" '>='; then
	echo "ok 4 clock_monotonic_not_backwards_after_restore"
else
	echo "not ok 4 clock_monotonic_not_backwards_after_restore"
fi
if compare "$restored" "$(awk -v d="$dumped" -v t=$tolerance 'BEGIN { print d + t }')" '<='; then
	echo "ok 5 clock_monotonic_continues_without_the_time_on_disk"
else
	echo "not ok 5 clock_monotonic_continues_without_the_time_on_disk"
fi

# The counter-example.
run "$base" base
if [ -z "$dumped" ]; then
	echo "# base: no ticker was dumped, so the restore shows nothing"
	echo "not ok 6 counter_example_base_kernel_shows_the_problem"
elif [ -z "$restored" ]; then
	# guest/criu shows restore.log's errors on the console.
	refused=$(grep -m 1 -iE '^# .*Error \(.*(criu/timens\.c|timens_offsets|time namespace)' \
		"$work/base-restore.log" | tr -d '\r')
	if [ -n "$refused" ]; then
		echo "# base: CRIU could not restore the time namespace: ${refused#\# }"
		echo "ok 6 counter_example_base_kernel_shows_the_problem"
	else
		echo "# base: the restore failed, but not on the time namespace: see $work/base-restore.log"
		echo "not ok 6 counter_example_base_kernel_shows_the_problem"
	fi
elif compare "$restored" "$dumped" '<'; then
	echo "# base: CLOCK_MONOTONIC went back by $(awk -v a="$dumped" -v b="$restored" 'BEGIN { print a - b }') s to the new boot's clock"
	echo "ok 6 counter_example_base_kernel_shows_the_problem"
else
	echo "# base: CLOCK_MONOTONIC went on from $dumped to $restored, not back: the counter-example shows nothing"
	echo "not ok 6 counter_example_base_kernel_shows_the_problem"
fi
# The counter-example's own failures are expected, its kernel's are not.
splats=$(grep -hE '^FAIL: .*(kernel log: |VM timed out|did not finish)' \
	"$work/base-dump.summary" "$work/base-restore.summary")
if [ -z "$splats" ]; then
	echo "ok 7 counter_example_boots_without_kernel_splat"
else
	echo "$splats" | sed 's/^/# /'
	echo "not ok 7 counter_example_boots_without_kernel_splat"
fi
