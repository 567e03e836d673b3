// SPDX-License-Identifier: GPL-2.0
/*
 * What many time namespaces cost: memory, a create-enter-exit cycle, and the
 * vDSO's reads while thousands of namespaces are alive.
 *
 * Populations of sleeping tasks are grown one after the other, each to 10,
 * 1000 and 10000 tasks, and then killed:
 *
 *   warmup   the tasks alone, in the root time namespace, to warm up
 *   tasks    the same again: the reference
 *   zero     each task in a time namespace of its own, its offsets zero, as
 *            container runtimes create them
 *   shifted  each task in a time namespace of its own, with offsets
 *
 * Before the first task and at each size, the program measures:
 *
 *   memory   what the program's memory cgroup was charged since the
 *            population started: the kernel's memory in all, and its slab
 *            objects, kernel stacks, page tables and per-CPU parts
 *   cycle    CYCLES cycles of what a container runtime does for a new
 *            namespace: unshare(CLONE_NEWTIME), write the offsets (shifted
 *            only), fork a child that exits at once, and wait for it; for
 *            "tasks", the fork and the wait alone
 *   read     CLOCK_MONOTONIC through the vDSO, CALLS calls, in a child in a
 *            new namespace of the population's kind (for "tasks", the root)
 *
 * scripts/bench.py subtracts the reference from the others: what remains is
 * the cost of the namespaces. Each result is one line:
 *
 *   bench: {"kind": "cycle", "population": "zero", "live": 1000, ...}
 *
 * The environment sets scale_max (the largest size, 10000), scale_cycles
 * (100) and bench_calls (100000), and bench_reps (5) for cycle and read.
 * The program fails only if it could not measure; it judges no number.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "bench.h"

/* Where a population's tasks are */
enum timens { ROOT_NS, ZERO_NS, SHIFTED_NS };

static const struct population {
	const char *name;
	enum timens timens;
} populations[] = {
	/*
	 * The first population grows, and pays for, what the kernel keeps
	 * once grown (the PID tree, caches, the cgroup's own objects): the
	 * reference is the second.
	 */
	{ "warmup", ROOT_NS },
	{ "tasks", ROOT_NS },
	{ "zero", ZERO_NS },
	{ "shifted", SHIFTED_NS },
};

#define NR_POPULATIONS (sizeof(populations) / sizeof(populations[0]))

static const int sizes[] = { 10, 1000, 10000 };

#define NR_SIZES (sizeof(sizes) / sizeof(sizes[0]))

/* The offsets of "shifted": a day for CLOCK_MONOTONIC, two for BOOTTIME. */
static const char shifted_offsets[] = "monotonic 86400 0\nboottime 172800 0\n";

/*
 * What the memory cgroup of the program and its children is charged, in
 * bytes, from its memory.stat: exact counts of the kernel's memory that
 * they allocated (slab objects by the byte), which nothing else in the
 * system moves.
 */
static const char *const memory_stats[] = {
	"kernel", "slab", "kernel_stack", "pagetables", "percpu", "anon",
};

#define NR_MEMORY_STATS (sizeof(memory_stats) / sizeof(memory_stats[0]))

#define CGROUP "/sys/fs/cgroup"

struct memory {
	long long stat[NR_MEMORY_STATS];
};

static void read_file(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY);
	ssize_t len = 0, n;

	while (fd >= 0 && (size_t)len < size - 1 &&
	       (n = read(fd, buf + len, size - 1 - len)) > 0)
		len += n;
	buf[len] = '\0';
	if (fd >= 0)
		close(fd);
}

static void write_string(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY);

	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		printf("bench: error: writing %s: %s\n", path, strerror(errno));
	if (fd >= 0)
		close(fd);
}

/* Move the program into a memory cgroup of its own: 0, or -1 */
static int cgroup_setup(void)
{
	char pid[16];

	mkdir(CGROUP, 0755);
	if (mount("cgroup2", CGROUP, "cgroup2", 0, NULL) && errno != EBUSY) {
		printf("bench: error: mounting cgroup2: %s\n", strerror(errno));
		return -1;
	}
	write_string(CGROUP "/cgroup.subtree_control", "+memory");
	if (mkdir(CGROUP "/scale", 0755) && errno != EEXIST) {
		printf("bench: error: mkdir " CGROUP "/scale: %s\n", strerror(errno));
		return -1;
	}
	snprintf(pid, sizeof(pid), "%d", getpid());
	write_string(CGROUP "/scale/cgroup.procs", pid);
	return 0;
}

static void memory_read(struct memory *m)
{
	/* memory.stat \n before the first line too, to find every key alike */
	static char text[8192] = "\n";
	unsigned int i;

	/*
	 * The kernel folds the per-CPU counts into memory.stat every two
	 * seconds, and frees the objects of killed tasks after an RCU grace
	 * period: wait for both.
	 */
	sleep(3);
	read_file(CGROUP "/scale/memory.stat", text + 1, sizeof(text) - 1);
	for (i = 0; i < NR_MEMORY_STATS; i++) {
		char key[32];
		const char *line;

		snprintf(key, sizeof(key), "\n%s ", memory_stats[i]);
		line = strstr(text, key);
		m->stat[i] = line ? atoll(line + strlen(key)) : -1;
	}
}

/* Make the namespace for children of the next fork(): 0 or -1 */
static int new_timens(enum timens timens)
{
	if (timens == ROOT_NS)
		return 0;
	if (unshare(CLONE_NEWTIME)) {
		printf("bench: error: unshare(CLONE_NEWTIME): %s\n", strerror(errno));
		return -1;
	}
	if (timens == SHIFTED_NS) {
		int fd = open("/proc/self/timens_offsets", O_WRONLY);
		ssize_t len = strlen(shifted_offsets);

		if (fd < 0 || write(fd, shifted_offsets, len) != len) {
			printf("bench: error: setting the offsets: %s\n", strerror(errno));
			return -1;
		}
		close(fd);
	}
	return 0;
}

static pid_t spawn_sleeper(enum timens timens)
{
	pid_t pid;

	if (new_timens(timens))
		return -1;
	pid = fork();
	if (pid == 0) {
		for (;;)
			pause();
	}
	if (pid < 0)
		printf("bench: error: fork: %s\n", strerror(errno));
	return pid;
}

/* Wait for @pid, which must exit with 0: 0, or -1 */
static int reap(pid_t pid)
{
	int status;

	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status)) {
		printf("bench: error: child %d failed\n", pid);
		return -1;
	}
	return 0;
}

static long long now_ns(void)
{
	struct timespec ts;

	vdso_gettime(CLOCK_MONOTONIC_RAW, &ts);
	return nsec(&ts);
}

/* Guest nanoseconds (instructions) that @n create-enter-exit cycles take */
static long long measure_cycles(enum timens timens, int n)
{
	long long start = now_ns();
	int i;

	for (i = 0; i < n; i++) {
		pid_t pid;

		if (new_timens(timens))
			return -1;
		pid = fork();
		if (pid == 0)
			_exit(0);
		if (pid < 0 || reap(pid))
			return -1;
	}
	return now_ns() - start;
}

/* Time @calls vDSO reads of CLOCK_MONOTONIC in a new namespace like @pop's */
static int measure_reads(const struct population *pop, int live, int rep, long calls)
{
	pid_t pid;

	if (new_timens(pop->timens))
		return -1;
	pid = fork();
	if (pid == 0) {
		long long ns = measure(vdso_gettime, CLOCK_MONOTONIC, calls);

		printf("bench: {\"kind\": \"read\", \"population\": \"%s\", \"live\": %d, \"rep\": %d, \"calls\": %ld, \"ns\": %lld}\n",
		       pop->name, live, rep, calls, ns);
		_exit(0);
	}
	return pid < 0 ? -1 : reap(pid);
}

static int measure_size(const struct population *pop, int live, const struct memory *start)
{
	int cycles = env("scale_cycles", 100), reps = env("bench_reps", 5);
	long calls = env("bench_calls", 100000);
	struct memory m;
	unsigned int i;
	int rep;

	memory_read(&m);
	printf("bench: {\"kind\": \"memory\", \"population\": \"%s\", \"live\": %d",
	       pop->name, live);
	for (i = 0; i < NR_MEMORY_STATS; i++)
		printf(", \"%s\": %lld", memory_stats[i], m.stat[i] - start->stat[i]);
	printf("}\n");
	for (rep = 0; rep < reps; rep++) {
		long long ns = measure_cycles(pop->timens, cycles);

		if (ns < 0 || measure_reads(pop, live, rep, calls))
			return -1;
		printf("bench: {\"kind\": \"cycle\", \"population\": \"%s\", \"live\": %d, \"rep\": %d, \"cycles\": %d, \"ns\": %lld}\n",
		       pop->name, live, rep, cycles, ns);
	}
	return 0;
}

/* Grow a population of *@live tasks to @size: 0, or -1 */
static int grow(enum timens timens, pid_t *pids, int *live, int size)
{
	for (; *live < size; (*live)++) {
		pids[*live] = spawn_sleeper(timens);
		if (pids[*live] < 0)
			return -1;
	}
	return 0;
}

static void kill_all(pid_t *pids, int live)
{
	while (live--) {
		kill(pids[live], SIGKILL);
		waitpid(pids[live], NULL, 0);
	}
}

/* Grow the population @pop through every size, measure, and kill it. */
static int run_population(const struct population *pop, pid_t *pids, int max)
{
	struct memory start;
	int live = 0, ret;
	unsigned int s;

	memory_read(&start);
	ret = measure_size(pop, 0, &start);
	for (s = 0; !ret && s < NR_SIZES && sizes[s] <= max; s++) {
		ret = grow(pop->timens, pids, &live, sizes[s]);
		if (!ret)
			ret = measure_size(pop, live, &start);
	}
	kill_all(pids, live);
	return ret;
}

int main(void)
{
	int max = env("scale_max", sizes[NR_SIZES - 1]);
	unsigned int pop;
	cpu_set_t cpu0;
	pid_t *pids;

	if (bench_setup() || cgroup_setup())
		return 1;
	/*
	 * One CPU for the program and its children: the memory cgroup batches
	 * its counts per CPU, up to a page, and the other CPU's instructions
	 * would count in the cycles' time.
	 */
	CPU_ZERO(&cpu0);
	CPU_SET(0, &cpu0);
	if (sched_setaffinity(0, sizeof(cpu0), &cpu0))
		printf("bench: error: sched_setaffinity: %s\n", strerror(errno));
	/* Room for the largest population, and the cycles beside it */
	write_string("/proc/sys/kernel/threads-max", "100000");
	write_string("/proc/sys/kernel/pid_max", "100000");
	write_string("/proc/sys/user/max_time_namespaces", "100000");
	pids = calloc(max, sizeof(*pids));
	if (!pids)
		return 1;
	for (pop = 0; pop < NR_POPULATIONS; pop++) {
		if (run_population(&populations[pop], pids, max))
			return 1;
	}
	printf("bench: done\n");
	return 0;
}
