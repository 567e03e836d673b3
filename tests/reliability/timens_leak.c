// SPDX-License-Identifier: GPL-2.0
/*
 * Time namespaces must not leak: run many create/enter/exit cycles and
 * compare, before and after, the objects of the namespace's slab cache, the
 * unreclaimable slab memory, the free memory and the count of namespaces that
 * max_time_namespaces limits.
 *
 * usage: timens_leak [CYCLES]
 *
 * A cycle is unshare(CLONE_NEWTIME), a write of the offsets, entering the
 * namespace (setns, which maps its vDSO page; or, one cycle in ten, a child
 * that is born in it and exits there) and leaving it again.
 *
 * The slab cache is read from /proc/slabinfo or /sys/kernel/slab, which need
 * CONFIG_SLUB_DEBUG; boot with slab_nomerge, or the cache may be merged with
 * others of its size and the count includes theirs.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kselftest.h"
#include "reliability.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME	0x00000080
#endif

#define DEFAULT_CYCLES		10000
#define MAX_NS_PATH		"/proc/sys/user/max_time_namespaces"
/* The limit set while counting the namespaces alive */
#define PROBE_LIMIT		64
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
 * In a child, with max_time_namespaces at @limit, create namespaces and keep
 * them alive until creation fails: return how many were created, or -1.
 */
static int create_until_limit(int limit)
{
	int status, orig = read_int(MAX_NS_PATH);
	pid_t pid;

	if (orig < 0 || write_int(MAX_NS_PATH, limit))
		return -1;
	pid = fork();
	if (pid == 0) {
		int n = 0;

		while (n < limit + 1 && !unshare(CLONE_NEWTIME)) {
			if (open("/proc/self/ns/time_for_children", O_RDONLY) < 0)
				_exit(255);
			n++;
		}
		_exit(errno == ENOSPC ? n : 255);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		status = 255 << 8;
	write_int(MAX_NS_PATH, orig);
	return WEXITSTATUS(status) == 255 ? -1 : WEXITSTATUS(status);
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
	f->nr_ns = create_until_limit(PROBE_LIMIT);
	if (f->nr_ns >= 0)
		f->nr_ns = PROBE_LIMIT - f->nr_ns;
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

static void print_figures(const char *when, const struct figures *f)
{
	ksft_print_msg("%s: time_namespace objects %ld, SUnreclaim %ld kB, MemFree %ld kB, time namespaces alive %d\n",
		       when, f->slab_objs, f->sunreclaim_kb, f->free_kb, f->nr_ns);
}

static bool slab_leak(const struct figures *b, const struct figures *a, long tolerance)
{
	return b->slab_objs >= 0 && a->slab_objs - b->slab_objs > tolerance;
}

int main(int argc, char **argv)
{
	long cycles = DEFAULT_CYCLES, failed = 0, obj_tolerance;
	struct figures before, after;
	int init_fd, ok_ns, headroom;
	int cpus = sysconf(_SC_NPROCESSORS_ONLN);

	if (argc > 1)
		cycles = strtol(argv[1], NULL, 10);

	ksft_print_header();
	ksft_set_plan(5);
	if (geteuid())
		ksft_exit_skip("needs root\n");
	init_fd = open("/proc/self/ns/time", O_RDONLY);
	if (init_fd < 0)
		ksft_exit_skip("no time namespaces\n");

	/* Warm up the caches, so that their first slabs are not counted */
	for (long i = 0; i < 100; i++)
		cycle(init_fd, i);
	measure(&before);
	print_figures("before", &before);

	for (long i = 0; i < cycles; i++) {
		if (cycle(init_fd, i) && failed++ < 5)
			ksft_print_msg("cycle %ld: %s\n", i, strerror(errno));
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
