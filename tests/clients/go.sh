#!/bin/sh
# A Go program (Debian bookworm's golang-go, Go 1.19) that starts a child in
# a new time namespace through os/exec, and the system call that later Go
# versions make for it. Each runs in a namespace whose offsets util-linux's
# unshare sets: a new namespace starts with the offsets of its creator's, so
# the child must see the clocks shifted, in a namespace neither the host's
# nor its parent's.
#
# Go 1.19 passes SysProcAttr.Cloneflags to clone(), where CLONE_NEWTIME's
# bit is part of the exit signal (SIGCHLD | 0x80, which the exec resets to
# SIGCHLD): its child stays in its parent's namespace, without an error. Go
# 1.20 and later make clone3() for it, which go_clone3 makes here; Go
# 1.19's SysProcAttr.Unshareflags does work. Prints KTAP.
. /lib/ktap_helpers.sh
. /lib/clients-clocks.sh

# run NAME new|parent COMMAND...: COMMAND, in a namespace with the offsets,
# starts "show-clocks NAME" in a new one, or in its own. Six results.
run() {
	name=$1 expect=$2
	shift 2
	before=$(host_clocks)
	/usr/bin/unshare --time --fork --monotonic $mono --boottime $boot \
		sh -c 'echo "parent $(readlink /proc/self/ns/time)"; exec "$@"' sh "$@" \
		> /tmp/$name.out 2>&1
	rc=$?
	after=$(host_clocks)
	grep -v "^$name " /tmp/$name.out | sed "s/^/# $name: /"
	[ $rc = 0 ]
	result $? "${name}_starts_the_child"
	inside=$(clocks "$name" < /tmp/$name.out)
	check_clocks "$name" "$inside" "$before" "$after"
	parent=$(awk '$1 == "parent" { print $2 }' /tmp/$name.out)
	child=$(echo "$inside" | awk '{ print $4 }')
	if [ "$expect" = new ]; then
		[ -n "$parent" ] && [ "$child" != "$parent" ]
		result $? "${name}_not_in_its_parents_namespace"
	else
		[ -n "$parent" ] && [ "$child" = "$parent" ]
		result $? "${name}_stays_in_its_parents_namespace"
	fi
}

ktap_print_header
ktap_set_plan 18
run go_cloneflags parent go-newtime clone /bin/show-clocks go_cloneflags
run go_unshareflags new go-newtime unshare /bin/show-clocks go_unshareflags
run clone3 new go_clone3 /bin/show-clocks clone3
ktap_finished
