#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The cost of the vDSO's clock_gettime(), per kernel, outside and inside a
time namespace.

  bench.py [options] NAME=KERNEL...

boots each kernel (a bzImage, or with --arch arm64 an arm64 Image) BOOTS
times, the kernels taking turns, with the guest of scripts/build-guest.sh's
"bench" suite (tests/bench/vdso_bench.c). QEMU runs with -icount
shift=0,sleep=off: guest time advances one nanosecond per executed
instruction, so nanoseconds per call are instructions per call, the same from
run to run whatever the host does.

The medians over every repetition of every boot go to the JSON file, with
the ratios of the series to the base and to upstream, and make a table:

  a  the series' kernel ("series"), root time namespace
  b  the series' kernel, inside a time namespace with offsets
  c  the base kernel ("base"), which has no time namespaces
  d  the unmodified kernel ("upstream"), root and inside a namespace
  e  the series' kernel and upstream, inside a namespace whose offsets are
     zero, as container runtimes make them

With --scale-guest, each kernel that has time namespaces then boots once
more, with the guest of build-guest.sh's "scale" suite
(tests/bench/timens_scale.c), for what many namespaces cost: bytes of
kernel memory per namespace (from the memory cgroup's counters, less what
the same tasks take without namespaces), instructions per create, enter and
exit cycle, and per vDSO read, with 10, 1000 and 10000 namespaces alive.
The figures go to the JSON file under "scale", the table is printed, and
gnuplot draws memory and cycles against the number of namespaces in an SVG
beside the JSON file.

The benchmark reports; it judges no number. It fails only when a boot did not
deliver its measurements.
"""

import argparse
import json
import os
import re
import statistics
import subprocess
import sys

CLOCKS = ['CLOCK_MONOTONIC', 'CLOCK_MONOTONIC_COARSE', 'CLOCK_MONOTONIC_RAW',
          'CLOCK_BOOTTIME']
ICOUNT = '-icount shift=0,sleep=off'
# Per architecture: the vDSO's clock_gettime(), and the clocksource it reads
# in user space; with another, it falls back to the system call.
VDSO = {'x86_64': ('__vdso_clock_gettime', 'tsc'),
        'arm64': ('__kernel_clock_gettime', 'arch_sys_counter')}
TIMESTAMP = re.compile(r'^\[\s*\d+\.\d+\]\s?')
LINE = re.compile(r'bench: (.*)$')
SCRIPTS = os.path.dirname(os.path.abspath(__file__))


def boot(name, kernel, args, tag, guest, what, vm_args=(), cmdline=()):
    """Boot @kernel once with @guest; its measurements and what it said of
    itself. @tag names the boot in its log's name and in problems."""
    log = os.path.join(args.logs, f'{name}-{tag}.log')
    print(f'  BENCH {name}: {what}', flush=True)
    cmd = [os.path.join(SCRIPTS, 'run-vm.sh'), '-a', args.arch, '-t', str(args.timeout),
           '-l', log, '-q', ICOUNT, *vm_args, kernel, guest, 'quiet',
           f'bench_calls={args.calls}', f'bench_reps={args.reps}', *cmdline]
    vm = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                        text=True, check=False)
    # QEMU says so when the guest powers off under icount sleep=off.
    sys.stderr.writelines(line for line in vm.stderr.splitlines(keepends=True)
                          if 'icount sleep disabled and no active timers' not in line)

    samples, info, problems, done = [], {}, [], False
    with open(log, errors='replace') as f:
        for line in f:
            m = LINE.search(TIMESTAMP.sub('', line.rstrip('\r\n')))
            if not m:
                continue
            text = m.group(1)
            if text.startswith('{'):
                sample = json.loads(text)
                sample['boot'] = tag
                samples.append(sample)
            elif text == 'done':
                done = True
            elif text.startswith('error:'):
                problems.append(f'{name} {tag}: {text}')
            else:
                word, _, rest = text.partition(' ')
                info.setdefault(word, rest)
    if not done:
        problems.append(f'{name} {tag}: the benchmark did not finish '
                        f'(see {log})')
    return samples, info, problems


def medians(samples):
    """{where: {clock: {median, min, max, n}}} in nanoseconds per call."""
    out = {}
    for s in samples:
        out.setdefault(s['where'], {}).setdefault(s['clock'], []).append(s['ns_per_call'])
    return {where: {clock: {'median': statistics.median(v), 'min': min(v),
                            'max': max(v), 'n': len(v)}
                    for clock, v in clocks.items()}
            for where, clocks in out.items()}


def figure(kernels, name, where, clock):
    try:
        return kernels[name]['ns_per_call'][where][clock]['median']
    except KeyError:
        return None


def ratio(x, y):
    return round(x / y, 3) if x is not None and y else None


def table(result):
    kernels = result['kernels']
    cols = [('a', 'series', 'root'), ('b', 'series', 'timens'), ('c', 'base', 'root'),
            ('d', 'upstream', 'root'), ('d', 'upstream', 'timens'),
            ('e', 'series', 'timens_zero'), ('e', 'upstream', 'timens_zero')]
    ratios = ('b/a', 'a/c', 'b/d', 'a/d', 'd_timens/d_root', 'e/a', 'e_upstream/d_root')
    head = [f'{n}:{k}/{w}' for n, k, w in cols]
    rows = [['clock (ns/call)'] + head + ['b/a', 'a/c', 'b/d', 'a/d', 'd ns/root', 'e/a',
                                          'e/d up']]
    for clock in CLOCKS + ['null']:
        f = [figure(kernels, k, w, clock) for _, k, w in cols]
        r = result['ratios'].get(clock, {})
        rows.append([clock] + ['-' if x is None else f'{x:.2f}' for x in f] +
                    ['-' if r.get(k) is None else f'{r[k]:.3f}'
                     for k in ratios])
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        print('  '.join(c.ljust(widths[0]) if i == 0 else c.rjust(widths[i])
                        for i, c in enumerate(row)))

SCALE_MEMORY = ('kernel', 'slab')
# Ten thousand tasks, each with its kernel stack and page tables, and room
SCALE_MEMORY_SIZE = '3G'
SCALE_POPULATIONS = ('tasks', 'zero', 'shifted')


def scale_figures(samples):
    """The scale run's figures: bytes per namespace, zero and shifted, less
    the same tasks without namespaces; guest instructions per cycle and per
    vDSO read, medians, for every population and number of live namespaces.
    """
    memory, per = {}, {'cycle': {}, 'read': {}}
    for s in samples:
        pop, live = s['population'], s['live']
        if s['kind'] == 'memory':
            memory.setdefault(pop, {})[live] = s
        elif pop in SCALE_POPULATIONS:
            count = s['cycles'] if s['kind'] == 'cycle' else s['calls']
            per[s['kind']].setdefault(pop, {}).setdefault(live, []).append(s['ns'] / count)
    out = {'memory_per_namespace': {}}
    for pop in ('zero', 'shifted'):
        for live, m in memory.get(pop, {}).items():
            ref = memory.get('tasks', {}).get(live)
            if live and ref:
                out['memory_per_namespace'].setdefault(pop, {})[live] = {
                    k: (m[k] - ref[k]) / live for k in SCALE_MEMORY}
    for kind, figures in per.items():
        out[kind] = {pop: {live: statistics.median(v) for live, v in by_live.items()}
                     for pop, by_live in figures.items()}
    return out


def scale_table(scale):
    rows = [['kernel', 'live', 'B/ns zero', '(slab)', 'B/ns shifted', '(slab)',
             'cycle root', 'cycle zero', 'cycle shifted',
             'read root', 'read zero', 'read shifted']]
    for name, fig in scale.items():
        for live in sorted(fig['cycle'].get('tasks', {})):
            row = [name, str(live)]
            for pop in ('zero', 'shifted'):
                m = fig['memory_per_namespace'].get(pop, {}).get(live)
                row += [f'{m["kernel"]:.0f}', f'{m["slab"]:.0f}'] if m else ['-', '-']
            for kind, fmt in (('cycle', '{:.0f}'), ('read', '{:.2f}')):
                row += [fmt.format(fig[kind][pop][live])
                        if live in fig[kind].get(pop, {}) else '-'
                        for pop in SCALE_POPULATIONS]
            rows.append(row)
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        print('  '.join(c.ljust(widths[i]) if i == 0 else c.rjust(widths[i])
                        for i, c in enumerate(row)))


def scale_plot(scale, svg):
    """Memory per namespace and instructions per cycle against the number
    of live namespaces, every kernel: an SVG drawn by gnuplot. None, or
    what went wrong."""
    data, mem_plots, cycle_plots = [], [], []
    for name, fig in scale.items():
        mem = fig['memory_per_namespace']
        data.append(f'$mem_{name} << EOD')
        data += [f'{live} {mem["zero"][live]["kernel"]} {mem["shifted"][live]["kernel"]}'
                 for live in sorted(mem.get('zero', {})) if live in mem.get('shifted', {})]
        data.append('EOD')
        cycle = fig['cycle']
        # The sizes that every population reached: a failed run stops early.
        lives = set.intersection(*(set(cycle.get(pop, {})) for pop in SCALE_POPULATIONS))
        data.append(f'$cycle_{name} << EOD')
        data += [f'{live} ' + ' '.join(str(cycle[pop][live]) for pop in SCALE_POPULATIONS)
                 for live in sorted(lives)]
        data.append('EOD')
        mem_plots += [f"$mem_{name} using 0:2:xtic(1) with linespoints title '{name}, zero offsets'",
                      f"$mem_{name} using 0:3:xtic(1) with linespoints title '{name}, shifted'"]
        cycle_plots += [f"$cycle_{name} using 0:{i + 2}:xtic(1) with linespoints "
                        f"title '{name}, {pop}'" for i, pop in enumerate(SCALE_POPULATIONS)]
    script = '\n'.join(data + [
        "set terminal svg size 1100,450 dynamic font 'sans,11'",
        f"set output '{svg}'",
        "set multiplot layout 1,2 title 'Time namespaces, each with one sleeping task "
        "(QEMU -icount: instructions)'",
        "set key below", "set grid", "set xlabel 'live namespaces'",
        "set title 'Kernel memory per namespace (memory cgroup)'", "set ylabel 'bytes'",
        "set yrange [0:*]",
        'plot ' + ', '.join(mem_plots),
        "set title 'unshare, write offsets, fork, exit, wait'",
        "set ylabel 'instructions per cycle'", "set yrange [*:*]",
        'plot ' + ', '.join(cycle_plots),
        'unset multiplot', ''])
    try:
        run = subprocess.run(['gnuplot'], input=script, text=True, capture_output=True,
                             check=False)
    except OSError as e:
        return f'gnuplot: {e}'
    return f'gnuplot: {run.stderr.strip()}' if run.returncode else None


def main(argv):
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--arch', choices=VDSO, default='x86_64', help='the kernels\' architecture')
    p.add_argument('--guest', required=True, help='initramfs with the bench suite')
    p.add_argument('--out', required=True, help='JSON file of the results')
    p.add_argument('--logs', required=True, help='directory for the console logs')
    p.add_argument('--boots', type=int, default=3, help='boots of each kernel')
    p.add_argument('--reps', type=int, default=7, help='repetitions in one boot')
    p.add_argument('--calls', type=int, default=100000, help='calls in one measurement')
    p.add_argument('--timeout', type=int, default=600, help='seconds for one boot')
    p.add_argument('--scale-guest', help='initramfs with the scale suite: a scale run on '
                   'every kernel that has time namespaces')
    p.add_argument('--scale-max', type=int, default=10000,
                   help='live namespaces at the scale run\'s largest size')
    p.add_argument('kernels', nargs='+', metavar='NAME=KERNEL')
    args = p.parse_args(argv[1:])
    kernels = dict(k.split('=', 1) for k in args.kernels)
    os.makedirs(args.logs, exist_ok=True)

    samples = {name: [] for name in kernels}
    info = {name: {} for name in kernels}
    problems = []
    names = list(kernels)
    for round_no in range(args.boots):
        # Take turns, and start each round with another kernel.
        for i in range(len(names)):
            name = names[(round_no + i) % len(names)]
            s, inf, prob = boot(name, kernels[name], args, f'boot{round_no + 1}', args.guest,
                                f'boot {round_no + 1} of {args.boots} ({args.reps} '
                                f'repetitions of {args.calls} calls)')
            samples[name] += s
            info[name].setdefault('clocksource', []).append(
                (inf.get('clocksource') or '?').split()[0])
            info[name]['timens'] = 'no' if inf.get('timens', 'none').startswith('none') \
                else 'yes'
            problems += prob

    scale = {}
    for name in names if args.scale_guest else []:
        if info[name]['timens'] != 'yes':
            continue
        s, _, prob = boot(name, kernels[name], args, 'scale', args.scale_guest,
                          f'scale run, up to {args.scale_max} namespaces',
                          vm_args=('-m', SCALE_MEMORY_SIZE),
                          cmdline=(f'scale_max={args.scale_max}',))
        if s:
            scale[name] = dict(scale_figures(s), samples=s)
        problems += prob

    symbol, clocksource = VDSO[args.arch]
    result = {'arch': args.arch,
              'method': f'vDSO {symbol}() called directly; QEMU {ICOUNT}, '
                        'so ns/call = guest instructions per call',
              'boots': args.boots, 'reps': args.reps, 'calls': args.calls,
              'kernels': {}, 'ratios': {}, 'scale': scale, 'problems': problems}
    for name in kernels:
        result['kernels'][name] = {'kernel': kernels[name],
                                   'clocksource': info[name]['clocksource'],
                                   'timens': info[name]['timens'],
                                   'ns_per_call': medians(samples[name]),
                                   'samples': samples[name]}
    k = result['kernels']
    for clock in CLOCKS + ['null']:
        a = figure(k, 'series', 'root', clock)
        b = figure(k, 'series', 'timens', clock)
        c = figure(k, 'base', 'root', clock)
        d_root = figure(k, 'upstream', 'root', clock)
        d_ns = figure(k, 'upstream', 'timens', clock)
        e = figure(k, 'series', 'timens_zero', clock)
        e_up = figure(k, 'upstream', 'timens_zero', clock)
        result['ratios'][clock] = {'b/a': ratio(b, a), 'a/c': ratio(a, c),
                                   'b/d': ratio(b, d_ns), 'a/d': ratio(a, d_root),
                                   'd_timens/d_root': ratio(d_ns, d_root),
                                   'e/a': ratio(e, a), 'e_upstream/d_root': ratio(e_up, d_root)}
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    svg = os.path.splitext(args.out)[0] + '.svg'
    if scale:
        problem = scale_plot(scale, svg)
        if problem:
            problems.append(problem)
    with open(args.out, 'w') as f:
        json.dump(result, f, indent=1)
        f.write('\n')

    print(f'  ==== {args.arch} vDSO clock_gettime, ns/call = instructions/call under {ICOUNT}; '
          f'medians of {args.boots} boots x {args.reps} repetitions x {args.calls} calls')
    for name in kernels:
        print(f'  {name}: clocksource {", ".join(k[name]["clocksource"])}; '
              f'time namespaces: {k[name]["timens"]}')
    table(result)
    print('  b/d: series vs upstream, both in a namespace; a/d: both in the root '
          'namespace; e/a: series in a zero-offset namespace vs root; e/d up: the same '
          'on upstream. "null": the loop and call alone.')
    if scale:
        print(f'  ==== scale: live time namespaces, one sleeping task in each; reps medians of '
              f'{args.reps}')
        scale_table(scale)
        print('  B/ns: bytes of kernel memory per namespace, and of it slab objects, from the '
              'memory cgroup\'s memory.stat, less what the same tasks take without '
              'namespaces (resolution at 10: a page and a few objects, over 10). cycle: '
              'instructions per unshare, offsets write (shifted), fork, exit and wait; '
              'for root, the fork, exit and wait alone. read: instructions per vDSO '
              'CLOCK_MONOTONIC read in a new namespace of the kind.')
        print(f'  {svg}')
    print(f'  {args.out}')
    for name in kernels:
        if any(cs != clocksource for cs in k[name]['clocksource']):
            print(f'  warning: {name} did not run on the {clocksource} clocksource: '
                  'the vDSO may have fallen back to the syscall')
    for problem in problems:
        print(f'  error: {problem}')
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
