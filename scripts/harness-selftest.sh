#!/bin/bash
# The harness's own tests: each way a run can go wrong must fail it, and the
# summary must name that very cause, so that no case passes on the back of
# another. Each boot runs the real test kernel on one directory of
# guest/harness-selftest, whose suites misbehave on purpose:
#   misbehaving  a failing test, a kernel WARN, an Oops, a crash mid-suite, a
#                suite killed by the per-suite timeout (harness.timeout=),
#                and last a suite that stops the VM before its end line
#   panic        a kernel panic, which ends the VM
#   hang         a suite that never ends, until the VM's timeout
# A failing KUnit case at boot is not among them: the test kernel has no
# KUnit case that a boot can make fail, so report.py's host tests prove that
# class on a console log (tests/harness/test_report.py). Prints KTAP.
#
# usage: harness-selftest.sh TREE KERNEL INITRAMFS WORKDIR
set -uo pipefail

tree=$1 kernel=$2 initramfs=$3 work=$4
here=$(dirname "$0")
. "$tree/tools/testing/selftests/kselftest/ktap_helpers.sh"
mkdir -p "$work"

suite_timeout=10
hang_timeout=60
declare -A status

# boot NAME VM_TIMEOUT [KERNEL_ARG...]: run the suites of guest directory
# NAME; the console log, results and summary in $work/NAME.{log,json,summary},
# the summary's exit status in status[NAME].
boot() {
	local name=$1 timeout=$2 suites
	shift 2
	# The suites the VM must produce: every one of the directory.
	suites=$(ls "$here/../guest/harness-selftest/$name" | paste -sd ,)
	ktap_print_msg "boot $name: suites $suites"
	echo "  VM    harness self-test: boot $name (timeout ${timeout}s)" >&2
	"$here/run-vm.sh" -t "$timeout" -l "$work/$name.log" "$kernel" "$initramfs" \
		"harness.suites=/harness-selftest/$name" "$@" > /dev/null 2>&1
	"$here/report.py" vm "$work/$name.log" "$work/$name.json" --expect "$suites" > /dev/null &&
		"$here/report.py" summary "$work/$name.json" > "$work/$name.summary" 2>&1
	status[$name]=$?
}

# verdict TEST BOOT PATTERN...: TEST passes if the run of BOOT failed and its
# summary has a line matching each PATTERN (extended regex).
verdict() {
	local test=$1 name=$2 pattern ok=1
	shift 2
	if [ "${status[$name]}" = 0 ]; then
		ktap_print_msg "boot $name: the run passed"
		ok=0
	fi
	for pattern; do
		if ! grep -qE -- "$pattern" "$work/$name.summary" 2> /dev/null; then
			ktap_print_msg "boot $name: no /$pattern/ in its summary"
			ok=0
		fi
	done
	if [ $ok = 1 ]; then
		ktap_test_pass "$test"
	else
		sed 's/^/#   /' "$work/$name.summary" 2> /dev/null
		ktap_test_fail "$test"
	fi
}

ktap_print_header
ktap_set_plan 8

boot misbehaving 300 "harness.timeout=$suite_timeout"
verdict failing_test_fails_the_run misbehaving \
	'^misbehaving: failing-test: [0-9]+ passed, [1-9][0-9]* failed'
verdict kernel_warning_fails_the_run misbehaving \
	'^FAIL: misbehaving: kernel log: WARNING: .*lkdtm'
verdict kernel_oops_fails_the_run misbehaving \
	'^FAIL: misbehaving: kernel log: (kernel BUG at .*lkdtm|Oops)'
# A crash shows as the planned test that never ran, or as the exit status.
verdict crash_mid_suite_fails_the_run misbehaving \
	'^(misbehaving: crash-mid-suite: [0-9]+ passed, [1-9][0-9]* failed|FAIL: misbehaving: crash-mid-suite: exited with status 139)'
verdict suite_killed_by_its_timeout_fails_the_run misbehaving \
	"^FAIL: misbehaving: per-suite-timeout: killed after ${suite_timeout}s"
verdict missing_end_line_fails_the_run misbehaving \
	'^FAIL: misbehaving: zz-vm-stops-mid-suite: did not finish'

boot panic 180
verdict kernel_panic_fails_the_run panic '^FAIL: panic: kernel log: Kernel panic'

boot hang $hang_timeout
# A VM that timed out before it reached the hang suite proves nothing.
if grep -q '^# harness-selftest: the hang suite is running' "$work/hang.log"; then
	verdict hung_vm_fails_the_run hang '^FAIL: hang: hang: did not finish' \
		"^FAIL: hang: VM timed out: killed after ${hang_timeout}s"
else
	ktap_print_msg "boot hang: the console log does not show the hang suite running"
	ktap_test_fail hung_vm_fails_the_run
fi

ktap_finished
