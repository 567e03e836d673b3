#!/bin/bash
# The harness's own tests: a run must fail, naming the cause, when a test
# fails, when the kernel warns, and when the VM hangs. Each case boots the
# real test kernel with suites that do exactly that (guest/harness-selftest),
# and checks what scripts/report.py makes of the console log. Prints KTAP.
#
# usage: harness-selftest.sh KERNEL INITRAMFS WORKDIR
set -uo pipefail

kernel=$1 initramfs=$2 work=$3
here=$(dirname "$0")
mkdir -p "$work"

# Boot with the suites in guest directory $1 and summarize; $2 is the VM
# timeout. Leaves the summary in $work/$1.summary, returns its exit status.
run_case() {
	local name=$1 timeout=$2
	"$here/run-vm.sh" -t "$timeout" -l "$work/$name.log" "$kernel" "$initramfs" \
		"harness.suites=/harness-selftest/$name" > /dev/null 2>&1
	"$here/report.py" vm "$work/$name.log" "$work/$name.json" > /dev/null &&
		"$here/report.py" summary "$work/$name.json" > "$work/$name.summary" 2>&1
}

# expect N NAME SUMMARY PATTERN: test N passes if the run failed and its
# summary names the cause.
expect() {
	local n=$1 name=$2 summary=$3 pattern=$4
	if grep -qE "$pattern" "$summary"; then
		echo "ok $n $name"
	else
		echo "# expected /$pattern/ in:"
		sed 's/^/#   /' "$summary"
		echo "not ok $n $name"
	fi
}

echo "KTAP version 1"
echo "1..3"

if run_case failing 120; then
	echo "# the failing suites passed"
	echo "not ok 1 failing_ktap_line_fails_the_run"
	echo "not ok 2 kernel_warning_fails_the_run"
else
	expect 1 failing_ktap_line_fails_the_run "$work/failing.summary" \
		'failing-ktap: 1 passed, 1 failed'
	expect 2 kernel_warning_fails_the_run "$work/failing.summary" \
		'FAIL: .*kernel log: WARNING: .*lkdtm'
fi

if run_case hang 30; then
	echo "not ok 3 hung_vm_fails_the_run"
else
	expect 3 hung_vm_fails_the_run "$work/hang.summary" \
		'FAIL: .*VM timed out: killed after 30s'
fi
