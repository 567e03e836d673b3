#!/bin/sh
# LXC (Debian bookworm's 5.0.2): lxc-start starts a busybox container whose
# configuration sets lxc.time.offset.boot and lxc.time.offset.monotonic,
# and lxc-attach joins it. Both must see the clocks shifted. Prints KTAP.
. /lib/ktap_helpers.sh
. /lib/clients-clocks.sh
name=timens dir=/var/lib/lxc/timens rootfs=/containers/rootfs

ktap_print_header
ktap_set_plan 12
mkdir -p $dir
rm -f $rootfs/tmp/init.out
# No network but loopback, no console: the init writes what it sees to the
# root file system, which is the host's directory. (lxc.init.cmd is split
# at blanks, quotes or not: the init is a script.)
cat > $rootfs/tmp/init.sh <<'INIT'
{ show-clocks init; cat /proc/self/timens_offsets; echo done; } > /tmp/init.out
exec sleep 600
INIT
cat > $dir/config <<CONF
lxc.uts.name = $name
lxc.rootfs.path = dir:$rootfs
lxc.net.0.type = empty
lxc.mount.auto = proc:rw
lxc.autodev = 1
lxc.tty.max = 0
lxc.pty.max = 0
lxc.console.path = none
lxc.environment = PATH=/bin
lxc.init.cmd = /bin/sh /tmp/init.sh
lxc.time.offset.monotonic = ${mono}s
lxc.time.offset.boot = ${boot}s
lxc.log.file = /tmp/lxc.log
lxc.log.level = INFO
CONF

# 1-6: lxc-start, as a daemon.
before=$(host_clocks)
lxc-start -n $name -d > /tmp/lxc-start.out 2>&1
rc=$?
for _ in $(seq 50); do
	grep -q '^done' $rootfs/tmp/init.out 2>/dev/null && break
	sleep 0.2
done
after=$(host_clocks)
sed 's/^/# lxc-start: /' /tmp/lxc-start.out
[ $rc = 0 ] && grep -q '^done' $rootfs/tmp/init.out 2>/dev/null
result $? lxc_start_starts_the_container
[ -s $rootfs/tmp/init.out ] || grep -E 'ERROR|WARN' /tmp/lxc.log | tail -n 20 | sed 's/^/# lxc.log: /'
check_clocks init "$(clocks init < $rootfs/tmp/init.out 2>/dev/null)" "$before" "$after"
check_offsets init "$(sed -n '/^monotonic\|^boottime/p' $rootfs/tmp/init.out 2>/dev/null)"

# 7-12: lxc-attach into it.
before=$(host_clocks)
lxc-attach -n $name -- /bin/show-clocks attach > /tmp/lxc-attach.out 2>&1
rc=$?
after=$(host_clocks)
offsets=$(lxc-attach -n $name -- /bin/cat /proc/self/timens_offsets 2>&1)
grep -v '^attach ' /tmp/lxc-attach.out | sed 's/^/# lxc-attach: /'
[ $rc = 0 ]
result $? lxc_attach_runs_in_the_container
check_clocks attach "$(clocks attach < /tmp/lxc-attach.out)" "$before" "$after"
check_offsets attach "$offsets"

lxc-stop -n $name -k > /dev/null 2>&1
ktap_finished
