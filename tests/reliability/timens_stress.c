// SPDX-License-Identifier: GPL-2.0
/*
 * A bounded stress of time namespaces: concurrent workers for a number of
 * seconds, then a report of how many operations of each kind ran and whether
 * the invariants held.
 *
 * usage: timens_stress [SECONDS]
 *
 * The workers, each a process:
 *  - creators: fork, unshare(CLONE_NEWTIME), write offsets that no other
 *    namespace has, and have a child read the clocks, or re-exec this
 *    program to read them after exec, then exit inside the namespace; the
 *    creator checks the readings against its own of the host's clocks;
 *  - a setns worker: moves back and forth between the initial namespace and
 *    one of its own, through ns fds and a pidfd, checking that the offset
 *    shows and that no clock goes backwards in either namespace;
 *  - a /proc reader: reads timens_offsets, ns/time and ns/time_for_children
 *    of children that are exiting at that moment;
 *  - a limit worker: lowers and raises /proc/sys/user/max_time_namespaces
 *    while the creators create namespaces (ENOSPC must then happen);
 *  - a clock reader: inside a namespace, reads CLOCK_MONOTONIC and
 *    CLOCK_BOOTTIME through the vDSO and the syscall, checking that they
 *    never go backwards.
 * Then stress-ng's unshare stressor runs for a quarter of the time.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kselftest.h"
#include "reliability.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME	0x00000080
#endif

#define NSEC_PER_SEC		1000000000LL
#define DEFAULT_SECONDS		20
#define NR_CREATORS		2
#define EXEC_CHILD_ARG		"--exec-child"
#define MAX_NS_PATH		"/proc/sys/user/max_time_namespaces"
/* The offset of the setns worker's namespace */
#define SETNS_OFFSET_SEC	100000

/* Operation counts and failures, shared by all workers */
struct stats {
	unsigned long create, create_enospc, offsets_write, fork_exit, exec;
	unsigned long creator_fail;
	unsigned long setns, setns_fail;
	unsigned long proc_read, proc_read_gone, proc_fail;
	unsigned long limit_change;
	unsigned long clock_read, clock_fail;
	/* Set when the time is up: workers in namespaces can't use a deadline */
	bool stop;
};

static struct stats *stats;

#define COUNT(field)	__atomic_fetch_add(&stats->field, 1, __ATOMIC_RELAXED)

static long long ns_of(const struct timespec *ts)
{
	return ts->tv_sec * NSEC_PER_SEC + ts->tv_nsec;
}

/* A clock through the vDSO (glibc) and through the syscall */
static long long clock_vdso(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return ns_of(&ts);
}

static long long clock_sys(clockid_t clk)
{
	struct timespec ts;

	syscall(SYS_clock_gettime, clk, &ts);
	return ns_of(&ts);
}

static bool time_left(void)
{
	return !__atomic_load_n(&stats->stop, __ATOMIC_RELAXED);
}

static int set_offsets(long long mono_sec, long long boot_sec)
{
	char text[96];

	snprintf(text, sizeof(text), "monotonic %lld 0\nboottime %lld 0\n",
		 mono_sec, boot_sec);
	return write_text("/proc/self/timens_offsets", text);
}

/* What a task in a creator's namespace reads, for the creator to check */
struct ns_readings {
	long long mono_vdso, mono_sys, boot_vdso, boot_sys;
};

/* Take the readings in this task's namespace and write them to @fd. */
static int report_readings(int fd)
{
	struct ns_readings r = {
		.mono_vdso = clock_vdso(CLOCK_MONOTONIC),
		.mono_sys = clock_sys(CLOCK_MONOTONIC),
		.boot_vdso = clock_vdso(CLOCK_BOOTTIME),
		.boot_sys = clock_sys(CLOCK_BOOTTIME),
	};

	return write(fd, &r, sizeof(r)) == sizeof(r) ? 0 : 1;
}

static int exec_child(const char *arg)
{
	return report_readings(atoi(arg));
}

/* @in lies between @before and @after, the host's readings, shifted by @off. */
static bool shifted_between(long long in, long long before, long long after,
			    long long off)
{
	return before + off <= in && in <= after + off;
}

/*
 * Each creator makes namespaces of its own offsets, monotonic @offset
 * seconds and boottime twice that, distinct from every other namespace of
 * the run: the readings of its tasks lie between the creator's own readings
 * of the host's clocks, before the fork and after the wait, shifted by
 * exactly those offsets.
 */
static bool readings_shifted(const struct ns_readings *r, const struct ns_readings *before,
			     const struct ns_readings *after, long long offset)
{
	long long mono = offset * NSEC_PER_SEC, boot = 2 * mono;

	return shifted_between(r->mono_vdso, before->mono_sys, after->mono_sys, mono) &&
	       shifted_between(r->mono_sys, before->mono_sys, after->mono_sys, mono) &&
	       shifted_between(r->boot_vdso, before->boot_sys, after->boot_sys, boot) &&
	       shifted_between(r->boot_sys, before->boot_sys, after->boot_sys, boot);
}

static void host_readings(struct ns_readings *r)
{
	r->mono_sys = clock_sys(CLOCK_MONOTONIC);
	r->boot_sys = clock_sys(CLOCK_BOOTTIME);
}

static void creator(unsigned int id)
{
	unsigned long long n = 0;

	while (time_left()) {
		/* distinct per creator and per namespace */
		long long offset = 1000 + id * 10000000LL + ++n;
		struct ns_readings before, after, r;
		int status, fds[2];
		ssize_t len;
		pid_t pid;

		if (pipe(fds)) {
			COUNT(creator_fail);
			return;
		}
		host_readings(&before);
		pid = fork();
		if (pid == 0) {
			char arg[32];
			pid_t child;

			close(fds[0]);
			if (unshare(CLONE_NEWTIME)) {
				if (errno == ENOSPC) {
					COUNT(create_enospc);
					_exit(0);
				}
				_exit(1);
			}
			COUNT(create);
			if (set_offsets(offset, 2 * offset))
				_exit(2);
			COUNT(offsets_write);

			if (n % 2 == 0) {
				/* exec moves this task into the new namespace */
				COUNT(exec);
				snprintf(arg, sizeof(arg), "%d", fds[1]);
				execl("/proc/self/exe", "timens_stress", EXEC_CHILD_ARG, arg,
				      (char *)NULL);
				_exit(3);
			}
			child = fork();
			if (child == 0)
				_exit(report_readings(fds[1]) ? 4 : 0);
			if (child < 0 || waitpid(child, &status, 0) != child ||
			    !WIFEXITED(status) || WEXITSTATUS(status))
				_exit(5);
			COUNT(fork_exit);
			_exit(0);
		}
		close(fds[1]);
		if (pid < 0) {
			close(fds[0]);
			if (errno == EAGAIN)
				continue;
			COUNT(creator_fail);
			return;
		}
		len = read(fds[0], &r, sizeof(r));
		close(fds[0]);
		if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
		    WEXITSTATUS(status)) {
			ksft_print_msg("%s %u: child failed (status %#x)\n", __func__, id, status);
			COUNT(creator_fail);
			continue;
		}
		host_readings(&after);
		/* a namespace that max_time_namespaces refused reports nothing */
		if (len == 0)
			continue;
		if (len != sizeof(r) || !readings_shifted(&r, &before, &after, offset)) {
			ksft_print_msg("%s %u: offset %lld s: read %lld %lld %lld %lld ns, host %lld..%lld, %lld..%lld\n",
				       __func__, id, offset, r.mono_vdso, r.mono_sys,
				       r.boot_vdso, r.boot_sys, before.mono_sys, after.mono_sys,
				       before.boot_sys, after.boot_sys);
			COUNT(creator_fail);
		}
	}
}

/* Per namespace: the last monotonic and boottime readings */
struct last {
	long long mono, boot;
};

/*
 * Reads both clocks through the vDSO and the syscall in turn: each reading
 * is at least the one before it, and at least @last.
 */
static bool clocks_forward(struct last *last)
{
	long long m1 = clock_vdso(CLOCK_MONOTONIC);
	long long m2 = clock_sys(CLOCK_MONOTONIC);
	long long m3 = clock_vdso(CLOCK_MONOTONIC);
	long long b1 = clock_sys(CLOCK_BOOTTIME);
	long long b2 = clock_vdso(CLOCK_BOOTTIME);
	bool ok = last->mono <= m1 && m1 <= m2 && m2 <= m3 &&
		  last->boot <= b1 && b1 <= b2;

	if (!ok)
		ksft_print_msg("clock went backwards: mono %lld %lld %lld %lld, boot %lld %lld %lld\n",
			       last->mono, m1, m2, m3, last->boot, b1, b2);
	last->mono = m3;
	last->boot = b2;
	return ok;
}

/* unshare(CLONE_NEWTIME), retried while the limit worker holds it low */
/*
 * unshare(CLONE_NEWTIME), retried while limit_worker's limits refuse it.
 * The pause varies: with sleeps rounded to ticks, a fixed one can fall in
 * step with limit_worker's and always find the low limit.
 */
static int unshare_time(void)
{
	struct timespec pause = { 0 };
	unsigned int tries = 0;

	while (unshare(CLONE_NEWTIME)) {
		if (errno != ENOSPC || !time_left())
			return -1;
		pause.tv_nsec = (1 + tries++ % 3) * 1000000;
		nanosleep(&pause, NULL);
	}
	return 0;
}

static void setns_worker(unsigned int unused)
{
	struct last in_init = { 0 }, in_ns = { 0 };
	int init_fd, ns_fd, pidfd;
	pid_t sleeper;

	init_fd = open("/proc/self/ns/time", O_RDONLY);
	if (init_fd < 0 || unshare_time() ||
	    set_offsets(SETNS_OFFSET_SEC, 2 * SETNS_OFFSET_SEC)) {
		COUNT(setns_fail);
		return;
	}
	ns_fd = open("/proc/self/ns/time_for_children", O_RDONLY);
	sleeper = fork();
	if (sleeper == 0) {
		pause();
		_exit(0);
	}
	pidfd = syscall(SYS_pidfd_open, sleeper, 0);
	if (ns_fd < 0 || sleeper < 0 || pidfd < 0) {
		COUNT(setns_fail);
		return;
	}

	while (time_left()) {
		int fds[] = { ns_fd, pidfd };
		long long host;

		for (int i = 0; i < 2; i++) {
			host = in_init.mono;
			if (setns(fds[i], CLONE_NEWTIME)) {
				ksft_print_msg("setns into the namespace: %s\n", strerror(errno));
				COUNT(setns_fail);
				continue;
			}
			COUNT(setns);
			if (!clocks_forward(&in_ns) ||
			    in_ns.mono - SETNS_OFFSET_SEC * NSEC_PER_SEC < host)
				COUNT(setns_fail);

			if (setns(init_fd, i ? 0 : CLONE_NEWTIME)) {
				ksft_print_msg("setns back: %s\n", strerror(errno));
				COUNT(setns_fail);
				continue;
			}
			COUNT(setns);
			if (!clocks_forward(&in_init) ||
			    in_init.mono + SETNS_OFFSET_SEC * NSEC_PER_SEC < in_ns.mono)
				COUNT(setns_fail);
		}
	}
	kill(sleeper, SIGKILL);
	waitpid(sleeper, NULL, 0);
}

/* A read of a /proc file of a task that may be exiting */
static void read_exiting(pid_t pid, const char *name)
{
	char path[64], buf[256];
	ssize_t len;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/%s", pid, name);
	if (strncmp(name, "ns/", 3)) {
		fd = open(path, O_RDONLY);
		len = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);
		if (fd >= 0)
			close(fd);
	} else {
		len = readlink(path, buf, sizeof(buf) - 1);
	}
	if (len < 0) {
		if (errno == ENOENT || errno == ESRCH) {
			COUNT(proc_read_gone);
			return;
		}
		ksft_print_msg("%s: %s\n", path, strerror(errno));
		COUNT(proc_fail);
		return;
	}
	buf[len] = '\0';
	/* The offsets of a task without namespaces any more read empty */
	if (!len) {
		COUNT(proc_read_gone);
		return;
	}
	COUNT(proc_read);
	if (strncmp(name, "ns/", 3) ? strncmp(buf, "monotonic ", 10) : strncmp(buf, "time:[", 6)) {
		ksft_print_msg("%s: unexpected \"%s\"\n", path, buf);
		COUNT(proc_fail);
	}
}

static void proc_reader(unsigned int unused)
{
	static const char * const files[] = {
		"timens_offsets", "ns/time", "ns/time_for_children",
	};
	unsigned int n = 0;

	while (time_left()) {
		pid_t pid = fork();

		if (pid == 0) {
			if (n % 2 && !unshare(CLONE_NEWTIME))
				set_offsets(n, n);
			_exit(0);
		}
		if (pid < 0)
			continue;
		for (int round = 0; round < 4; round++)
			for (int i = 0; i < 3; i++)
				read_exiting(pid, files[(i + n) % 3]);
		waitpid(pid, NULL, 0);
		n++;
	}
}

static void limit_worker(unsigned int orig)
{
	struct timespec pause = { .tv_nsec = 2000000 };
	unsigned int n = 0;

	while (time_left()) {
		/* in turn the original limit, and one of 0 to 7 */
		int max = n % 2 ? (int)orig : (int)(n % 16) / 2;

		if (write_int(MAX_NS_PATH, max) == 0)
			COUNT(limit_change);
		n++;
		nanosleep(&pause, NULL);
	}
	write_int(MAX_NS_PATH, orig);
}

static void clock_reader(unsigned int unused)
{
	struct timespec now;
	struct last last = { 0 };
	int fd;

	clock_gettime(CLOCK_MONOTONIC, &now);
	/* The namespace's monotonic clock starts a second after zero */
	if (unshare_time() || set_offsets(1 - now.tv_sec, 1000000)) {
		ksft_print_msg("%s: no namespace of its own: %s\n", __func__, strerror(errno));
		COUNT(clock_fail);
		return;
	}
	fd = open("/proc/self/ns/time_for_children", O_RDONLY);
	if (fd < 0 || setns(fd, CLONE_NEWTIME)) {
		ksft_print_msg("%s: cannot enter its namespace: %s\n", __func__, strerror(errno));
		COUNT(clock_fail);
		return;
	}
	close(fd);
	while (time_left()) {
		if (!clocks_forward(&last))
			COUNT(clock_fail);
		COUNT(clock_read);
	}
}

static pid_t start(void (*fn)(unsigned int), unsigned int arg)
{
	pid_t pid = fork();

	if (pid == 0) {
		fn(arg);
		_exit(0);
	}
	return pid;
}

/* stress-ng's unshare stressor, for @seconds; -1 if it cannot run */
static int run_stress_ng(int seconds, char *why, size_t size)
{
	char timeout[16];
	int status;
	pid_t pid;

	snprintf(timeout, sizeof(timeout), "%ds", seconds);
	pid = fork();
	if (pid == 0) {
		execlp("stress-ng", "stress-ng", "--unshare", "2", "--timeout", timeout,
		       "--metrics-brief", "--verify", (char *)NULL);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status)) {
		snprintf(why, size, "stress-ng did not exit normally");
		return 1;
	}
	switch (WEXITSTATUS(status)) {
	case 0:
		return 0;
	case 127:
		/* the harness installs it: without it, the set-up is broken */
		snprintf(why, size, "stress-ng is not installed");
		return 1;
	case 3:
	case 4:
		snprintf(why, size, "stress-ng: unshare stressor not supported here (exit %d)",
			 WEXITSTATUS(status));
		return -1;
	default:
		snprintf(why, size, "stress-ng exited %d", WEXITSTATUS(status));
		return 1;
	}
}

int main(int argc, char **argv)
{
	int seconds = DEFAULT_SECONDS, orig_max, final_max, status, worker_fail = 0;
	pid_t pids[NR_CREATORS + 4];
	unsigned int nr = 0;
	char why[128];
	int ret;

	if (argc == 3 && !strcmp(argv[1], EXEC_CHILD_ARG))
		return exec_child(argv[2]);
	if (argc > 1)
		seconds = atoi(argv[1]);

	ksft_print_header();
	ksft_set_plan(7);
	if (geteuid())
		ksft_exit_skip("needs root\n");
	if (access("/proc/self/ns/time", F_OK))
		ksft_exit_skip("no time namespaces\n");

	stats = mmap(NULL, sizeof(*stats), PROT_READ | PROT_WRITE,
		     MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (stats == MAP_FAILED)
		ksft_exit_fail_perror("mmap");
	orig_max = read_int(MAX_NS_PATH);
	if (orig_max < 0)
		ksft_exit_fail_msg("cannot read %s\n", MAX_NS_PATH);

	ksft_print_msg("%d seconds, %d creators, max_time_namespaces %d\n",
		       seconds, NR_CREATORS, orig_max);
	fflush(stdout);

	for (unsigned int i = 0; i < NR_CREATORS; i++)
		pids[nr++] = start(creator, i);
	pids[nr++] = start(setns_worker, 0);
	pids[nr++] = start(clock_reader, 0);
	pids[nr++] = start(proc_reader, 0);
	pids[nr++] = start(limit_worker, orig_max);
	sleep(seconds);
	__atomic_store_n(&stats->stop, true, __ATOMIC_RELAXED);
	for (unsigned int i = 0; i < nr; i++) {
		if (pids[i] < 0 || waitpid(pids[i], &status, 0) != pids[i] ||
		    !WIFEXITED(status) || WEXITSTATUS(status)) {
			ksft_print_msg("worker %u died (status %#x)\n", i, status);
			worker_fail++;
		}
	}
	final_max = read_int(MAX_NS_PATH);
	if (final_max != orig_max)
		write_int(MAX_NS_PATH, orig_max);

	ksft_print_msg("namespaces created %lu (ENOSPC %lu), offsets written %lu, fork+exit %lu, exec %lu\n",
		       stats->create, stats->create_enospc, stats->offsets_write,
		       stats->fork_exit, stats->exec);
	ksft_print_msg("setns %lu, /proc reads %lu (task gone %lu), limit changes %lu, clock reads %lu\n",
		       stats->setns, stats->proc_read, stats->proc_read_gone,
		       stats->limit_change, stats->clock_read);

	ksft_test_result(!worker_fail && !stats->creator_fail && stats->create && stats->exec,
			 "create_write_fork_exec_exit\n");
	ksft_test_result(!stats->setns_fail && stats->setns, "setns_round_trips\n");
	ksft_test_result(!stats->proc_fail && stats->proc_read, "proc_reads_of_exiting_tasks\n");
	ksft_test_result(final_max == orig_max && stats->limit_change,
			 "max_time_namespaces_restored\n");
	/* the limits of 0 to 7 that limit_worker sets must have refused some */
	ksft_test_result(stats->create_enospc, "max_time_namespaces_enforced\n");
	ksft_test_result(!stats->clock_fail && stats->clock_read,
			 "monotonic_never_goes_backwards\n");

	fflush(stdout);
	ret = run_stress_ng(seconds / 4 ? seconds / 4 : 1, why, sizeof(why));
	if (ret < 0)
		ksft_test_result_code(KSFT_SKIP, "stress_ng_unshare", "%s", why);
	else if (ret)
		ksft_test_result_code(KSFT_FAIL, "stress_ng_unshare", "%s", why);
	else
		ksft_test_result_pass("stress_ng_unshare\n");
	ksft_finished();
}
