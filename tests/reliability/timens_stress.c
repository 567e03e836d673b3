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
 *    never go backwards;
 *  - a thread worker: after unshare(), pthread_create() and clone(CLONE_VM)
 *    must fail with EINVAL; once it is in its namespace for children again,
 *    by setns() into the new namespace or back, it creates a thread, and
 *    setns() must fail with EUSERS while that thread lives;
 *  - a vfork worker: after unshare(), vfork() children that exec this
 *    program read the new namespace's offsets, and vfork() children that
 *    call setns() get EUSERS;
 *  - a race worker: forks, or vforks and execs, a child into a new namespace
 *    while a child of its own writes other offsets to the namespace's
 *    timens_offsets: a write that succeeds comes before the first entry, and
 *    the child reads its offsets; one that fails does so with EACCES, and
 *    the child reads the earlier ones.
 * Then stress-ng's unshare stressor runs for a quarter of the time, and the
 * count of time namespaces alive must be back to what it was at the start.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
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

#define NSEC_PER_SEC		1000000000LL
#define DEFAULT_SECONDS		20
#define NR_CREATORS		2
#define EXEC_CHILD_ARG		"--exec-child"
/* The offset of the setns worker's namespace */
#define SETNS_OFFSET_SEC	100000
/* How far apart the offsets of the two sides of the race are, in seconds */
#define RACE_OFFSET_GAP		5000000
/* The longest wait of the race's writer, in turns of an empty loop */
#define MAX_RACE_DELAY		(1UL << 22)

/* Operation counts and failures, shared by all workers */
struct stats {
	unsigned long create, create_enospc, offsets_write, fork_exit, exec;
	unsigned long creator_fail;
	unsigned long setns, setns_fail;
	unsigned long proc_read, proc_read_gone, proc_fail;
	unsigned long limit_change;
	unsigned long clock_read, clock_fail;
	unsigned long thread_einval, clone_vm_einval, thread_ok, thread_fail;
	unsigned long setns_eusers_thread, setns_eusers_vfork, eusers_fail;
	unsigned long vfork_exec, vfork_fail;
	unsigned long race_write_first, race_entry_first, race_fail;
	/* Messages of the thread, vfork and race workers so far */
	unsigned long reported;
	/* Set when the time is up: workers in namespaces can't use a deadline */
	bool stop;
};

static struct stats *stats;

#define COUNT(field)	__atomic_fetch_add(&stats->field, 1, __ATOMIC_RELAXED)
/* A failure that may repeat at every turn: say only the first few */
#define REPORT(...)	do {							\
	if (COUNT(reported) < 10)						\
		ksft_print_msg(__VA_ARGS__);					\
} while (0)

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

/*
 * The monotonic offset of namespace @n of worker @id, distinct from every
 * other namespace of the run; boottime's is twice that.
 */
static long long unique_offset(unsigned int id, unsigned long long n)
{
	return 1000 + id * 10000000LL + n;
}

/* Worker ids for unique_offset() */
enum { VFORK_ID = NR_CREATORS, RACE_ID };

static void creator(unsigned int id)
{
	unsigned long long n = 0;

	while (time_left()) {
		long long offset = unique_offset(id, ++n);
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

static char child_stack[64 * 1024] __attribute__((aligned(16)));

static int child_fn(void *arg)
{
	return 0;
}

static void *thread_fn(void *arg)
{
	return arg;
}

/* Lives until its pipe is written to or closed */
static void *held_thread(void *fd)
{
	char c;

	return read(*(int *)fd, &c, 1) < 0 ? fd : NULL;
}

/*
 * A thread needs the task to be in its namespace for children. @in_ns says
 * whether it is in the namespace it created, or back in the initial one.
 */
static bool thread_while_in_ns_for_children(int init_fd, bool in_ns)
{
	pthread_t thread;
	int fds[2], err;

	if (pipe(fds))
		return false;
	err = pthread_create(&thread, NULL, held_thread, &fds[0]);
	if (err) {
		REPORT("pthread_create in the namespace %s: %s\n",
		       in_ns ? "it created" : "it went back to", strerror(err));
		close(fds[0]);
		close(fds[1]);
		return false;
	}
	COUNT(thread_ok);
	/* Two tasks now share the address space: neither can move alone */
	if (!setns(init_fd, CLONE_NEWTIME)) {
		REPORT("setns with a second thread alive succeeded\n");
		COUNT(eusers_fail);
	} else if (errno != EUSERS) {
		REPORT("setns with a second thread alive: %s\n", strerror(errno));
		COUNT(eusers_fail);
	} else {
		COUNT(setns_eusers_thread);
	}
	close(fds[1]);
	pthread_join(thread, NULL);
	close(fds[0]);
	return true;
}

static void thread_worker(unsigned int unused)
{
	int init_fd = open("/proc/self/ns/time", O_RDONLY);
	unsigned int n = 0;

	while (time_left()) {
		pthread_t thread;
		int err, fd;
		pid_t pid;

		if (init_fd < 0 || unshare_time()) {
			if (time_left())
				COUNT(thread_fail);
			return;
		}
		err = pthread_create(&thread, NULL, thread_fn, NULL);
		if (err == EINVAL) {
			COUNT(thread_einval);
		} else {
			REPORT("pthread_create after unshare: %s\n",
			       err ? strerror(err) : "created");
			if (!err)
				pthread_join(thread, NULL);
			COUNT(thread_fail);
		}
		pid = clone(child_fn, child_stack + sizeof(child_stack), CLONE_VM | SIGCHLD, NULL);
		if (pid < 0 && errno == EINVAL) {
			COUNT(clone_vm_einval);
		} else {
			REPORT("clone(CLONE_VM) after unshare: %s\n",
			       pid < 0 ? strerror(errno) : "created");
			if (pid > 0)
				waitpid(pid, NULL, 0);
			COUNT(thread_fail);
		}

		/* Into the new namespace, or back into the initial one */
		fd = n++ % 2 ? open("/proc/self/ns/time_for_children", O_RDONLY) : dup(init_fd);
		if (fd < 0 || setns(fd, CLONE_NEWTIME)) {
			REPORT("%s: setns: %s\n", __func__, strerror(errno));
			COUNT(thread_fail);
		} else if (!thread_while_in_ns_for_children(init_fd, n % 2 == 0)) {
			COUNT(thread_fail);
		}
		if (fd >= 0)
			close(fd);
		if (setns(init_fd, CLONE_NEWTIME))
			COUNT(thread_fail);
	}
}

/*
 * Wait for child @pid, which reports its readings to @fd: they must be
 * shifted by @offset from the host's, read in @before and now.
 */
static bool child_readings_shifted(pid_t pid, int fd, const struct ns_readings *before,
				   long long offset)
{
	struct ns_readings r, after;
	ssize_t len = read(fd, &r, sizeof(r));
	int status;

	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status)) {
		REPORT("reader (pid %d) failed (status %#x)\n", pid, status);
		return false;
	}
	host_readings(&after);
	if (len == sizeof(r) && readings_shifted(&r, before, &after, offset))
		return true;
	REPORT("offset %lld s: read %lld %lld %lld %lld ns, host %lld..%lld, %lld..%lld\n",
	       offset, r.mono_vdso, r.mono_sys, r.boot_vdso, r.boot_sys,
	       before->mono_sys, after.mono_sys, before->boot_sys, after.boot_sys);
	return false;
}

/* Start this program, to report its readings to @fd */
static void exec_reader(int fd)
{
	char arg[16];

	snprintf(arg, sizeof(arg), "%d", fd);
	execl("/proc/self/exe", "timens_stress", EXEC_CHILD_ARG, arg, (char *)NULL);
	_exit(3);
}

/* A vfork() child calls setns() into @ns_fd: it shares its parent's mm */
static void vfork_setns(int ns_fd)
{
	pid_t pid = vfork();

	if (pid == 0) {
		if (setns(ns_fd, CLONE_NEWTIME) && errno == EUSERS)
			COUNT(setns_eusers_vfork);
		else
			COUNT(eusers_fail);
		_exit(0);
	}
	if (pid < 0 || waitpid(pid, NULL, 0) != pid)
		COUNT(vfork_fail);
}

/* A vfork() child execs the reader, which must read @offset */
static void vfork_exec(long long offset)
{
	struct ns_readings before;
	int fds[2];
	pid_t pid;

	if (pipe(fds)) {
		COUNT(vfork_fail);
		return;
	}
	host_readings(&before);
	pid = vfork();
	if (pid == 0)
		exec_reader(fds[1]);
	close(fds[1]);
	if (child_readings_shifted(pid, fds[0], &before, offset))
		COUNT(vfork_exec);
	else
		COUNT(vfork_fail);
	close(fds[0]);
}

static void vfork_worker(unsigned int unused)
{
	unsigned long long n = 0;

	while (time_left()) {
		long long offset = unique_offset(VFORK_ID, ++n);
		int ns_fd = -1;

		if (!unshare_time() && !set_offsets(offset, 2 * offset))
			ns_fd = open("/proc/self/ns/time_for_children", O_RDONLY);
		if (ns_fd < 0) {
			if (time_left())
				COUNT(vfork_fail);
			return;
		}
		/* setns() in a vfork child, before the namespace is entered or after */
		if (n % 2)
			vfork_setns(ns_fd);
		vfork_exec(offset);
		if (n % 2 == 0)
			vfork_setns(ns_fd);
		close(ns_fd);
	}
}

/*
 * The writing side of the race: for each namespace of race_worker, write
 * its other offsets when told to, and answer the error. It waits a little
 * before writing, longer after a write that came before the entry, shorter
 * after one that came too late, to stay near the moment of the entry.
 */
static void race_writer(pid_t target, int go_fd, int result_fd)
{
	unsigned long delay = 0;
	unsigned long long n;
	char path[64], text[96];
	int fd, err;

	snprintf(path, sizeof(path), "/proc/%d/timens_offsets", target);
	fd = open(path, O_WRONLY);
	while (read(go_fd, &n, sizeof(n)) == sizeof(n)) {
		long long offset = unique_offset(RACE_ID, n) + RACE_OFFSET_GAP;
		int len;

		for (volatile unsigned long i = 0; i < delay; i++)
			;
		len = snprintf(text, sizeof(text), "monotonic %lld 0\nboottime %lld 0\n",
			       offset, 2 * offset);
		err = write(fd, text, len) == len ? 0 : errno;
		delay = err ? delay * 3 / 4 : delay * 5 / 4 + 64;
		/* Bounded: writes that always succeed must not stall the run */
		if (delay > MAX_RACE_DELAY)
			delay = MAX_RACE_DELAY;
		if (write(result_fd, &err, sizeof(err)) != sizeof(err))
			break;
	}
	_exit(fd < 0);
}

static void race_worker(unsigned int unused)
{
	int go[2], result[2], status;
	unsigned long long n = 0;
	pid_t writer;

	if (pipe(go) || pipe(result)) {
		COUNT(race_fail);
		return;
	}
	/* Forked before any unshare(): it stays in the initial namespace */
	writer = fork();
	if (writer == 0) {
		close(go[1]);
		close(result[0]);
		race_writer(getppid(), go[0], result[1]);
	}
	close(go[0]);
	close(result[1]);
	while (writer > 0 && time_left()) {
		/* volatile: live across vfork(), whose child shares this stack */
		volatile long long offset = unique_offset(RACE_ID, ++n);
		struct ns_readings before;
		int fds[2], err;
		pid_t pid;

		if (unshare_time() || set_offsets(offset, 2 * offset) || pipe(fds)) {
			if (time_left())
				COUNT(race_fail);
			break;
		}
		host_readings(&before);
		if (write(go[1], &n, sizeof(n)) != sizeof(n)) {
			COUNT(race_fail);
			break;
		}
		/* The first entry: by fork(), or by exec() in a vfork() child */
		pid = n % 2 ? fork() : vfork();
		if (pid == 0) {
			if (n % 2)
				_exit(report_readings(fds[1]) ? 4 : 0);
			exec_reader(fds[1]);
		}
		close(fds[1]);
		if (read(result[0], &err, sizeof(err)) != sizeof(err)) {
			REPORT("%s: the writer is gone\n", __func__);
			COUNT(race_fail);
			close(fds[0]);
			break;
		}
		if (err && err != EACCES) {
			REPORT("%s: write: %s\n", __func__, strerror(err));
			COUNT(race_fail);
		}
		/* The child must read the offsets in force when it entered */
		if (!err)
			offset += RACE_OFFSET_GAP;
		if (!child_readings_shifted(pid, fds[0], &before, offset)) {
			REPORT("%s: after a write that %s\n", __func__,
			       err ? "failed" : "succeeded");
			COUNT(race_fail);
		} else if (!err) {
			COUNT(race_write_first);
		} else if (err == EACCES) {
			COUNT(race_entry_first);
		}
		close(fds[0]);
	}
	close(go[1]);
	if (writer < 0 || waitpid(writer, &status, 0) != writer || status) {
		REPORT("%s: the writer failed\n", __func__);
		COUNT(race_fail);
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
	int baseline_ns, final_ns;
	pid_t pids[NR_CREATORS + 7];
	unsigned int nr = 0;
	char why[128];
	int ret;

	if (argc == 3 && !strcmp(argv[1], EXEC_CHILD_ARG))
		return exec_child(argv[2]);
	if (argc > 1)
		seconds = atoi(argv[1]);

	ksft_print_header();
	ksft_set_plan(12);
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
	baseline_ns = count_time_namespaces();

	ksft_print_msg("%d seconds, %d creators, max_time_namespaces %d\n",
		       seconds, NR_CREATORS, orig_max);
	fflush(stdout);

	for (unsigned int i = 0; i < NR_CREATORS; i++)
		pids[nr++] = start(creator, i);
	pids[nr++] = start(setns_worker, 0);
	pids[nr++] = start(clock_reader, 0);
	pids[nr++] = start(proc_reader, 0);
	pids[nr++] = start(limit_worker, orig_max);
	pids[nr++] = start(thread_worker, 0);
	pids[nr++] = start(vfork_worker, 0);
	pids[nr++] = start(race_worker, 0);
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
	ksft_print_msg("after unshare, EINVAL: pthread_create %lu, clone(CLONE_VM) %lu\n",
		       stats->thread_einval, stats->clone_vm_einval);
	ksft_print_msg("threads in the namespace for children %lu, vfork+exec readers %lu\n",
		       stats->thread_ok, stats->vfork_exec);
	ksft_print_msg("setns EUSERS: with a thread alive %lu, in a vfork child %lu\n",
		       stats->setns_eusers_thread, stats->setns_eusers_vfork);
	ksft_print_msg("offsets writes vs first entry: before it %lu, refused after %lu, wrong %lu\n",
		       stats->race_write_first, stats->race_entry_first, stats->race_fail);

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
	ksft_test_result(!stats->thread_fail && stats->thread_einval && stats->clone_vm_einval &&
			 stats->thread_ok, "threads_only_in_the_namespace_for_children\n");
	ksft_test_result(!stats->eusers_fail && stats->setns_eusers_thread &&
			 stats->setns_eusers_vfork, "setns_eusers_while_mm_shared\n");
	ksft_test_result(!stats->vfork_fail && stats->vfork_exec,
			 "vfork_exec_enters_the_new_namespace\n");
	/* Both outcomes, or the race was not run */
	ksft_test_result(!stats->race_fail && stats->race_write_first && stats->race_entry_first,
			 "offsets_write_and_first_entry_race\n");

	fflush(stdout);
	ret = run_stress_ng(seconds / 4 ? seconds / 4 : 1, why, sizeof(why));
	if (ret < 0)
		ksft_test_result_code(KSFT_SKIP, "stress_ng_unshare", "%s", why);
	else if (ret)
		ksft_test_result_code(KSFT_FAIL, "stress_ng_unshare", "%s", why);
	else
		ksft_test_result_pass("stress_ng_unshare\n");

	final_ns = count_time_namespaces();
	ksft_print_msg("time namespaces alive: %d at the start, %d at the end\n",
		       baseline_ns, final_ns);
	ksft_test_result(baseline_ns >= 0 && final_ns == baseline_ns,
			 "namespace_count_back_to_baseline\n");
	ksft_finished();
}
