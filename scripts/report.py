#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Turn test output into results, and results into the closing line.

  report.py vm LOG RESULT       one VM console log -> RESULT (JSON)
  report.py ktap NAME LOG RESULT  one plain KTAP log (a host-side suite) -> RESULT
  report.py failed STEP RESULT  a step that could not finish -> RESULT
  report.py summary RESULT...   print every result's findings and the line
                                "N passed, N failed, N skipped"; exit 1 on
                                any failure

KTAP is parsed by the kernel's own tools/testing/kunit/kunit_parser.py, found
through $KUNIT_DIR. A VM log is cut into the frames that guest/init prints
around each suite ("harness: begin NAME" ... "harness: end NAME exit=RC"); the
KUnit results the kernel prints at boot come before the first frame.

Besides failed tests, a run fails on: a suite that never finished, a suite
that exited non-zero while its tests passed, a suite without a single test, a
VM that was killed by its timeout or never reached "harness: done", and any
kernel splat (BUG, WARNING, Oops, panic, lockdep, KASAN, UBSAN, a stack dump)
anywhere in the console log.
"""

import json
import os
import re
import sys

sys.path.insert(0, os.environ.get('KUNIT_DIR', 'build/linux/tools/testing/kunit'))

KTAP_START = re.compile(r'KTAP version \d+$')
BEGIN = re.compile(r'^harness: begin (\S+)$')
END = re.compile(r'^harness: end (\S+) exit=(\d+)$')
DONE = 'harness: done'
KILLED = re.compile(r'^harness: VM killed after (\d+)s$')
TIMESTAMP = re.compile(r'^\[\s*\d+\.\d+\]\s?')
SPLAT = re.compile(r'(BUG:|WARNING:|Oops|Kernel panic|kernel BUG at|'
                   r'general protection fault|UBSAN:|Call Trace:|'
                   r'possible circular locking|unreferenced object)')
# A stack dump this close to a report belongs to it.
SPLAT_LINES = 40
# Exit status of a kselftest in which every test was skipped.
KSFT_SKIP = 4


def parse_ktap(name, lines):
    """Counts of one suite's KTAP output; problems if it has no test at all."""
    import kunit_parser
    print(f'--- {name}')
    test = kunit_parser.parse_run_tests(lines)
    counts = test.counts
    result = {'passed': counts.passed, 'failed': counts.failed + counts.crashed,
              'skipped': counts.skipped, 'problems': []}
    if counts.total() == 0:
        result['problems'].append(f'{name}: no test result found')
    return result


def parse_vm(log_lines):
    suites, problems = {}, []
    frame = None
    body = []
    boot = []
    done = False
    last_splat = -SPLAT_LINES
    for number, raw in enumerate(log_lines):
        line = raw.rstrip('\r\n')
        splat = SPLAT.search(line)
        # A report's own stack dump is part of that report.
        if splat and (splat.group(1) != 'Call Trace:' or
                      number - last_splat >= SPLAT_LINES):
            problems.append(f'kernel log: {TIMESTAMP.sub("", line).strip()}')
        if splat:
            last_splat = number
        killed = KILLED.match(line)
        if killed:
            problems.append(f'VM timed out: killed after {killed.group(1)}s')
        begin, end = BEGIN.match(line), END.match(line)
        if begin:
            frame, body = begin.group(1), []
        elif end and end.group(1) == frame:
            suites[frame] = parse_ktap(frame, body)
            rc = int(end.group(2))
            if rc not in (0, KSFT_SKIP) and not suites[frame]['failed']:
                suites[frame]['problems'].append(f'{frame}: exited with status {rc}')
            frame = None
        elif line == DONE:
            done = True
        elif frame:
            body.append(line)
        else:
            boot.append(line)
    if frame:
        suites[frame] = parse_ktap(frame, body)
        suites[frame]['problems'].append(f'{frame}: did not finish')
    if any(KTAP_START.search(line) for line in boot):
        suites['kunit'] = parse_ktap('kunit', boot)
    if not done:
        problems.append('VM did not finish the run ("harness: done" missing)')
    if not suites:
        problems.append('VM ran no suite')
    return {'suites': suites, 'problems': problems}


def summary(paths):
    passed = failed = skipped = 0
    for path in paths:
        with open(path) as f:
            result = json.load(f)
        problems = list(result['problems'])
        run = os.path.splitext(os.path.basename(path))[0]
        for name, suite in sorted(result['suites'].items()):
            print(f'{run}: {name}: {suite["passed"]} passed, '
                  f'{suite["failed"]} failed, {suite["skipped"]} skipped')
            passed += suite['passed']
            failed += suite['failed']
            skipped += suite['skipped']
            problems += suite['problems']
        for problem in problems:
            print(f'FAIL: {run}: {problem}')
        failed += len(problems)
    print(f'{passed} passed, {failed} failed, {skipped} skipped')
    return 1 if failed else 0


def main(argv):
    if len(argv) == 4 and argv[1] == 'vm':
        with open(argv[2], errors='replace') as f:
            result = parse_vm(f)
        out = argv[3]
    elif len(argv) == 5 and argv[1] == 'ktap':
        with open(argv[3], errors='replace') as f:
            suite = parse_ktap(argv[2], [line.rstrip('\r\n') for line in f])
        result = {'suites': {argv[2]: suite}, 'problems': []}
        out = argv[4]
    elif len(argv) == 4 and argv[1] == 'failed':
        result = {'suites': {}, 'problems': [f'{argv[2]} did not finish (its output is above)']}
        out = argv[3]
    elif len(argv) >= 3 and argv[1] == 'summary':
        return summary(argv[2:])
    else:
        print(__doc__, file=sys.stderr)
        return 2
    with open(out, 'w') as f:
        json.dump(result, f, indent=1)
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
