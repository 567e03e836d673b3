#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Live migration with CRIU between two VMs that run at the same time: the use
case time namespaces exist for.

  criu-migrate.py SERIES_KERNEL BASE_KERNEL INITRAMFS WORKDIR

For each kernel, two VMs are linked by a QEMU network of their own (a
virtio-net card on each, joined by a stream socket in WORKDIR, which QEMU
removes at exit: nothing else on the host). VM b boots first and waits;
VM a boots GAP seconds after b is ready, so that b's CLOCK_MONOTONIC and
CLOCK_BOOTTIME are that far ahead of a's. guest/migrate then starts
/bin/migrant (tests/tools/migrant.c) on a, in a time namespace OFFSET
seconds ahead, migrates it to b (CRIU's page server, the other images over
busybox nc), lets it run there, migrates it back to a and lets it run
again: one migration to a machine whose clocks are ahead, one to a machine
whose clocks are behind, the second restoring the process into a time
namespace that CRIU had made for the first.

The migrant's output (its clocks at each expiration of a 200 ms timerfd,
and its child's absolute sleeps) and the uptimes at which the VMs froze,
sent, received and resumed it are read from the console logs. The downtime
of a migration is bounded by the sender's time from just before "criu dump"
to the end of sending the images (its nc returns once the receiver's tar
has exited) plus the receiver's time from then to the return of "criu
restore". Across each migration, CLOCK_MONOTONIC and CLOCK_BOOTTIME must go
on from their values at the dump, never backwards, and without a jump of
more than the downtime plus TOLERANCE; the timerfd must keep its period;
every absolute sleep must end at its deadline; the child must live on.

The counter-example is the same run on the base kernel, which has no time
namespaces: there the clocks must jump, forward to b's and back to a's, and
its VMs' console logs must be free of kernel splats. Prints KTAP.
"""

import os
import re
import subprocess
import sys
import time

SCRIPTS = os.path.dirname(os.path.abspath(__file__))
MANIFEST = os.path.join(SCRIPTS, '..', 'tests', 'manifest.txt')
# b is ready about 7 s after its start, a dumps about 8 s after its own:
# b's clocks are then about GAP + 7 s ahead of a's.
GAP = 55
# What the run needs for its point: a difference of boot clocks far above
# TOLERANCE.
MIN_AHEAD = 30
OFFSET = 1000
PERIOD = 0.2
# The tolerance for a jump beyond the downtime: the timerfd's period plus a
# second, as make check-criu allows.
TOLERANCE = PERIOD + 1
VM_TIMEOUT = 600
LINE = re.compile(r'^migrate: (\S+) ?(.*)$')
# The guests read QEMU's HPET, which follows the host's clock, rather than
# the TSC: under TCG on a loaded host the kernel's TSC calibration can be
# far off (it took 379 MHz for 2596, and its refinement refuses a change of
# more than 1 %), and a VM's clocks then run several times too fast, which
# would make the downtimes and the difference between the VMs' clocks
# meaningless. The migrant's clock reads then take the system call.
CLOCKSOURCE = 'clocksource=hpet'


def start(kernel, initramfs, work, name, role):
    """Boot VM ROLE (a or b) of the pair NAME; b serves the network."""
    sock = os.path.join(work, f'{name}.sock')
    server = 'on' if role == 'b' else 'off'
    mac = '52:54:00:00:00:0' + ('1' if role == 'a' else '2')
    net = (f'-netdev stream,id=net,server={server},addr.type=unix,addr.path={sock} '
           f'-device virtio-net-pci,netdev=net,mac={mac}')
    log = os.path.join(work, f'{name}-{role}.log')
    if os.path.exists(log):
        os.remove(log)
    print(f'  VM    {name} {role}: booting {os.path.basename(kernel)} (TCG)',
          file=sys.stderr, flush=True)
    return subprocess.Popen(
        [os.path.join(SCRIPTS, 'run-vm.sh'), '-t', str(VM_TIMEOUT), '-l', log, '-q', net,
         kernel, initramfs, 'harness.mode=migrate', f'harness.migrate={role}', CLOCKSOURCE],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def read(work, name, role):
    """The "migrate: KEY VALUE" lines of a VM's log: {KEY: [VALUE...]}."""
    values = {}
    try:
        with open(os.path.join(work, f'{name}-{role}.log'), errors='replace') as f:
            for line in f:
                m = LINE.match(line.rstrip('\r\n'))
                if m:
                    values.setdefault(m.group(1), []).append(m.group(2))
    except FileNotFoundError:
        pass
    return values


def wait_listening(work, name, vm):
    """Wait until b listens for the migration; the time it did (or None)."""
    while vm.poll() is None:
        if 'listening' in read(work, name, 'b'):
            return time.monotonic()
        time.sleep(0.5)
    return None


def judge(work, name, role):
    """report.py on a VM's log: (passed, its summary lines)."""
    log = os.path.join(work, f'{name}-{role}')
    report = os.path.join(SCRIPTS, 'report.py')
    vm = subprocess.run([report, 'vm', log + '.log', log + '.json', '--manifest', MANIFEST,
                         '--vm', f'migrate-{role}'], capture_output=True, text=True)
    if vm.returncode:
        return False, (vm.stdout + vm.stderr).splitlines()
    out = subprocess.run([report, 'summary', log + '.json'], capture_output=True, text=True)
    return out.returncode == 0, out.stdout.splitlines()


def number(values, key, index=0):
    try:
        return float(values[key][index].split()[0])
    except (KeyError, IndexError, ValueError):
        return None


class Pair:
    """What the two VMs of one kernel said."""

    def __init__(self, work, name):
        self.name = name
        self.a = read(work, name, 'a')
        self.b = read(work, name, 'b')
        # The migrant's output, run by run: 1 on a, 2 on b, 3 on a again.
        self.runs = {1: [], 2: [], 3: []}
        for values in (self.a, self.b):
            for line in values.get('run', []):
                run, _, text = line.partition(' ')
                fields = text.split()
                try:
                    self.runs[int(run)].append((fields[0], [float(x) for x in fields[1:]]))
                except (KeyError, IndexError, ValueError):
                    pass
        # Per migration: the sender's and the receiver's lines, the runs
        # before and after it.
        self.migrations = {
            'a_to_b': (self.a, 0, self.b, 0, 1, 2),
            'b_to_a': (self.b, 0, self.a, 0, 2, 3),
        }

    def ticks(self, run):
        return [v for kind, v in self.runs[run] if kind == 'tick' and len(v) == 3]

    def sleeps(self, run):
        return [v for kind, v in self.runs[run] if kind == 'sleep' and len(v) == 2]

    def downtime(self, migration):
        sender, i, receiver, j, _, _ = self.migrations[migration]
        times = [number(sender, 'freeze', i), number(sender, 'sent', i),
                 number(receiver, 'received', j), number(receiver, 'resumed', j)]
        if None in times:
            return None
        return times[1] - times[0] + times[3] - times[2]

    def jump(self, migration, clock):
        """(the clock at the dump, after the restore), from the last tick of
        the run before and the first of the run after; None if missing."""
        _, _, _, _, before, after = self.migrations[migration]
        ticks_before, ticks_after = self.ticks(before), self.ticks(after)
        if not ticks_before or not ticks_after:
            return None
        return ticks_before[-1][clock], ticks_after[0][clock]

    def ahead(self):
        """How far b's clock is ahead of a's at least: a sent its images
        after b had received them."""
        received, sent = number(self.b, 'received'), number(self.a, 'sent')
        return None if None in (received, sent) else received - sent

    def describe(self, migration):
        down = self.downtime(migration)
        text = f'# {self.name} {migration}: downtime at most '
        text += 'unknown' if down is None else f'{down:.2f} s'
        for clock, label in ((0, 'CLOCK_MONOTONIC'), (1, 'CLOCK_BOOTTIME')):
            values = self.jump(migration, clock)
            text += f'; {label} ' + ('unknown' if values is None else
                                     f'{values[0]:.3f} at the dump, {values[1]:.3f} after the '
                                     f'restore ({values[1] - values[0]:+.3f} s)')
        print(text)

    def continues(self, migration, clock):
        """Did CLOCK go on across MIGRATION, not backwards, without a jump
        beyond the downtime and the tolerance?"""
        values, down = self.jump(migration, clock), self.downtime(migration)
        if values is None or down is None:
            return False
        return 0 <= values[1] - values[0] <= down + TOLERANCE


def result(number_, ok, name):
    print(f'{"ok" if ok else "not ok"} {number_} {name}')


def run_pair(kernel, initramfs, work, name, b, ready):
    """Boot a once b has been ready for GAP seconds, wait for both VMs."""
    if ready is not None:
        time.sleep(max(0.0, ready + GAP - time.monotonic()))
        a = start(kernel, initramfs, work, name, 'a')
        a.wait()
    b.wait()


def main(argv):
    if len(argv) != 5:
        sys.exit(__doc__)
    series, base, initramfs, work = argv[1:]
    os.makedirs(work, exist_ok=True)

    # Both b VMs boot together: the base's waits while the series' pair runs.
    b_vms = {'series': start(series, initramfs, work, 'series', 'b'),
             'base': start(base, initramfs, work, 'base', 'b')}
    ready = {name: wait_listening(work, name, vm) for name, vm in b_vms.items()}
    for name, kernel in (('series', series), ('base', base)):
        run_pair(kernel, initramfs, work, name, b_vms[name], ready[name])

    print('KTAP version 1')
    print('1..14')
    pair = Pair(work, 'series')
    ok = True
    for role in 'ab':
        passed, lines = judge(work, 'series', role)
        if not passed:
            ok = False
            print('\n'.join(f'# {role}: {line}' for line in lines))
    result(1, ok, 'both_vms_pass_their_steps')
    ahead = pair.ahead()
    print(f'# series: b booted first: its clocks ahead of a\'s by at least '
          f'{"unknown" if ahead is None else f"{ahead:.1f}"} s')
    result(2, ahead is not None and ahead > MIN_AHEAD,
           f'boot_clocks_of_the_vms_differ_by_more_than_{MIN_AHEAD}s')
    # On a, the migrant's clocks were OFFSET ahead of the host's.
    ticks, freeze = pair.ticks(1), number(pair.a, 'freeze')
    ns, host_ns = pair.a.get('migrant_ns', [''])[0], pair.a.get('host_ns', [''])[0]
    result(3, bool(ticks) and freeze is not None and ns not in ('', host_ns) and
           ticks[-1][0] > freeze + OFFSET / 2, 'migrant_ran_in_a_time_namespace')
    for migration in pair.migrations:
        pair.describe(migration)
    test = 4
    for migration in pair.migrations:
        for clock, label in ((0, 'monotonic'), (1, 'boottime')):
            result(test, pair.continues(migration, clock),
                   f'{migration}_clock_{label}_continues_without_the_downtime')
            test += 1
    # Never backwards, anywhere in the migrant's life.
    ticks = pair.ticks(1) + pair.ticks(2) + pair.ticks(3)
    result(test, len(ticks) > 1 and all(
        ticks[k][c] < ticks[k + 1][c] for k in range(len(ticks) - 1) for c in (0, 1)),
        'clocks_never_go_backwards')
    test += 1
    # After each restore: the mean time between two expirations, from the
    # second read on. CRIU re-arms the timer at a deadline in the past (the
    # namespace's clock, cut to the second, plus what was left): the first
    # read comes at once, off the timer's grid, and counts what it missed.
    good = True
    for run in (2, 3):
        ticks = pair.ticks(run)[1:]
        expirations = sum(t[2] for t in ticks[1:])
        period = (ticks[-1][0] - ticks[0][0]) / expirations if expirations else 0.0
        print(f'# series run {run}: {len(ticks)} timerfd reads, {expirations:.0f} '
              f'expirations, period {period:.3f} s')
        good = good and len(ticks) >= 5 and abs(period - PERIOD) <= PERIOD / 10
    result(test, good, 'timerfd_keeps_its_period_after_each_restore')
    test += 1
    # Every absolute sleep ends at its deadline, never before it. The one
    # that a dump caught, the first of a run after a restore, may end late
    # by what the clock went on while the task was frozen, which the
    # downtime bounds.
    good = bool(pair.sleeps(1))
    for run, migration in ((1, None), (2, 'a_to_b'), (3, 'b_to_a')):
        sleeps = pair.sleeps(run)
        lateness = [woke - deadline for deadline, woke in sleeps]
        allowed = [TOLERANCE] * len(sleeps)
        if migration and sleeps:
            down = pair.downtime(migration)
            allowed[0] += down if down is not None else float('-inf')
            print(f'# series {migration}: the sleep that the dump caught ended '
                  f'{lateness[0]:.3f} s after its deadline {sleeps[0][0]:.3f}')
        if lateness:
            print(f'# series run {run}: {len(sleeps)} absolute sleeps, ended '
                  f'{min(lateness):.3f} to {max(lateness):.3f} s after their deadlines')
        good = good and all(0 <= late <= allow for late, allow in zip(lateness, allowed))
    result(test, good, 'absolute_sleeps_end_at_their_deadlines')
    test += 1
    result(test, all(pair.sleeps(run) for run in (2, 3)), 'child_lives_on_after_each_restore')
    test += 1

    # The counter-example.
    pair = Pair(work, 'base')
    splats = []
    for role in 'ab':
        _, lines = judge(work, 'base', role)
        splats += [line for line in lines
                   if re.match(r'FAIL: .*(kernel log: |VM timed out|did not finish)', line)]
    for line in splats:
        print(f'# {line}')
    result(test, not splats, 'counter_example_vms_boot_without_kernel_splat')
    test += 1
    ahead = pair.ahead()
    print(f'# base: b\'s clocks ahead of a\'s by at least '
          f'{"unknown" if ahead is None else f"{ahead:.1f}"} s')
    for migration in pair.migrations:
        pair.describe(migration)
        shown = pair.jump(migration, 0) is not None and pair.downtime(migration) is not None \
            and not pair.continues(migration, 0)
        if pair.jump(migration, 0) is None:
            print(f'# base {migration}: the migrant did not run on both sides: see {work}')
        result(test, shown, f'counter_example_base_kernel_clock_jumps_{migration}')
        test += 1
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
