#!/bin/sh
# crun (Debian bookworm's 1.8.1) runs a busybox container in a time
# namespace whose offsets it takes from the annotation
# run.oci.timens_offset, written as it is to /proc/self/timens_offsets;
# "crun exec" joins the container's namespaces. Both must see the clocks
# shifted. Prints KTAP.
#
# No pid namespace: with one and a time namespace, crun 1.8.1 fails in user
# space, "write to sync socket: Broken pipe", here as on upstream's 6.12.
. /lib/ktap_helpers.sh
. /lib/clients-clocks.sh
bundle=/tmp/crun-bundle name=timens

ktap_print_header
ktap_set_plan 12
mkdir -p $bundle
cat > $bundle/config.json <<JSON
{
	"ociVersion": "1.0.2",
	"process": {
		"args": ["/bin/sh", "-c",
			 "show-clocks init; cat /proc/self/timens_offsets; echo done; exec sleep 600"],
		"cwd": "/",
		"env": ["PATH=/bin"],
		"user": { "uid": 0, "gid": 0 }
	},
	"root": { "path": "/containers/rootfs" },
	"hostname": "$name",
	"annotations": { "run.oci.timens_offset": "monotonic $mono 0\nboottime $boot 0" },
	"mounts": [
		{ "destination": "/proc", "type": "proc", "source": "proc" },
		{ "destination": "/dev", "type": "tmpfs", "source": "tmpfs",
		  "options": ["nosuid", "mode=755"] }
	],
	"linux": {
		"namespaces": [ { "type": "mount" }, { "type": "uts" }, { "type": "ipc" },
				{ "type": "time" } ]
	}
}
JSON

# 1-6: crun run, detached; the container's output comes to this file.
before=$(host_clocks)
crun run -d -b $bundle $name > /tmp/crun.out 2> /tmp/crun.err
rc=$?
for _ in $(seq 50); do
	grep -q '^done' /tmp/crun.out && break
	sleep 0.2
done
after=$(host_clocks)
sed 's/^/# crun run: /' /tmp/crun.err
[ $rc = 0 ] && grep -q '^done' /tmp/crun.out
result $? crun_run_starts_the_container
check_clocks init "$(clocks init < /tmp/crun.out)" "$before" "$after"
check_offsets init "$(sed -n '/^monotonic\|^boottime/p' /tmp/crun.out)"

# 7-12: crun exec into it.
before=$(host_clocks)
crun exec $name show-clocks exec > /tmp/crun-exec.out 2>&1
rc=$?
after=$(host_clocks)
offsets=$(crun exec $name cat /proc/self/timens_offsets 2>&1)
grep -v '^exec ' /tmp/crun-exec.out | sed 's/^/# crun exec: /'
[ $rc = 0 ]
result $? crun_exec_runs_in_the_container
check_clocks exec "$(clocks exec < /tmp/crun-exec.out)" "$before" "$after"
check_offsets exec "$offsets"

crun kill $name KILL 2>/dev/null
crun delete -f $name 2>/dev/null
ktap_finished
