// SPDX-License-Identifier: GPL-2.0
/*
 * The cost of the vDSO's clock_gettime(), outside and inside a time
 * namespace.
 *
 * The program finds the vDSO's clock_gettime() (x86's __vdso_clock_gettime,
 * arm64's __kernel_clock_gettime) in the image that the kernel maps
 * (getauxval(AT_SYSINFO_EHDR)) and calls it directly, so that glibc's
 * wrapper is not counted. One measurement is a loop of CALLS calls for one
 * clock, timed with CLOCK_MONOTONIC_RAW: the difference of two readings
 * cancels a time namespace's offset.
 *
 * Each repetition measures every clock in the root time namespace, then in a
 * child in a new time namespace whose CLOCK_MONOTONIC and CLOCK_BOOTTIME are
 * shifted ("timens"), then in a child in a namespace whose offsets were
 * never written ("timens_zero", as container runtimes make them), so that
 * the three are interleaved. "null" is the same loop calling an empty
 * function: the cost of the loop and the call alone.
 *
 * The environment (the kernel passes "name=value" arguments that it does not
 * know to init) sets bench_calls and bench_reps. Each result is one line:
 *
 *   bench: {"where": "root", "clock": "CLOCK_MONOTONIC", "rep": 0, ...}
 *
 * Other lines start with "bench: " and a word: clocksource, vdso, timens,
 * error, done.
 * The program fails only if it could not measure; it judges no number.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "bench.h"

static const struct {
	const char *name;
	clockid_t id;
} clocks[] = {
	{ "CLOCK_MONOTONIC", CLOCK_MONOTONIC },
	{ "CLOCK_MONOTONIC_COARSE", CLOCK_MONOTONIC_COARSE },
	{ "CLOCK_MONOTONIC_RAW", CLOCK_MONOTONIC_RAW },
	{ "CLOCK_BOOTTIME", CLOCK_BOOTTIME },
	{ "null", CLOCK_MONOTONIC },
};

#define NR_CLOCKS (sizeof(clocks) / sizeof(clocks[0]))
#define NULL_CLOCK (NR_CLOCKS - 1)

/* What the time namespace adds: a day to CLOCK_MONOTONIC, two to BOOTTIME. */
#define MONOTONIC_OFFSET 86400
#define BOOTTIME_OFFSET (2 * 86400)

static __attribute__((noinline)) int null_gettime(clockid_t clk, struct timespec *ts)
{
	asm volatile("" : : "r"(clk), "r"(ts) : "memory");
	return 0;
}

static void measure_all(const char *where, int rep, long calls)
{
	unsigned int c;

	for (c = 0; c < NR_CLOCKS; c++) {
		gettime_fn fn = c == NULL_CLOCK ? null_gettime : vdso_gettime;
		long long ns = measure(fn, clocks[c].id, calls);

		printf("bench: {\"where\": \"%s\", \"clock\": \"%s\", \"rep\": %d, \"calls\": %ld, \"ns\": %lld, \"ns_per_call\": %.3f}\n",
		       where, clocks[c].name, rep, calls, ns, (double)ns / calls);
	}
	fflush(stdout);
}

/*
 * Make a time namespace with zero offsets, and return an fd of it; then the
 * time namespace that children will be in, with offsets. -1 if the kernel
 * has no time namespaces.
 */
static int make_timens(void)
{
	char offsets[64];
	int fd, zero_fd, len;

	if (unshare(CLONE_NEWTIME)) {
		printf("bench: timens none (unshare: %s)\n", strerror(errno));
		return -1;
	}
	zero_fd = open("/proc/self/ns/time_for_children", O_RDONLY);
	/* A new namespace has its creator's offsets for children: zero */
	if (zero_fd < 0 || unshare(CLONE_NEWTIME)) {
		printf("bench: error: the second namespace: %s\n", strerror(errno));
		exit(1);
	}
	len = snprintf(offsets, sizeof(offsets), "%d %d 0\n%d %d 0\n",
		       CLOCK_MONOTONIC, MONOTONIC_OFFSET, CLOCK_BOOTTIME, BOOTTIME_OFFSET);
	fd = open("/proc/self/timens_offsets", O_WRONLY);
	if (fd < 0 || write(fd, offsets, len) != len) {
		printf("bench: error: setting the offsets: %s\n", strerror(errno));
		exit(1);
	}
	close(fd);
	return zero_fd;
}

/*
 * In the child: are its clocks shifted by @offset seconds? @root is
 * CLOCK_MONOTONIC read in the root namespace just before the fork.
 */
static void check_timens(const char *where, const struct timespec *root, long long offset)
{
	struct timespec mono, sys;
	long long shift;

	vdso_gettime(CLOCK_MONOTONIC, &mono);
	syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &sys);
	shift = (nsec(&mono) - nsec(root)) / 1000000000LL;
	printf("bench: %s shifts CLOCK_MONOTONIC by %lld s (vDSO), %lld s (syscall)\n",
	       where, shift, (nsec(&sys) - nsec(root)) / 1000000000LL);
	if (shift < offset || shift > offset + 60) {
		printf("bench: error: the vDSO does not shift CLOCK_MONOTONIC by %lld s in %s\n",
		       offset, where);
		exit(1);
	}
}

/*
 * Measure in a child: in the namespace for children, or, if @ns_fd is not
 * -1, in that namespace. 0, or -1 if the child failed.
 */
static int measure_in_child(const char *where, int ns_fd, long long offset, int rep,
			    long calls)
{
	struct timespec root;
	int status;
	pid_t pid;

	vdso_gettime(CLOCK_MONOTONIC, &root);
	pid = fork();
	if (pid < 0) {
		printf("bench: error: fork: %s\n", strerror(errno));
		return -1;
	}
	if (pid == 0) {
		if (ns_fd >= 0 && setns(ns_fd, CLONE_NEWTIME)) {
			printf("bench: error: setns: %s\n", strerror(errno));
			_exit(1);
		}
		if (rep == 0)
			check_timens(where, &root, offset);
		measure_all(where, rep, calls);
		_exit(0);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status)) {
		printf("bench: error: the child in %s failed\n", where);
		return -1;
	}
	return 0;
}

int main(void)
{
	long calls = env("bench_calls", 100000);
	int reps = env("bench_reps", 5);
	int zero_fd, rep;

	if (bench_setup())
		return 1;
	printf("bench: vdso %s@%s, %ld calls a measurement, %d repetitions\n",
	       VDSO_GETTIME, VDSO_VERSION, calls, reps);
	zero_fd = make_timens();

	for (rep = 0; rep < reps; rep++) {
		measure_all("root", rep, calls);
		if (zero_fd < 0)
			continue;
		if (measure_in_child("timens", -1, MONOTONIC_OFFSET, rep, calls) ||
		    measure_in_child("timens_zero", zero_fd, 0, rep, calls))
			return 1;
	}
	printf("bench: done\n");
	return 0;
}
