#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Turn test output into results, and results into the closing line.

  report.py vm LOG RESULT (--manifest FILE --vm VM | --expect SUITE,...)
               [--skips FILE] [--xfail FILE]
      One VM console log -> RESULT (JSON). The VM must run exactly the suites
      that the manifest FILE lists for VM, or those of --expect (for a VM
      that the manifest does not describe). --skips FILE: the skips that VM
      may have (needs --vm); --xfail FILE: the expected failures.
  report.py ktap NAME LOG RESULT
      One plain KTAP log (a host-side suite) -> RESULT.
  report.py failed STEP RESULT
      A step that could not finish -> RESULT.
  report.py summary RESULT...
      Print every result's findings and the line "N passed, N failed, N
      skipped"; exit 1 on any failure.

KTAP is parsed by the kernel's own tools/testing/kunit/kunit_parser.py, found
through $KUNIT_DIR. A VM log is cut into the frames that guest/init prints
around each suite ("harness: begin NAME" ... "harness: end NAME exit=RC"); the
KUnit results the kernel prints at boot come before the first frame and make
the suite "kunit", whose KUnit suites the manifest names "kunit.SUITE".

The files are tables of "|"-separated fields, "#" starting a comment line:
  manifest           VM... | SUITE
  skips              VM... | SUITE | TEST | reason
  expected failures  SUITE | TEST | reason
(VM...: the VMs a line is for, separated by blanks.)
A skip's TEST is what follows "ok N " on its result line, its name and its
SKIP directive: "NAME # SKIP MESSAGE". An expected failure's TEST is what
follows "not ok N " on its line, and names one result of the suite's plan.

Besides failed tests, a run fails on: a suite missing from the run or not
expected in it; a skip that is not expected; an expected failure that did
not fail; a suite that never finished, or whose frame is broken (a "begin"
inside it, an "end" for another suite); a suite that exited non-zero while
its tests passed; KTAP that is ambiguous: no test at all, no plan, fewer
results than the plan or a result after it, a repeated or missing test
number, "not ok" with a SKIP directive, a result line that kunit_parser
cannot read, any error kunit_parser reports; a VM that was killed by its
timeout or never reached "harness: done"; and any kernel splat (BUG,
WARNING, Oops, panic, lockdep, KASAN, UBSAN, kmemleak, a stack dump)
anywhere in the console log.

An expected failure counts as a skip in the closing line. A kselftest stops
at its first failed check when that check ends the program: if the expected
failure is the suite's last result, numbered in turn, and the program exited
with KSFT_FAIL, the results of the plan after it never ran because of it,
and count as skipped too; anything else missing from a plan is a failure.
"""

import argparse
import collections
import io
import json
import os
import re
import sys
from typing import NamedTuple, Optional

sys.path.insert(0, os.environ.get('KUNIT_DIR', 'build/linux/tools/testing/kunit'))

KTAP_START = re.compile(r'KTAP version \d+$')
BEGIN = re.compile(r'^harness: begin (\S+)$')
# Searched, not matched: the end line follows a suite's last output, which
# may lack its newline.
END = re.compile(r'harness: end (\S+) exit=(\d+)$')
DONE = 'harness: done'
KILLED = re.compile(r'^harness: VM killed after (\d+)s$')
PLAN = re.compile(r'^\s*1\.\.\d+')
RESULT = re.compile(r'^(\s*)(ok|not ok) (\d+)\b ?(.*)$')
PARSER_ERROR = re.compile(r'\[ERROR\] Test: (.*): (.*)$', re.MULTILINE)
# kunit_parser's error for each result of the plan that never came.
MISSING = ('main', 'missing expected subtest!')
SUITE_KILLED = re.compile(r'^harness: (\S+) killed after (\d+)s$')
TIMESTAMP = re.compile(r'^\[\s*\d+\.\d+\]\s?')
SPLAT = re.compile(r'(BUG:|WARNING:|Oops|Kernel panic|kernel BUG at|'
                   r'general protection fault|UBSAN:|Call Trace:|'
                   r'possible circular locking|possible recursive locking|'
                   r'unreferenced object)')
# A stack dump this close to a report belongs to it.
SPLAT_LINES = 40
# Exit status of a kselftest with a failed test, and with every test skipped.
KSFT_FAIL = 1
KSFT_SKIP = 4


class Result(NamedTuple):
    """A result line, as kunit_parser sees it."""
    line: str
    top: bool       # a result of the suite's own plan, not of a subtest
    ok: bool
    number: int
    text: str       # what follows "ok N ": the name, and any directive
    readable: bool  # kunit_parser takes it for a result
    skip: bool


class Frame(NamedTuple):
    """A suite's output between guest/init's begin and end lines."""
    name: str
    body: list
    status: Optional[int]  # None if it never ended
    problems: list  # what broke the frame, or killed the suite


def read_rows(path, columns):
    """(line number, fields) of each row of a "field | field | ..." file.

    Blank lines and lines starting with "#" are left out; the last field,
    a reason, may itself contain "|".
    """
    with open(path) as f:
        for number, line in enumerate(f, 1):
            line = line.strip()
            if not line or line.startswith('#'):
                continue
            fields = [field.strip() for field in line.split('|', columns - 1)]
            if len(fields) != columns or not all(fields):
                sys.exit(f'{path}:{number}: not {columns} fields separated by "|"')
            yield number, fields


def by_suite(rows):
    """{suite: {test: reason}} of (suite, test, reason) rows."""
    table = {}
    for suite, test, reason in rows:
        table.setdefault(suite, {})[test] = reason
    return table


def read_manifest(path, vm):
    """The suites that the manifest lists for VM."""
    suites = {suite for _, (vms, suite) in read_rows(path, 2) if vm in vms.split()}
    if not suites:
        sys.exit(f'{path}: no suite listed for the VM "{vm}"')
    return suites


def read_skips(path, vm):
    """{suite: {test: reason}} of the skips that VM may have."""
    return by_suite(fields[1:] for _, fields in read_rows(path, 4) if vm in fields[0].split())


def read_xfail(path):
    """{suite: {test: reason}} of an expected-failures file."""
    rows = list(read_rows(path, 3))
    for number, (_, test, _) in rows:
        # One entry for all of a suite's failures hid any new one.
        if test == '*':
            sys.exit(f'{path}:{number}: "*" is not allowed: name the one test '
                     f'that is expected to fail, as its "not ok" line does')
    return by_suite(fields for _, fields in rows)


def with_version_line(lines, kunit_parser):
    """LINES, with a version line before the plan if they have none.

    Some kselftests print TAP without one ("1..N" first), and kunit_parser
    starts at a version line.
    """
    if any(kunit_parser.KTAP_START.match(line) or kunit_parser.TAP_START.match(line)
           for line in lines):
        return lines
    plan = next((i for i, line in enumerate(lines) if PLAN.match(line)), None)
    if plan is None:
        return lines
    return lines[:plan] + ['TAP version 13'] + lines[plan:]


def run_kunit_parser(lines):
    """kunit_parser's reading of LINES: its tree of tests, the errors it
    found (which it only prints) and the result lines it saw."""
    # Imported here, not above: "failed" and "summary" work without the
    # kernel tree, after a step that could not make it.
    import kunit_parser
    import kunit_printer
    lines = with_version_line(lines, kunit_parser)
    log = io.StringIO()
    kunit_parser.stdout = kunit_printer.Printer(log)
    test = kunit_parser.parse_run_tests(lines)
    print(log.getvalue(), end='')
    results = []
    for line in kunit_parser.extract_tap_lines(lines):
        match = RESULT.match(line)
        if match:
            results.append(Result(line, not match.group(1), match.group(2) == 'ok',
                                  int(match.group(3)), match.group(4),
                                  bool(kunit_parser.TEST_RESULT.match(line)),
                                  bool(kunit_parser.TEST_RESULT_SKIP.match(line))))
    return test, PARSER_ERROR.findall(log.getvalue()), results


def parser_problems(name, errors, count, stopped):
    """A problem for each kind of error kunit_parser reported.

    It counts COUNT errors; ERRORS are those read from its log. When the
    suite stopped at an expected failure, the results it then could not
    print are no error.
    """
    problems = []
    if count != len(errors):
        problems.append(f'{name}: kunit_parser counts {count} errors, its log shows {len(errors)}')
    counted = collections.Counter(error for error in errors if not (stopped and error == MISSING))
    for (test, message), times in counted.items():
        where = name if test == 'main' else f'{name}: {test}'
        problems.append(f'{where}: {message}' + (f' ({times} times)' if times > 1 else ''))
    return problems


def expected_failures(name, top, xfail):
    """The results of TOP that XFAIL lists, and the entries that did not fail."""
    found, problems = [], []
    for test in xfail:
        failed = [result for result in top if not result.ok and result.text == test]
        if len(failed) == 1:
            found += failed
        elif failed:
            problems.append(f'{name}: {test}: listed as an expected failure, '
                            f'but {len(failed)} results fail so: which one is it?')
        else:
            problems.append(f'{name}: {test}: listed as an expected failure, but did not fail')
    return found, problems


def not_run_after(xfails, top, plan, status):
    """How many results of the plan never came because the program exited
    at its expected failure: the last result, numbered as such, followed by
    KSFT_FAIL. (kunit_parser checks the numbers of the results before it.)"""
    if (top and top[-1] in xfails and top[-1].number == len(top) and
            plan is not None and status == KSFT_FAIL):
        return max(plan - len(top), 0)
    return 0


def result_problems(name, results, xfails, skips):
    """Result lines that are ambiguous, or skips that are not expected."""
    problems = []
    for result in results:
        if not result.readable and result not in xfails:
            problems.append(f'{name}: a result kunit_parser cannot read: {result.line.strip()}')
        elif result.skip and not result.ok:
            problems.append(f'{name}: "not ok" with a SKIP directive, failed or skipped?: '
                            f'{result.text}')
        elif result.skip and result.text not in skips:
            problems.append(f'{name}: skipped, not an expected skip: {result.text}')
    return problems


def plan_problems(name, plan, top):
    """A missing plan, and results after the plan, which kunit_parser drops."""
    if plan is None:
        return [f'{name}: no plan ("1..N"): whether every test ran is unknown']
    return [f'{name}: a result after the plan 1..{plan}: {result.line}'
            for result in top[plan:]]


def parse_ktap(name, lines, skips=None, xfail=None, status=None):
    """One suite's counts and problems, from its KTAP output.

    SKIPS and XFAIL ({test: reason}) are the skips and failures it may have,
    STATUS its exit status, if known.
    """
    print(f'--- {name}')
    test, errors, results = run_kunit_parser(lines)
    top = [result for result in results if result.top]
    xfails, problems = expected_failures(name, top, xfail or {})
    stopped = not_run_after(xfails, top, test.expected_count, status)
    counts = test.counts
    if counts.total():
        problems += parser_problems(name, errors, counts.errors, stopped)
    else:
        problems.append(f'{name}: no test result found')
    problems += result_problems(name, results, xfails, skips or {})
    problems += plan_problems(name, test.expected_count, top)
    # kunit_parser counts a result it could not read, or did not get, as
    # crashed: an expected failure, and the results it left unprinted, too.
    return {'passed': counts.passed,
            'failed': counts.failed + counts.crashed - len(xfails) - stopped,
            'skipped': counts.skipped, 'xfail': len(xfails), 'not_run': stopped,
            'tests': [subtest.name for subtest in test.subtests], 'problems': problems}


def splats(lines):
    """A problem for each kernel report in the console log."""
    problems = []
    last = -SPLAT_LINES
    for number, line in enumerate(lines):
        splat = SPLAT.search(line)
        if not splat:
            continue
        # A report's own stack dump is part of that report.
        if splat.group(1) != 'Call Trace:' or number - last >= SPLAT_LINES:
            problems.append(f'kernel log: {TIMESTAMP.sub("", line).strip()}')
        last = number
    return problems


def vm_problems(lines):
    """A VM killed by its timeout, or one that never ended its run."""
    problems = [f'VM timed out: killed after {killed.group(1)}s'
                for killed in map(KILLED.match, lines) if killed]
    if DONE not in lines:
        problems.append(f'VM did not finish the run ("{DONE}" missing)')
    return problems


def cut_frames(lines):
    """guest/init's frames in LINES, the lines outside them, and the
    problems of the framing: an end line for a suite that is not running."""
    frames, outside, problems = [], [], []
    frame = None
    for line in lines:
        begin, end, killed = BEGIN.match(line), END.search(line), SUITE_KILLED.match(line)
        if begin and frame:
            frame.problems.append(f'{frame.name}: did not finish (no end line before "{line}")')
            frames.append(frame)
        if begin:
            frame = Frame(begin.group(1), [], None, [])
        elif end and frame and end.group(1) == frame.name:
            if end.start():
                frame.body.append(line[:end.start()])
            frames.append(frame._replace(status=int(end.group(2))))
            frame = None
        elif end:
            problems.append(f'{end.group(1)}: "{end.group(0)}" without its begin line')
        elif killed and frame and killed.group(1) == frame.name:
            frame.problems.append(f'{frame.name}: killed after {killed.group(2)}s (hung?)')
        elif frame:
            frame.body.append(line)
        else:
            outside.append(line)
    if frame:
        frame.problems.append(f'{frame.name}: did not finish')
        frames.append(frame)
    return frames, outside, problems


def parse_frame(frame, skips, xfail):
    """A suite's result from its frame, its exit status included."""
    suite = parse_ktap(frame.name, frame.body, skips, xfail, frame.status)
    suite['problems'] += frame.problems
    # A kselftest exits KSFT_FAIL on any failure, expected or not.
    explained = suite['failed'] or (frame.status == KSFT_FAIL and suite['xfail'])
    if not frame.problems and frame.status not in (0, KSFT_SKIP) and not explained:
        suite['problems'].append(f'{frame.name}: exited with status {frame.status}')
    return suite


def manifest_problems(suites, expected):
    """The expected suites that did not run, and the suites that ran unexpected."""
    ran = set(suites) | {f'kunit.{name}' for name in suites.get('kunit', {}).get('tests', [])}
    return ([f'{name}: expected, but did not run' for name in sorted(expected - ran)] +
            [f'{name}: ran, but is not expected' for name in sorted(ran - expected)])


def parse_vm(log_lines, expected, skips=None, xfail=None):
    """A VM's result from its console log.

    EXPECTED is the set of suites it must run, SKIPS and XFAIL
    ({suite: {test: reason}}) its expected skips and failures.
    """
    skips, xfail = skips or {}, xfail or {}
    lines = [line.rstrip('\r\n') for line in log_lines]
    frames, outside, problems = cut_frames(lines)
    problems += splats(lines) + vm_problems(lines)
    suites = {}
    for frame in frames:
        if frame.name in suites:
            problems.append(f'{frame.name}: ran twice')
        suites[frame.name] = parse_frame(frame, skips.get(frame.name), xfail.get(frame.name))
    if any(KTAP_START.search(line) for line in outside):
        suites['kunit'] = parse_ktap('kunit', outside, skips.get('kunit'))
    problems += manifest_problems(suites, expected)
    problems += [f'{suite}: {test}: listed as an expected failure, did not run'
                 for suite in sorted(set(xfail) - set(suites)) for test in xfail[suite]]
    return {'suites': suites, 'problems': problems}


def summary(paths):
    """Print the results of PATHS and the closing line; 1 if any failed."""
    passed = failed = skipped = xfail = not_run = 0
    for path in paths:
        with open(path) as f:
            result = json.load(f)
        problems = list(result['problems'])
        run = os.path.splitext(os.path.basename(path))[0]
        for name, suite in sorted(result['suites'].items()):
            extra = ((f', {suite["xfail"]} expected failures' if suite['xfail'] else '') +
                     (f', {suite["not_run"]} not run after it' if suite['not_run'] else ''))
            print(f'{run}: {name}: {suite["passed"]} passed, '
                  f'{suite["failed"]} failed, {suite["skipped"]} skipped' + extra)
            passed += suite['passed']
            failed += suite['failed']
            skipped += suite['skipped'] + suite['xfail'] + suite['not_run']
            xfail += suite['xfail']
            not_run += suite['not_run']
            problems += suite['problems']
        for problem in problems:
            print(f'FAIL: {run}: {problem}')
        failed += len(problems)
    if xfail:
        print(f'{xfail} expected failures, {not_run} tests not run after them '
              f'(listed as such, counted as skipped)')
    print(f'{passed} passed, {failed} failed, {skipped} skipped')
    return 1 if failed else 0


def names(text):
    """The set of a comma-separated list."""
    return {name for name in text.split(',') if name}


def write(result, path):
    with open(path, 'w') as f:
        json.dump(result, f, indent=1)
    return 0


def run_vm(args):
    if bool(args.manifest) == bool(args.expect):
        sys.exit('report.py vm: give either --manifest FILE --vm VM, or --expect SUITE,...')
    if (args.manifest or args.skips) and not args.vm:
        sys.exit('report.py vm: --manifest and --skips need --vm')
    expected = args.expect or read_manifest(args.manifest, args.vm)
    skips = read_skips(args.skips, args.vm) if args.skips else None
    xfail = read_xfail(args.xfail) if args.xfail else None
    with open(args.log, errors='replace') as f:
        return write(parse_vm(f, expected, skips, xfail), args.result)


def run_ktap(args):
    with open(args.log, errors='replace') as f:
        suite = parse_ktap(args.name, [line.rstrip('\r\n') for line in f])
    return write({'suites': {args.name: suite}, 'problems': []}, args.result)


def run_failed(args):
    return write({'suites': {}, 'problems': [f'{args.step} did not finish (its output is above)']},
                 args.result)


def run_summary(args):
    return summary(args.results)


def arguments():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(required=True)
    vm = commands.add_parser('vm')
    vm.add_argument('log')
    vm.add_argument('result')
    vm.add_argument('--manifest')
    vm.add_argument('--vm')
    vm.add_argument('--expect', type=names)
    vm.add_argument('--skips')
    vm.add_argument('--xfail')
    vm.set_defaults(run=run_vm)
    ktap = commands.add_parser('ktap')
    ktap.add_argument('name')
    ktap.add_argument('log')
    ktap.add_argument('result')
    ktap.set_defaults(run=run_ktap)
    failed = commands.add_parser('failed')
    failed.add_argument('step')
    failed.add_argument('result')
    failed.set_defaults(run=run_failed)
    results = commands.add_parser('summary')
    results.add_argument('results', nargs='+')
    results.set_defaults(run=run_summary)
    return parser


def main(argv):
    args = arguments().parse_args(argv[1:])
    return args.run(args)


if __name__ == '__main__':
    sys.exit(main(sys.argv))
