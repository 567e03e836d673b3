#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Turn test output into results, and results into the closing line.

  report.py vm LOG RESULT [XFAIL]  one VM console log -> RESULT (JSON)
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

XFAIL lists the test cases that are expected to fail, one a line:
"SUITE | TEST | reason", where TEST is the name on the case's "not ok" line,
or "*" for all of the suite's failures (a program that stops at its first).
Such a case still runs; its failure counts as an expected failure (xfail, a
skip in the closing line), and its passing, or its absence from the run, as a
failure.
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
PLAN = re.compile(r'^\s*1\.\.\d+')
SUITE_KILLED = re.compile(r'^harness: (\S+) killed after (\d+)s$')
TIMESTAMP = re.compile(r'^\[\s*\d+\.\d+\]\s?')
SPLAT = re.compile(r'(BUG:|WARNING:|Oops|Kernel panic|kernel BUG at|'
                   r'general protection fault|UBSAN:|Call Trace:|'
                   r'possible circular locking|unreferenced object)')
# A stack dump this close to a report belongs to it.
SPLAT_LINES = 40
# Exit status of a kselftest with a failed test, and with every test skipped.
KSFT_FAIL = 1
KSFT_SKIP = 4


def read_xfail(path):
    """{suite: {test: reason}} from an expected-failures file."""
    xfail = {}
    with open(path) as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith('#'):
                continue
            suite, test, reason = (field.strip() for field in line.split('|', 2))
            xfail.setdefault(suite, {})[test] = reason
    return xfail


def leaves(test):
    if not test.subtests:
        yield test
    for sub in test.subtests:
        yield from leaves(sub)


def parse_ktap(name, lines, xfail=None):
    """Counts of one suite's KTAP output; problems if it has no test at all.

    The cases of xfail ({test: reason}) that failed move from failed to
    xfail; one that passed, or did not run, is a problem.
    """
    import kunit_parser
    print(f'--- {name}')
    # TAP without a version line ("1..N" first, as some kselftests print):
    # the parser starts at a version line, so give it one.
    if not any(kunit_parser.KTAP_START.match(line) or kunit_parser.TAP_START.match(line)
               for line in lines):
        plan = next((i for i, line in enumerate(lines) if PLAN.match(line)), None)
        if plan is not None:
            lines = lines[:plan] + ['TAP version 13'] + lines[plan:]
    test = kunit_parser.parse_run_tests(lines)
    counts = test.counts
    result = {'passed': counts.passed, 'failed': counts.failed + counts.crashed,
              'skipped': counts.skipped, 'xfail': 0, 'problems': []}
    if counts.total() == 0:
        result['problems'].append(f'{name}: no test result found')
    expected = dict(xfail or {})
    # "*": the suite as a whole, for a program that stops at its first failure.
    if expected.pop('*', None) is not None:
        result['xfail'], result['failed'] = result['failed'], 0
        if not result['xfail']:
            result['problems'].append(
                f'{name}: passed, but is listed as an expected failure')
        # It covers the suite's cases, named or not.
        expected = {}
    for case in leaves(test):
        if case.name not in expected:
            continue
        del expected[case.name]
        if case.status == kunit_parser.TestStatus.FAILURE:
            result['failed'] -= 1
            result['xfail'] += 1
        elif case.status == kunit_parser.TestStatus.SUCCESS:
            result['problems'].append(
                f'{name}: {case.name}: passed, but is listed as an expected failure')
    for case in expected:
        result['problems'].append(f'{name}: {case}: listed as an expected failure, did not run')
    return result


def parse_vm(log_lines, xfail=None):
    xfail = xfail or {}
    suites, problems = {}, []
    frame = hung = None
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
        suite_killed = SUITE_KILLED.match(line)
        if begin:
            frame, body, hung = begin.group(1), [], None
        elif suite_killed and suite_killed.group(1) == frame:
            hung = f'{frame}: killed after {suite_killed.group(2)}s (hung?)'
        elif end and end.group(1) == frame:
            suites[frame] = parse_ktap(frame, body, xfail.get(frame))
            rc = int(end.group(2))
            # A kselftest exits 1 (KSFT_FAIL) on any failure, expected or not.
            expected = rc == KSFT_FAIL and suites[frame]['xfail']
            if hung:
                suites[frame]['problems'].append(hung)
            elif rc not in (0, KSFT_SKIP) and not suites[frame]['failed'] and not expected:
                suites[frame]['problems'].append(f'{frame}: exited with status {rc}')
            frame = None
        elif line == DONE:
            done = True
        elif frame:
            body.append(line)
        else:
            boot.append(line)
    if frame:
        suites[frame] = parse_ktap(frame, body, xfail.get(frame))
        suites[frame]['problems'].append(f'{frame}: did not finish')
    if any(KTAP_START.search(line) for line in boot):
        suites['kunit'] = parse_ktap('kunit', boot)
    if not done:
        problems.append('VM did not finish the run ("harness: done" missing)')
    if not suites:
        problems.append('VM ran no suite')
    for name in sorted(set(xfail) - set(suites)):
        problems.append(f'{name}: has expected failures listed, but did not run')
    return {'suites': suites, 'problems': problems}


def summary(paths):
    passed = failed = skipped = xfail = 0
    for path in paths:
        with open(path) as f:
            result = json.load(f)
        problems = list(result['problems'])
        run = os.path.splitext(os.path.basename(path))[0]
        for name, suite in sorted(result['suites'].items()):
            xfails = suite.get('xfail', 0)
            print(f'{run}: {name}: {suite["passed"]} passed, '
                  f'{suite["failed"]} failed, {suite["skipped"]} skipped' +
                  (f', {xfails} expected failures' if xfails else ''))
            passed += suite['passed']
            failed += suite['failed']
            skipped += suite['skipped'] + xfails
            xfail += xfails
            problems += suite['problems']
        for problem in problems:
            print(f'FAIL: {run}: {problem}')
        failed += len(problems)
    if xfail:
        print(f'{xfail} expected failures (listed as such, counted as skipped)')
    print(f'{passed} passed, {failed} failed, {skipped} skipped')
    return 1 if failed else 0


def main(argv):
    if len(argv) in (4, 5) and argv[1] == 'vm':
        xfail = read_xfail(argv[4]) if len(argv) == 5 else None
        with open(argv[2], errors='replace') as f:
            result = parse_vm(f, xfail)
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
