#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The cost of the vDSO's clock_gettime(), per kernel, outside and inside a
time namespace.

  bench.py [options] NAME=BZIMAGE...

boots each kernel BOOTS times, the kernels taking turns, with the guest of
scripts/build-guest.sh's "bench" suite (tests/bench/vdso_bench.c). QEMU runs
with -icount shift=0,sleep=off: guest time advances one nanosecond per
executed instruction, so nanoseconds per call are instructions per call, the
same from run to run whatever the host does.

The medians over every repetition of every boot go to the JSON file, with
the ratios of the series to the base and to upstream, and make a table:

  a  the series' kernel ("series"), root time namespace
  b  the series' kernel, inside a time namespace with offsets
  c  the base kernel ("base"), which has no time namespaces
  d  the unmodified kernel ("upstream"), root and inside a namespace
  e  the series' kernel and upstream, inside a namespace whose offsets are
     zero, as container runtimes make them

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
TIMESTAMP = re.compile(r'^\[\s*\d+\.\d+\]\s?')
LINE = re.compile(r'bench: (.*)$')
SCRIPTS = os.path.dirname(os.path.abspath(__file__))


def boot(name, kernel, args, round_no):
    """Boot @kernel once; its measurements and what it said of itself."""
    log = os.path.join(args.logs, f'{name}-{round_no}.log')
    print(f'  BENCH {name}: boot {round_no + 1} of {args.boots} '
          f'({args.reps} repetitions of {args.calls} calls)', flush=True)
    cmd = [os.path.join(SCRIPTS, 'run-vm.sh'), '-t', str(args.timeout), '-l', log,
           '-q', ICOUNT, kernel, args.guest, 'quiet',
           f'bench_calls={args.calls}', f'bench_reps={args.reps}']
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
                sample['boot'] = round_no
                samples.append(sample)
            elif text == 'done':
                done = True
            elif text.startswith('error:'):
                problems.append(f'{name} boot {round_no + 1}: {text}')
            else:
                word, _, rest = text.partition(' ')
                info.setdefault(word, rest)
    if not done:
        problems.append(f'{name} boot {round_no + 1}: the benchmark did not finish '
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


def main(argv):
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--guest', required=True, help='initramfs with the bench suite')
    p.add_argument('--out', required=True, help='JSON file of the results')
    p.add_argument('--logs', required=True, help='directory for the console logs')
    p.add_argument('--boots', type=int, default=3, help='boots of each kernel')
    p.add_argument('--reps', type=int, default=7, help='repetitions in one boot')
    p.add_argument('--calls', type=int, default=100000, help='calls in one measurement')
    p.add_argument('--timeout', type=int, default=600, help='seconds for one boot')
    p.add_argument('kernels', nargs='+', metavar='NAME=BZIMAGE')
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
            s, inf, prob = boot(name, kernels[name], args, round_no)
            samples[name] += s
            info[name].setdefault('clocksource', []).append(
                (inf.get('clocksource') or '?').split()[0])
            info[name]['timens'] = 'no' if inf.get('timens', 'none').startswith('none') \
                else 'yes'
            problems += prob

    result = {'method': f'vDSO __vdso_clock_gettime() called directly; QEMU {ICOUNT}, '
                        'so ns/call = guest instructions per call',
              'boots': args.boots, 'reps': args.reps, 'calls': args.calls,
              'kernels': {}, 'ratios': {}, 'problems': problems}
    for name in kernels:
        result['kernels'][name] = {'bzImage': kernels[name],
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
    with open(args.out, 'w') as f:
        json.dump(result, f, indent=1)
        f.write('\n')

    print(f'  ==== vDSO clock_gettime, ns/call = instructions/call under {ICOUNT}; '
          f'medians of {args.boots} boots x {args.reps} repetitions x {args.calls} calls')
    for name in kernels:
        print(f'  {name}: clocksource {", ".join(k[name]["clocksource"])}; '
              f'time namespaces: {k[name]["timens"]}')
    table(result)
    print('  b/d: series vs upstream, both in a namespace; a/d: both in the root '
          'namespace; e/a: series in a zero-offset namespace vs root; e/d up: the same '
          'on upstream. "null": the loop and call alone.')
    print(f'  {args.out}')
    for name in kernels:
        if any(cs != 'tsc' for cs in k[name]['clocksource']):
            print(f'  warning: {name} did not run on the tsc clocksource: '
                  'the vDSO may have fallen back to the syscall')
    for problem in problems:
        print(f'  error: {problem}')
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
