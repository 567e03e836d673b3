#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Host-side tests of scripts/report.py, on hand-made console logs.

Each log shows one way a run can go wrong, and report.py must fail it,
naming the suite and the cause; a few show what must pass. They need the
kernel tree's kunit_parser, through $KUNIT_DIR as report.py finds it.

  python3 -m unittest tests/harness/test_report.py  the usual report
  tests/harness/test_report.py                      KTAP, for make check
"""

import contextlib
import io
import os
import sys
import tempfile
import traceback
import unittest

PROJECT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(PROJECT, 'scripts'))
import report  # noqa: E402

KUNIT = '''\
KTAP version 1
1..1
    KTAP version 1
    # Subtest: time_namespace
    1..2
        KTAP version 1
        # Subtest: parse_valid_test
        ok 1 monotonic 1 0
        ok 2 boottime -1 0
    ok 1 parse_valid_test
    ok 2 range_test
ok 1 time_namespace
'''
PASSING = 'TAP version 13\n1..2\nok 1 first\nok 2 second\n'
# What a series without the feature gives: a column of skips.
SKIPPING = ('TAP version 13\n1..2\nok 1 first # SKIP kernel without X\n'
            'ok 2 second # SKIP kernel without X\n')
# As upstream's vfork_exec fails on the series: its first check creates a
# thread, which is refused, and it exits there.
VFORK_FAILURE = '# error thread: Invalid argument'
VFORK_EXEC = f'TAP version 13\n1..4\nnot ok 1 {VFORK_FAILURE}\n# Totals: error:1\n'


def frame(name, ktap, status=0):
    """A suite's output as guest/init frames it."""
    return f'harness: begin {name}\n{ktap}harness: end {name} exit={status}\n'


def console(*frames, boot=''):
    """A VM's console log: the boot (and its KUnit results), then the suites."""
    return boot + ''.join(frames) + 'harness: done\n'


class ReportTest(unittest.TestCase):
    def vm(self, log, expected, skips=None, xfail=None):
        """report.py's result of LOG, with the serial console's line ends,
        its printing set aside."""
        with contextlib.redirect_stdout(io.StringIO()):
            return report.parse_vm(log.replace('\n', '\r\n').splitlines(True),
                                   set(expected), skips, xfail)

    def ktap(self, ktap):
        """report.py's result of a plain KTAP log (its ktap mode)."""
        with contextlib.redirect_stdout(io.StringIO()):
            return {'suites': {'a': report.parse_ktap('a', ktap.splitlines())}, 'problems': []}

    def problems(self, result):
        return result['problems'] + [problem for suite in result['suites'].values()
                                     for problem in suite['problems']]

    def assertPasses(self, result):
        self.assertEqual(self.problems(result), [])
        self.assertEqual([suite['failed'] for suite in result['suites'].values()],
                         [0] * len(result['suites']))

    def assertFails(self, result, problem):
        self.assertIn(problem, self.problems(result))


class ManifestTest(ReportTest):
    def test_a_complete_run_passes(self):
        self.assertPasses(self.vm(console(frame('a', PASSING), frame('b', PASSING), boot=KUNIT),
                                  {'kunit', 'kunit.time_namespace', 'a', 'b'}))

    def test_missing_kunit_output_fails(self):
        self.assertFails(self.vm(console(frame('a', PASSING)),
                                 {'kunit', 'kunit.time_namespace', 'a'}),
                         'kunit: expected, but did not run')

    # No kernel of the harness fails a KUnit case on purpose (the series'
    # tests are of pure functions), so this class of failure is proved here,
    # in the form the console gives it: printk's timestamps, nested suites.
    def test_failing_kunit_case_at_boot_fails(self):
        failing = KUNIT.replace('ok 2 boottime', 'not ok 2 boottime')
        boot = ''.join(f'[    0.{n:06d}] {line}\n' for n, line in enumerate(failing.splitlines()))
        result = self.vm(console(frame('a', PASSING), boot=boot),
                         {'kunit', 'kunit.time_namespace', 'a'})
        self.assertEqual(result['suites']['kunit']['failed'], 1)

    def test_missing_kunit_suite_fails(self):
        kunit = KUNIT.replace('time_namespace', 'other_suite')
        self.assertFails(self.vm(console(frame('a', PASSING), boot=kunit),
                                 {'kunit', 'kunit.time_namespace', 'a'}),
                         'kunit.time_namespace: expected, but did not run')

    # A program dropped from TEST_GEN_PROGS, one that guest/init skips
    # because it is not executable, or all of them (an empty SELFTESTS):
    # no frame at all.
    def test_missing_suite_fails(self):
        self.assertFails(self.vm(console(frame('a', PASSING)), {'a', 'b'}),
                         'b: expected, but did not run')

    def test_unexpected_suite_fails(self):
        self.assertFails(self.vm(console(frame('a', PASSING), frame('c', PASSING)), {'a'}),
                         'c: ran, but is not expected')

    def test_suite_without_its_end_fails(self):
        self.assertFails(self.vm('harness: begin a\n' + PASSING, {'a'}), 'a: did not finish')

    def test_project_files_name_the_manifest_suites(self):
        tests = os.path.join(PROJECT, 'tests')
        for vm in ('base', 'series', 'compat', 'criu-dump', 'criu-restore', 'debug'):
            suites = report.read_manifest(os.path.join(tests, 'manifest.txt'), vm)
            skips = report.read_skips(os.path.join(tests, 'expected-skips.txt'), vm)
            self.assertLessEqual(set(skips), suites)
        xfail = report.read_xfail(os.path.join(tests, 'compat', 'expected-failures.txt'))
        self.assertLessEqual(set(xfail), report.read_manifest(os.path.join(tests, 'manifest.txt'),
                                                              'compat'))


class SkipTest(ReportTest):
    def test_unexpected_skip_fails(self):
        self.assertFails(self.vm(console(frame('a', SKIPPING)), {'a'}),
                         'a: skipped, not an expected skip: second # SKIP kernel without X')

    def test_expected_skip_passes(self):
        skips = {'a': {'first # SKIP kernel without X': 'the test kernel has no X',
                       'second # SKIP kernel without X': 'the test kernel has no X'}}
        self.assertPasses(self.vm(console(frame('a', SKIPPING)), {'a'}, skips))

    def test_skip_for_another_reason_fails(self):
        skips = {'a': {'first # SKIP kernel without X': 'the test kernel has no X',
                       'second # SKIP kernel without Y': 'the test kernel has no Y'}}
        self.assertFails(self.vm(console(frame('a', SKIPPING)), {'a'}, skips),
                         'a: skipped, not an expected skip: second # SKIP kernel without X')

    def test_skipping_program_fails(self):
        self.assertFails(self.vm(console(frame('a', 'TAP version 13\n1..0 # SKIP no X\n', 4)),
                                 {'a'}),
                         'a: no test result found')

    def test_skip_listed_for_another_vm_fails(self):
        with tempfile.NamedTemporaryFile('w') as f:
            f.write('other | a | second # SKIP kernel without X | the other VM has no X\n')
            f.flush()
            skips = report.read_skips(f.name, 'this')
        self.assertFails(self.vm(console(frame('a', SKIPPING)), {'a'}, skips),
                         'a: skipped, not an expected skip: second # SKIP kernel without X')


class FrameTest(ReportTest):
    def test_begin_inside_a_frame_fails(self):
        log = ('harness: begin a\nTAP version 13\n1..1\nnot ok 1 first\nharness: en\n' +
               frame('b', PASSING) + 'harness: done\n')
        result = self.vm(log, {'a', 'b'})
        self.assertFails(result, 'a: did not finish (no end line before "harness: begin b")')
        self.assertEqual(result['suites']['a']['failed'], 1)

    def test_end_glued_to_output_keeps_the_suite(self):
        log = ('harness: begin a\nTAP version 13\n1..1\nnot ok 1 first\nno newline'
               'harness: end a exit=1\n' + frame('b', PASSING) + 'harness: done\n')
        self.assertEqual(self.vm(log, {'a', 'b'})['suites']['a']['failed'], 1)

    def test_end_of_another_suite_fails(self):
        log = 'harness: begin a\n' + PASSING + 'harness: end b exit=0\nharness: done\n'
        self.assertFails(self.vm(log, {'a'}),
                         'b: "harness: end b exit=0" without its begin line')

    def test_suite_run_twice_fails(self):
        self.assertFails(self.vm(console(frame('a', PASSING), frame('a', PASSING)), {'a'}),
                         'a: ran twice')

    def test_nonzero_exit_fails(self):
        self.assertFails(self.vm(console(frame('a', PASSING, 2)), {'a'}),
                         'a: exited with status 2')

    def test_hung_suite_fails(self):
        log = ('harness: begin a\nTAP version 13\n1..1\nharness: a killed after 180s\n'
               'harness: end a exit=137\nharness: done\n')
        self.assertFails(self.vm(log, {'a'}), 'a: killed after 180s (hung?)')

    def test_vm_timeout_fails(self):
        log = frame('a', PASSING) + 'harness: VM killed after 900s\n'
        result = self.vm(log, {'a'})
        self.assertFails(result, 'VM timed out: killed after 900s')
        self.assertFails(result, 'VM did not finish the run ("harness: done" missing)')


class KtapTest(ReportTest):
    def test_result_after_the_plan_fails(self):
        self.assertFails(self.ktap('KTAP version 1\n1..2\nok 1 x\nok 2 y\nnot ok 3 z\n'),
                         'a: a result after the plan 1..2: not ok 3 z')

    def test_fewer_results_than_the_plan_fail(self):
        self.assertFails(self.ktap('KTAP version 1\n1..3\nok 1 x\n'),
                         'a: missing expected subtest! (2 times)')

    def test_repeated_test_number_fails(self):
        self.assertFails(self.ktap('KTAP version 1\n1..3\nok 1 x\nok 1 x\nok 2 y\n'),
                         'a: x: Expected test number 2 but found 1')

    def test_not_ok_with_skip_fails(self):
        self.assertFails(self.ktap('KTAP version 1\n1..1\nnot ok 1 x # SKIP why\n'),
                         'a: "not ok" with a SKIP directive, failed or skipped?: x # SKIP why')

    def test_parser_error_fails(self):
        nested = ('KTAP version 1\n1..1\n  KTAP version 1\n  # Subtest: s\n  1..1\n'
                  '  ok 1 x\nok 1 other\n')
        self.assertFails(self.ktap(nested), 'a: s: missing subtest result line!')

    def test_unknown_version_fails(self):
        self.assertFails(self.ktap('KTAP version 2\n1..1\nok 1 x\n'),
                         'a: KTAP version higer than expected!')

    def test_missing_plan_fails(self):
        self.assertFails(self.ktap('KTAP version 1\nok 1 x\n'),
                         'a: no plan ("1..N"): whether every test ran is unknown')

    def test_unreadable_result_fails(self):
        self.assertFails(self.ktap('KTAP version 1\n1..1\nok 1 # SKIP needs root\n'),
                         'a: a result kunit_parser cannot read: ok 1 # SKIP needs root')


class ExpectedFailureTest(ReportTest):
    XFAIL = {'vfork': {VFORK_FAILURE: 'the series refuses the thread'}}

    def vfork(self, ktap, status=1):
        return self.vm(console(frame('vfork', ktap, status)), {'vfork'}, xfail=self.XFAIL)

    def test_program_stopped_at_its_expected_failure_passes(self):
        result = self.vfork(VFORK_EXEC)
        self.assertPasses(result)
        self.assertEqual((result['suites']['vfork']['xfail'],
                          result['suites']['vfork']['not_run']), (1, 3))

    def test_wildcard_is_refused(self):
        with tempfile.NamedTemporaryFile('w') as f:
            f.write('vfork | * | all of its failures\n')
            f.flush()
            with self.assertRaises(SystemExit) as refused:
                report.read_xfail(f.name)
        self.assertIn('"*" is not allowed', str(refused.exception))

    def test_passing_entry_fails(self):
        self.assertFails(self.vfork('TAP version 13\n1..1\nok 1 parent\n', 0),
                         f'vfork: {VFORK_FAILURE}: listed as an expected failure, '
                         f'but did not fail')

    def test_skipped_entry_fails(self):
        skipped = 'TAP version 13\n1..4\nok 1 # SKIP Time namespaces are not supported\n'
        self.assertFails(self.vfork(skipped, 4),
                         f'vfork: {VFORK_FAILURE}: listed as an expected failure, '
                         f'but did not fail')

    def test_entry_that_did_not_run_fails(self):
        self.assertFails(self.vm(console(), set(), xfail=self.XFAIL),
                         f'vfork: {VFORK_FAILURE}: listed as an expected failure, did not run')

    def test_other_failure_beside_it_fails(self):
        xfail = {'a': {'refused': 'the series refuses it'}}
        ktap = 'TAP version 13\n1..2\nnot ok 1 refused\nnot ok 2 other\n'
        result = self.vm(console(frame('a', ktap, 1)), {'a'}, xfail=xfail)
        self.assertEqual((result['suites']['a']['xfail'], result['suites']['a']['failed']), (1, 1))

    def test_other_failure_of_the_same_test_fails(self):
        result = self.vfork(VFORK_EXEC.replace('thread', 'pthread_join'))
        self.assertFails(result, f'vfork: {VFORK_FAILURE}: listed as an expected failure, '
                                 f'but did not fail')

    def test_results_missing_after_a_program_that_went_on_fail(self):
        self.assertFails(self.vfork(VFORK_EXEC, status=0),
                         'vfork: missing expected subtest! (4 times)')

    def test_results_missing_before_it_fail(self):
        self.assertFails(self.vfork(VFORK_EXEC.replace('not ok 1', 'not ok 3')),
                         'vfork: missing expected subtest! (4 times)')


class SplatTest(ReportTest):
    def assertSplat(self, line):
        log = console(frame('a', PASSING), boot=f'[   12.5] {line}\n')
        self.assertEqual(self.problems(self.vm(log, {'a'})), [f'kernel log: {line}'])

    def test_bug(self):
        self.assertSplat('BUG: kernel NULL pointer dereference, address: 0000000000000008')

    def test_warning(self):
        self.assertSplat('WARNING: CPU: 0 PID: 1 at kernel/time/namespace.c:100 f+0x1/0x2')

    def test_oops(self):
        self.assertSplat('Oops: 0000 [#1] PREEMPT SMP NOPTI')

    def test_kernel_bug_at(self):
        self.assertSplat('kernel BUG at kernel/time/namespace.c:100!')

    def test_kernel_panic(self):
        self.assertSplat('Kernel panic - not syncing: Fatal exception')

    def test_general_protection_fault(self):
        self.assertSplat('general protection fault, probably for non-canonical address')

    def test_ubsan(self):
        self.assertSplat('UBSAN: shift-out-of-bounds in kernel/time/namespace.c:100:5')

    def test_kasan(self):
        self.assertSplat('BUG: KASAN: slab-use-after-free in free_time_ns+0x1/0x2')

    def test_lockdep_circular(self):
        self.assertSplat('WARNING: possible circular locking dependency detected')

    def test_lockdep_recursive(self):
        self.assertSplat('WARNING: possible recursive locking detected')

    def test_kmemleak(self):
        self.assertSplat('unreferenced object 0xffff888003a1c000 (size 64):')

    def test_lone_call_trace(self):
        self.assertSplat('Call Trace:')

    def test_report_and_its_stack_dump_fail_once(self):
        log = console(frame('a', PASSING), boot='WARNING: CPU: 0 PID: 1 at f\nCall Trace:\n')
        self.assertEqual(self.problems(self.vm(log, {'a'})),
                         ['kernel log: WARNING: CPU: 0 PID: 1 at f'])


class CommandLineTest(ReportTest):
    def run_report(self, work, *argv):
        """report.py's exit status and output for ARGV, files named in WORK."""
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            status = report.main(['report.py'] + [arg.format(work) for arg in argv])
        return status, out.getvalue()

    def write(self, path, text):
        with open(path, 'w') as f:
            f.write(text)

    def test_vm_run_from_the_files_passes(self):
        with tempfile.TemporaryDirectory() as work:
            self.write(f'{work}/series.log', console(frame('a', SKIPPING), boot=KUNIT))
            self.write(f'{work}/manifest', 'series | kunit\nseries | kunit.time_namespace\n'
                                           'series | a\nother | b\n')
            self.write(f'{work}/skips', '# VM | SUITE | TEST | reason\n'
                                        'series | a | first # SKIP kernel without X | no X\n'
                                        'series | a | second # SKIP kernel without X | no X\n')
            self.run_report(work, 'vm', '{}/series.log', '{}/series.json',
                            '--manifest', '{}/manifest', '--vm', 'series', '--skips', '{}/skips')
            status, out = self.run_report(work, 'summary', '{}/series.json')
        self.assertEqual((status, out.splitlines()[-1]), (0, '3 passed, 0 failed, 2 skipped'))

    def test_ktap_run_fails_on_its_failure(self):
        with tempfile.TemporaryDirectory() as work:
            self.write(f'{work}/host.ktap', 'KTAP version 1\n1..1\nnot ok 1 x\n')
            self.run_report(work, 'ktap', 'host', '{}/host.ktap', '{}/host.json')
            status, out = self.run_report(work, 'summary', '{}/host.json')
        self.assertEqual((status, out.splitlines()[-1]), (1, '0 passed, 1 failed, 0 skipped'))


class KtapResult(unittest.TestResult):
    """Prints a KTAP line for each test as it ends."""

    def __init__(self):
        super().__init__()
        self.number = 0

    def print_result(self, ok, test, err=None):
        self.number += 1
        if err:
            for line in ''.join(traceback.format_exception(*err)).splitlines():
                print(f'# {line}')
        print(f'{"ok" if ok else "not ok"} {self.number} {test.id().split(".", 1)[1]}',
              flush=True)

    def addSuccess(self, test):
        super().addSuccess(test)
        self.print_result(True, test)

    def addFailure(self, test, err):
        super().addFailure(test, err)
        self.print_result(False, test, err)

    def addError(self, test, err):
        super().addError(test, err)
        self.print_result(False, test, err)


def main():
    tests = unittest.defaultTestLoader.loadTestsFromModule(sys.modules[__name__])
    print('KTAP version 1')
    print(f'1..{tests.countTestCases()}')
    result = KtapResult()
    tests.run(result)
    return 0 if result.wasSuccessful() else 1


if __name__ == '__main__':
    sys.exit(main())
