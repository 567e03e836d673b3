// SPDX-License-Identifier: GPL-2.0
/*
 * Time namespaces must not leak: run many create/enter/exit cycles and
 * compare, before and after, the objects of the namespace's slab cache, the
 * unreclaimable slab memory, the free memory and the count of namespaces that
 * max_time_namespaces limits.
 *
 * usage: timens_leak [CYCLES]
 *        timens_leak --count-only
 *
 * A cycle is unshare(CLONE_NEWTIME), a write of the offsets, entering the
 * namespace (setns, which maps its vDSO page; or, one cycle in ten, a child
 * that is born in it and exits there) and leaving it again. Each cycle then
 * takes one of the error paths in turn, each of which must fail with its
 * documented error: unshare() at max_time_namespaces (ENOSPC), setns() from
 * a vfork() or CLONE_VM child (EUSERS), unshare() and setns() without
 * CAP_SYS_ADMIN (EPERM), pthread_create() and clone(CLONE_VM) after
 * unshare() (EINVAL), setns() with another nstype or a namespace of another
 * type (EINVAL).
 *
 * --count-only checks that no time namespace is alive: run after every other
 * test, it catches namespaces that they leaked, or left behind in tasks that
 * still run.
 *
 * The slab cache is read from /proc/slabinfo or /sys/kernel/slab, which need
 * CONFIG_SLUB_DEBUG; boot with slab_nomerge, or the cache may be merged with
 * others of its size and the count includes theirs.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
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

#define DEFAULT_CYCLES		10000
/* How many more namespaces than the baseline the limit must allow */
#define HEADROOM		8
/*
 * Tolerances. The slab object count catches one namespace leaked a cycle.
 * The unreclaimable slab memory one catches 128 bytes a cycle over the
 * default cycles; the free memory one, half a page a cycle: a leaked vvar
 * page a cycle is twice that, while what other users of memory do in the
 * meantime stays below it.
 */
#define SLAB_TOLERANCE_KB	1024
#define FREE_TOLERANCE_KB(cycles)	((cycles) * 4 / 2)
/* Frees may be deferred (RCU): measure again a few times before failing */
#define SETTLE_TRIES		5

struct figures {
	long slab_objs;		/* active objects of time_namespace, or -1 */
	long sunreclaim_kb;
	long free_kb;
	int nr_ns;		/* time namespaces alive, or -1 */
};

static char slab_source[128] = "unavailable";

static long meminfo_kb(const char *key)
{
	char line[128];
	long val = -1;
	FILE *f;

	f = fopen("/proc/meminfo", "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		size_t len = strlen(key);

		if (!strncmp(line, key, len) && line[len] == ':') {
			val = strtol(line + len + 1, NULL, 10);
			break;
		}
	}
	fclose(f);
	return val;
}

static long slab_objects(void)
{
	char line[512], name[64];
	long active = -1, n;
	FILE *f;

	f = fopen("/proc/slabinfo", "r");
	if (f) {
		while (fgets(line, sizeof(line), f)) {
			if (sscanf(line, "%63s %ld", name, &n) == 2 &&
			    !strcmp(name, "time_namespace")) {
				active = n;
				snprintf(slab_source, sizeof(slab_source),
					 "/proc/slabinfo active_objs");
			}
		}
		fclose(f);
		if (active >= 0)
			return active;
	}
	f = fopen("/sys/kernel/slab/time_namespace/objects", "r");
	if (f) {
		if (fscanf(f, "%ld", &active) != 1)
			active = -1;
		fclose(f);
		snprintf(slab_source, sizeof(slab_source), "/sys/kernel/slab/time_namespace/objects%s",
			 readlink("/sys/kernel/slab/time_namespace", line, sizeof(line)) > 0 ?
			 " (merged with other caches: boot with slab_nomerge)" : "");
		return active;
	}
	snprintf(slab_source, sizeof(slab_source),
		 "neither /proc/slabinfo nor /sys/kernel/slab has time_namespace (CONFIG_SLUB_DEBUG off?)");
	return -1;
}

/*
 * Empty the slab caches' per-CPU and partial slabs, and KASAN's quarantine
 * of freed objects, so that what is counted is what is in use.
 */
static void shrink_slabs(void)
{
	char path[320];
	struct dirent *d;
	DIR *dir;

	dir = opendir("/sys/kernel/slab");
	if (!dir)
		return;
	while ((d = readdir(dir))) {
		if (d->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/sys/kernel/slab/%s/shrink", d->d_name);
		write_text(path, "1\n");
	}
	closedir(dir);
}

static void measure(struct figures *f)
{
	sync();
	write_text("/proc/sys/vm/drop_caches", "3\n");
	shrink_slabs();
	f->slab_objs = slab_objects();
	f->sunreclaim_kb = meminfo_kb("SUnreclaim");
	f->free_kb = meminfo_kb("MemFree");
	f->nr_ns = count_time_namespaces();
}

static int set_offsets(long sec)
{
	char text[64];

	snprintf(text, sizeof(text), "monotonic %ld 0\nboottime %ld 1\n", sec, sec);
	return write_text("/proc/self/timens_offsets", text);
}

static int cycle(int init_fd, long i)
{
	struct timespec ts;
	int status, fd;
	pid_t pid;

	if (unshare(CLONE_NEWTIME) || set_offsets(i % 1000 + 1))
		return -1;
	if (i % 10 == 0) {
		pid = fork();
		if (pid == 0)
			_exit(clock_gettime(CLOCK_MONOTONIC, &ts) || ts.tv_sec <= i % 1000);
		if (pid < 0 || waitpid(pid, &status, 0) != pid || status)
			return -1;
		return setns(init_fd, CLONE_NEWTIME);
	}
	fd = open("/proc/self/ns/time_for_children", O_RDONLY);
	if (fd < 0)
		return -1;
	if (setns(fd, CLONE_NEWTIME)) {
		close(fd);
		return -1;
	}
	close(fd);
	if (clock_gettime(CLOCK_MONOTONIC, &ts) || ts.tv_sec <= i % 1000)
		return -1;
	return setns(init_fd, CLONE_NEWTIME);
}

/* The namespaces alive before the cycles; the limit of unshare_at_limit() */
static int live_ns = -1;
/* What the children of vfork() and CLONE_VM report: their stores must reach the parent */
static volatile int *child_err;
static char child_stack[64 * 1024] __attribute__((aligned(16)));

/* A new namespace for children, and an fd of it; -1 on failure */
static int fresh_ns(void)
{
	if (unshare(CLONE_NEWTIME))
		return -1;
	return open("/proc/self/ns/time_for_children", O_RDONLY);
}

/*
 * Each error path returns the error of the call that must fail, 0 if it
 * succeeded, or -1 if what comes before it failed (errno says why). The
 * caller goes back to the initial namespace after it.
 */

/* Once max_time_namespaces allows exactly one more: ENOSPC */
static int unshare_at_limit(int init_fd)
{
	int err = -1, orig = read_int(MAX_NS_PATH);

	if (orig < 0 || live_ns < 0 || write_int(MAX_NS_PATH, live_ns + 1))
		return -1;
	if (!unshare(CLONE_NEWTIME))
		err = unshare(CLONE_NEWTIME) ? errno : 0;
	write_int(MAX_NS_PATH, orig);
	return err;
}

/* A vfork() child shares its parent's address space: EUSERS */
static int setns_in_vfork_child(int init_fd)
{
	int fd = fresh_ns(), err = -1;
	pid_t pid;

	if (fd < 0)
		return -1;
	*child_err = -1;
	pid = vfork();
	if (pid == 0) {
		*child_err = setns(fd, CLONE_NEWTIME) ? errno : 0;
		_exit(0);
	}
	if (pid > 0 && waitpid(pid, NULL, 0) == pid)
		err = *child_err;
	close(fd);
	return err;
}

static int setns_child(void *fd)
{
	*child_err = setns(*(int *)fd, CLONE_NEWTIME) ? errno : 0;
	return 0;
}

/* So does a CLONE_VM child, made in the parent's namespace for children: EUSERS */
static int setns_in_clone_vm_child(int init_fd)
{
	int fd = fresh_ns(), err = -1;
	pid_t pid;

	if (fd < 0)
		return -1;
	if (!setns(init_fd, CLONE_NEWTIME)) {
		*child_err = -1;
		pid = clone(setns_child, child_stack + sizeof(child_stack), CLONE_VM | SIGCHLD,
			    &fd);
		if (pid > 0 && waitpid(pid, NULL, 0) == pid)
			err = *child_err;
	}
	close(fd);
	return err;
}

static int drop_cap_sys_admin(void)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];

	if (syscall(SYS_capget, &hdr, data))
		return -1;
	data[CAP_TO_INDEX(CAP_SYS_ADMIN)].effective &= ~CAP_TO_MASK(CAP_SYS_ADMIN);
	return syscall(SYS_capset, &hdr, data);
}

/* In a child without CAP_SYS_ADMIN: EPERM, for setns() into @fd, or unshare() */
static int without_cap_sys_admin(int fd)
{
	int status;
	pid_t pid;

	pid = fork();
	if (pid == 0) {
		if (drop_cap_sys_admin())
			_exit(255);
		if (fd >= 0)
			_exit(setns(fd, CLONE_NEWTIME) ? errno : 0);
		_exit(unshare(CLONE_NEWTIME) ? errno : 0);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status) == 255)
		return -1;
	return WEXITSTATUS(status);
}

static int unshare_without_cap(int init_fd)
{
	return without_cap_sys_admin(-1);
}

static int setns_without_cap(int init_fd)
{
	int fd = fresh_ns(), err = -1;

	if (fd < 0)
		return -1;
	/* The child starts outside of the namespace it tries to enter */
	if (!setns(init_fd, CLONE_NEWTIME))
		err = without_cap_sys_admin(fd);
	close(fd);
	return err;
}

static void *thread_fn(void *arg)
{
	return arg;
}

/* A thread would share an address space with a task of another namespace: EINVAL */
static int thread_after_unshare(int init_fd)
{
	pthread_t thread;
	int err;

	if (unshare(CLONE_NEWTIME))
		return -1;
	err = pthread_create(&thread, NULL, thread_fn, NULL);
	if (!err)
		pthread_join(thread, NULL);
	return err;
}

static int child_fn(void *arg)
{
	return 0;
}

/* So would a CLONE_VM child without CLONE_VFORK: EINVAL */
static int clone_vm_after_unshare(int init_fd)
{
	pid_t pid;

	if (unshare(CLONE_NEWTIME))
		return -1;
	pid = clone(child_fn, child_stack + sizeof(child_stack), CLONE_VM | SIGCHLD, NULL);
	if (pid < 0)
		return errno;
	waitpid(pid, NULL, 0);
	return 0;
}

/* A time namespace given as another type: EINVAL */
static int setns_wrong_nstype(int init_fd)
{
	int fd = fresh_ns(), err;

	if (fd < 0)
		return -1;
	err = setns(fd, CLONE_NEWNET) ? errno : 0;
	close(fd);
	return err;
}

/* Another type of namespace given as a time namespace: EINVAL */
static int setns_not_time_ns(int init_fd)
{
	int fd = open("/proc/self/ns/mnt", O_RDONLY), err = -1;

	if (fd < 0)
		return -1;
	if (!unshare(CLONE_NEWTIME))
		err = setns(fd, CLONE_NEWTIME) ? errno : 0;
	close(fd);
	return err;
}

static struct error_path {
	const char *name;
	int (*run)(int init_fd);
	int expected;
	long tried, wrong;
} error_paths[] = {
	{ "unshare at max_time_namespaces", unshare_at_limit, ENOSPC },
	{ "setns in a vfork child", setns_in_vfork_child, EUSERS },
	{ "setns in a CLONE_VM child", setns_in_clone_vm_child, EUSERS },
	{ "unshare without CAP_SYS_ADMIN", unshare_without_cap, EPERM },
	{ "setns without CAP_SYS_ADMIN", setns_without_cap, EPERM },
	{ "pthread_create after unshare", thread_after_unshare, EINVAL },
	{ "clone(CLONE_VM) after unshare", clone_vm_after_unshare, EINVAL },
	{ "setns of a time ns as CLONE_NEWNET", setns_wrong_nstype, EINVAL },
	{ "setns of a mount ns as CLONE_NEWTIME", setns_not_time_ns, EINVAL },
};

#define NR_ERROR_PATHS	ARRAY_SIZE(error_paths)

/* The error path of cycle @i; false if it did not fail as it must */
static bool error_cycle(int init_fd, long i)
{
	struct error_path *path = &error_paths[i % NR_ERROR_PATHS];
	int err = path->run(init_fd);
	int back = setns(init_fd, CLONE_NEWTIME);

	path->tried++;
	if (err == path->expected && !back)
		return true;
	if (path->wrong++ >= 3)
		return false;
	if (err < 0)
		ksft_print_msg("cycle %ld: %s: what comes before it failed: %s\n", i, path->name,
			       strerror(errno));
	else if (err != path->expected)
		ksft_print_msg("cycle %ld: %s: %s, expected %s\n", i, path->name,
			       err ? strerror(err) : "success", strerror(path->expected));
	if (back)
		ksft_print_msg("cycle %ld: %s: then setns back to the initial namespace failed\n",
			       i, path->name);
	return false;
}

static void print_figures(const char *when, const struct figures *f)
{
	ksft_print_msg("%s: time_namespace objects %ld, SUnreclaim %ld kB, MemFree %ld kB, time namespaces alive %d\n",
		       when, f->slab_objs, f->sunreclaim_kb, f->free_kb, f->nr_ns);
}

static bool slab_leak(const struct figures *b, const struct figures *a, long tolerance)
{
	return b->slab_objs >= 0 && a->slab_objs - b->slab_objs > tolerance;
}

/* After every other test: no time namespace may be alive */
static void count_only(void)
{
	int n = -1;

	ksft_print_header();
	ksft_set_plan(1);
	if (geteuid())
		ksft_exit_skip("needs root\n");
	if (access("/proc/self/ns/time", F_OK))
		ksft_exit_skip("no time namespaces\n");
	/* A task that is still exiting may hold one a little longer */
	for (int try = 0; try < SETTLE_TRIES && n; try++) {
		if (try)
			sleep(1);
		n = count_time_namespaces();
	}
	ksft_print_msg("time namespaces alive: %d%s\n", n, n < 0 ? " (could not count them)" : "");
	ksft_test_result(n == 0, "no_time_namespace_alive\n");
	ksft_finished();
}

int main(int argc, char **argv)
{
	long cycles = DEFAULT_CYCLES, failed = 0, wrong = 0, obj_tolerance;
	struct figures before, after;
	int init_fd, ok_ns, headroom;
	int cpus = sysconf(_SC_NPROCESSORS_ONLN);
	bool all_tried = true;

	if (argc > 1 && !strcmp(argv[1], "--count-only"))
		count_only();
	if (argc > 1)
		cycles = strtol(argv[1], NULL, 10);

	ksft_print_header();
	ksft_set_plan(6);
	if (geteuid())
		ksft_exit_skip("needs root\n");
	init_fd = open("/proc/self/ns/time", O_RDONLY);
	if (init_fd < 0)
		ksft_exit_skip("no time namespaces\n");
	child_err = mmap(NULL, sizeof(*child_err), PROT_READ | PROT_WRITE,
			 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (child_err == MAP_FAILED)
		ksft_exit_fail_perror("mmap");

	/* Warm up the caches, so that their first slabs are not counted */
	live_ns = count_time_namespaces();
	for (long i = 0; i < 100; i++) {
		cycle(init_fd, i);
		error_cycle(init_fd, i);
	}
	measure(&before);
	print_figures("before", &before);
	live_ns = before.nr_ns;
	for (unsigned int p = 0; p < NR_ERROR_PATHS; p++) {
		error_paths[p].tried = 0;
		error_paths[p].wrong = 0;
	}

	for (long i = 0; i < cycles; i++) {
		if (cycle(init_fd, i) && failed++ < 5)
			ksft_print_msg("cycle %ld: %s\n", i, strerror(errno));
		error_cycle(init_fd, i);
	}

	/* Objects a CPU's slabs may keep: two slabs of 64 objects each */
	obj_tolerance = 2 * 64 * (cpus > 0 ? cpus : 1);
	for (int try = 0; try < SETTLE_TRIES; try++) {
		measure(&after);
		if (!slab_leak(&before, &after, obj_tolerance) &&
		    after.sunreclaim_kb - before.sunreclaim_kb <= SLAB_TOLERANCE_KB &&
		    before.free_kb - after.free_kb <= FREE_TOLERANCE_KB(cycles) &&
		    after.nr_ns == before.nr_ns)
			break;
		sleep(1);
	}
	print_figures("after", &after);
	ksft_print_msg("%ld cycles, %ld failed; tolerances: %ld objects, %d kB slab, %ld kB free\n",
		       cycles, failed, obj_tolerance, SLAB_TOLERANCE_KB,
		       FREE_TOLERANCE_KB(cycles));

	ksft_test_result(!failed, "create_enter_exit_cycles\n");
	for (unsigned int p = 0; p < NR_ERROR_PATHS; p++) {
		ksft_print_msg("%s: %ld tried, %ld did not fail with \"%s\"\n", error_paths[p].name,
			       error_paths[p].tried, error_paths[p].wrong,
			       strerror(error_paths[p].expected));
		wrong += error_paths[p].wrong;
		all_tried &= error_paths[p].tried > 0;
	}
	ksft_test_result(!wrong && all_tried, "error_paths_fail_as_documented\n");
	if (before.slab_objs < 0 || after.slab_objs < 0)
		ksft_test_result_code(KSFT_SKIP, "slab_objects_time_namespace", "%s", slab_source);
	else
		ksft_test_result_code(slab_leak(&before, &after, obj_tolerance) ?
				      KSFT_FAIL : KSFT_PASS,
				      "slab_objects_time_namespace", "%s", slab_source);
	ksft_test_result(after.sunreclaim_kb - before.sunreclaim_kb <= SLAB_TOLERANCE_KB,
			 "slab_unreclaimable\n");
	ksft_test_result(before.free_kb - after.free_kb <= FREE_TOLERANCE_KB(cycles),
			 "free_memory\n");

	/* The count is back, and the limit counts exactly it */
	headroom = before.nr_ns >= 0 ? create_until_limit(before.nr_ns + HEADROOM) : -1;
	ok_ns = before.nr_ns >= 0 && after.nr_ns == before.nr_ns && headroom == HEADROOM;
	ksft_print_msg("with max_time_namespaces = %d + %d, %d namespaces could be created\n",
		       before.nr_ns, HEADROOM, headroom);
	ksft_test_result(ok_ns, "namespace_count_back_to_baseline\n");
	ksft_finished();
}
