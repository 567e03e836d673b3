// SPDX-License-Identifier: GPL-2.0
/*
 * A container's time namespace made in runc's order of operations, as Docker
 * (29.5) has runc make it, without Docker or runc:
 *
 *  - a single-threaded helper, runc's nsexec stage-1 child, unshares
 *    CLONE_NEWTIME (and CLONE_NEWPID) at once, writes the offsets to
 *    /proc/self/timens_offsets, then clone(CLONE_PARENT)s the container's
 *    init and exits: the init is the caller's child, born in the namespace;
 *  - the init execs, and the new program, a Go runtime in runc's case,
 *    starts threads at once;
 *  - "runc exec": a fresh single-threaded process setns()es into the init's
 *    time namespace through /proc/PID/ns/time, then execs a program that
 *    starts threads too.
 *
 * Each program inside reports what its threads and itself see: the clocks
 * must be the host's, read before and after, shifted by the offsets exactly
 * (/proc/uptime by BOOTTIME's, to its 10 ms), and /proc/self/timens_offsets
 * must show them. Prints KTAP.
 *
 * usage: runc_order
 *        runc_order inside REPORT_FD HOLD_FD   (the programs inside)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kselftest.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

#define MONO_OFFSET 86400
#define BOOT_OFFSET 172800
#define THREADS 4
/* /proc/uptime shows hundredths, truncated. */
#define UPTIME_RESOLUTION 0.01

/* What a program inside saw, sent whole through a pipe. */
struct view {
	int err;		/* setns()'s errno in the runc exec child */
	int threads;		/* threads that started and read the clocks */
	double mono_min, mono_max, boot_min, boot_max, uptime;
	long long mono_offset, boot_offset;
	int offsets_read;
	char ns[64];
};

/* What the helper did: the step it failed at, or the init's pid. */
struct helper_report {
	const char *failed;	/* a string of the helper's image: same in the parent */
	int err;
	pid_t init;
};

static double now(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

struct reading {
	double mono, boot;
};

static void *read_clocks(void *arg)
{
	struct reading *r = arg;

	r->mono = now(CLOCK_MONOTONIC);
	r->boot = now(CLOCK_BOOTTIME);
	return NULL;
}

static void read_offsets(struct view *v)
{
	FILE *f = fopen("/proc/self/timens_offsets", "r");
	char name[16];
	long long sec;
	long nsec;

	if (!f)
		return;
	while (fscanf(f, "%15s %lld %ld", name, &sec, &nsec) == 3) {
		if (!strcmp(name, "monotonic"))
			v->mono_offset = sec;
		else if (!strcmp(name, "boottime"))
			v->boot_offset = sec;
		v->offsets_read++;
	}
	fclose(f);
}

/* A program inside: threads at once, then the report; wait for HOLD_FD's EOF. */
static int inside(int report_fd, int hold_fd)
{
	struct reading r[THREADS];
	pthread_t t[THREADS];
	struct view v = { .mono_min = 1e18, .boot_min = 1e18 };
	FILE *f;
	ssize_t len;
	int i, started = 0;

	for (i = 0; i < THREADS; i++)
		if (pthread_create(&t[i], NULL, read_clocks, &r[i]) == 0)
			started |= 1 << i;
	for (i = 0; i < THREADS; i++) {
		if (!(started & (1 << i)))
			continue;
		pthread_join(t[i], NULL);
		v.threads++;
		if (r[i].mono < v.mono_min)
			v.mono_min = r[i].mono;
		if (r[i].mono > v.mono_max)
			v.mono_max = r[i].mono;
		if (r[i].boot < v.boot_min)
			v.boot_min = r[i].boot;
		if (r[i].boot > v.boot_max)
			v.boot_max = r[i].boot;
	}
	f = fopen("/proc/uptime", "r");
	if (!f || fscanf(f, "%lf", &v.uptime) != 1)
		v.uptime = -1;
	if (f)
		fclose(f);
	len = readlink("/proc/self/ns/time", v.ns, sizeof(v.ns) - 1);
	if (len > 0)
		v.ns[len] = '\0';
	read_offsets(&v);
	if (write(report_fd, &v, sizeof(v)) != sizeof(v))
		return 1;
	if (hold_fd >= 0)
		while (read(hold_fd, &i, 1) > 0)
			;
	return 0;
}

static char *self;
static int report_pipe[2], hold_pipe[2];

/* The container's init: exec the program inside at once, as runc init does. */
static int init_fn(void *arg)
{
	char report[16], hold[16];

	/* Only the parent may hold the hold pipe's write end. */
	close(hold_pipe[1]);
	snprintf(report, sizeof(report), "%d", report_pipe[1]);
	snprintf(hold, sizeof(hold), "%d", hold_pipe[0]);
	execl(self, self, "inside", report, hold, (char *)NULL);
	_exit(127);
}

/* runc's stage-1 child: unshare, write the offsets, clone(CLONE_PARENT). */
static void helper(int out)
{
	static char stack[256 * 1024] __attribute__((aligned(16)));
	char offsets[64];
	struct helper_report h = { 0 };
	int fd, len;

	if (unshare(CLONE_NEWTIME | CLONE_NEWPID)) {
		h.failed = "unshare(CLONE_NEWTIME | CLONE_NEWPID)";
		goto out;
	}
	len = snprintf(offsets, sizeof(offsets), "monotonic %d 0\nboottime %d 0\n",
		       MONO_OFFSET, BOOT_OFFSET);
	fd = open("/proc/self/timens_offsets", O_WRONLY);
	if (fd < 0 || write(fd, offsets, len) != len) {
		h.failed = "writing /proc/self/timens_offsets";
		goto out;
	}
	close(fd);
	h.init = clone(init_fn, stack + sizeof(stack), CLONE_PARENT | SIGCHLD, NULL);
	if (h.init < 0)
		h.failed = "clone(CLONE_PARENT)";
out:
	h.err = errno;
	if (write(out, &h, sizeof(h)) != sizeof(h))
		_exit(1);
	_exit(0);
}

static int read_view(int fd, struct view *v)
{
	return read(fd, v, sizeof(*v)) == sizeof(*v);
}

/* Does [lo, hi] lie within the host's [h0, h1] shifted by offset? */
static int shifted(double lo, double hi, double h0, double h1, double offset, double slack)
{
	return lo >= h0 + offset - slack && hi <= h1 + offset;
}

/* The checks on one program inside; h0, h1: the host's clocks around it. */
static void check_view(const char *who, const struct view *v, const struct reading *h0,
		       const struct reading *h1)
{
	ksft_print_msg("%s: %d threads, CLOCK_MONOTONIC %.3f..%.3f, CLOCK_BOOTTIME %.3f..%.3f, uptime %.2f, offsets %lld %lld, %s\n",
		       who, v->threads, v->mono_min, v->mono_max, v->boot_min, v->boot_max,
		       v->uptime, v->mono_offset, v->boot_offset, v->ns);
	ksft_test_result(v->threads == THREADS, "%s_starts_threads_at_once\n", who);
	ksft_test_result(v->threads && shifted(v->mono_min, v->mono_max, h0->mono, h1->mono,
					       MONO_OFFSET, 0),
			 "%s_clock_monotonic_shifted\n", who);
	ksft_test_result(v->threads && shifted(v->boot_min, v->boot_max, h0->boot, h1->boot,
					       BOOT_OFFSET, 0),
			 "%s_clock_boottime_shifted\n", who);
	ksft_test_result(shifted(v->uptime, v->uptime, h0->boot, h1->boot, BOOT_OFFSET,
				 UPTIME_RESOLUTION),
			 "%s_proc_uptime_shifted\n", who);
	ksft_test_result(v->offsets_read == 2 && v->mono_offset == MONO_OFFSET &&
			 v->boot_offset == BOOT_OFFSET,
			 "%s_timens_offsets_show_the_offsets\n", who);
}

int main(int argc, char *argv[])
{
	struct helper_report h = { 0 };
	struct reading h0, h1;
	struct view init = { 0 }, exec = { 0 };
	char host_ns[64] = "", path[64];
	int helper_pipe[2], exec_pipe[2], status, fd, got;
	pid_t pid;

	if (argc == 4 && !strcmp(argv[1], "inside"))
		return inside(atoi(argv[2]), atoi(argv[3]));
	self = realpath("/proc/self/exe", NULL);

	ksft_print_header();
	ksft_set_plan(14);
	if (readlink("/proc/self/ns/time", host_ns, sizeof(host_ns) - 1) < 0)
		ksft_print_msg("no /proc/self/ns/time: %m\n");
	if (pipe(helper_pipe) || pipe(report_pipe) || pipe(hold_pipe) || pipe(exec_pipe))
		ksft_exit_fail_perror("pipe");

	read_clocks(&h0);
	pid = fork();
	if (pid < 0)
		ksft_exit_fail_perror("fork");
	if (pid == 0)
		helper(helper_pipe[1]);
	if (read(helper_pipe[0], &h, sizeof(h)) != sizeof(h))
		h.failed = "the helper's report", h.err = EPIPE;
	waitpid(pid, &status, 0);
	if (h.failed)
		ksft_print_msg("helper: %s: %s\n", h.failed, strerror(h.err));
	ksft_test_result(!h.failed, "helper_unshares_writes_offsets_and_clones_init\n");

	close(report_pipe[1]);
	close(hold_pipe[0]);
	got = !h.failed && read_view(report_pipe[0], &init);
	read_clocks(&h1);
	ksft_test_result(got && init.ns[0] && strcmp(init.ns, host_ns),
			 "init_in_a_new_time_namespace\n");
	check_view("init", &init, &h0, &h1);

	/* runc exec: a fresh single-threaded process joins the init's namespace. */
	read_clocks(&h0);
	pid = fork();
	if (pid < 0)
		ksft_exit_fail_perror("fork");
	if (pid == 0) {
		char report[16];

		close(hold_pipe[1]);
		snprintf(path, sizeof(path), "/proc/%d/ns/time", h.init);
		fd = open(path, O_RDONLY);
		if (fd < 0 || setns(fd, CLONE_NEWTIME)) {
			exec.err = errno;
			if (write(exec_pipe[1], &exec, sizeof(exec)) != sizeof(exec))
				_exit(1);
			_exit(0);
		}
		snprintf(report, sizeof(report), "%d", exec_pipe[1]);
		execl(self, self, "inside", report, "-1", (char *)NULL);
		_exit(127);
	}
	close(exec_pipe[1]);
	got = read_view(exec_pipe[0], &exec);
	read_clocks(&h1);
	waitpid(pid, &status, 0);
	if (got && exec.err)
		ksft_print_msg("setns into /proc/%d/ns/time: %s\n", h.init, strerror(exec.err));
	ksft_test_result(got && !exec.err, "setns_from_a_fresh_process\n");
	ksft_test_result(got && !exec.err && init.ns[0] && !strcmp(exec.ns, init.ns),
			 "setns_process_in_the_init_namespace\n");
	check_view("exec", &exec, &h0, &h1);

	/* The init exits when the hold pipe closes. */
	close(hold_pipe[1]);
	if (h.init > 0)
		waitpid(h.init, &status, 0);
	ksft_finished();
}
