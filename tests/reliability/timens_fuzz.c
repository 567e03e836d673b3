// SPDX-License-Identifier: GPL-2.0
/*
 * A seeded, repeatable fuzzer of /proc/self/timens_offsets.
 *
 * usage: timens_fuzz [WRITES [SEED]]
 *
 * After unshare(CLONE_NEWTIME) the caller's namespace for children is new and
 * nobody has entered it, so its offsets may be written. Each write is random
 * bytes or mutated valid lines, by write() or by pwrite() at a nonzero offset.
 * The outcome of each write is computed here from the documented contract:
 * success, after which the file shows what was written, or EINVAL or ERANGE,
 * after which the file is unchanged. Any other outcome prints the seed, the
 * index of the write and its bytes, and fails.
 *
 * Whether an offset close to the range limits is accepted depends on the
 * clocks' values at the moment of the write (the monotonic offset is checked
 * against MONOTONIC, MONOTONIC_RAW and MONOTONIC_COARSE): the clocks are read
 * before and after it, and when the two readings disagree either outcome is
 * accepted.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/capability.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kselftest.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME	0x00000080
#endif

#define NSEC_PER_SEC		1000000000LL
#define KTIME_SEC_MAX		(LLONG_MAX / NSEC_PER_SEC)
/* The highest value a clock may start at inside a time namespace */
#define CLOCK_MAX_SEC		(KTIME_SEC_MAX / 2)
#define DEFAULT_WRITES		10000
#define MAX_WRITE		(2 * 4096 + 64)
#define MAX_REPORTED_FAILURES	5

struct offset {
	long long sec;
	long long nsec;
};

/* The two offsets, in the file's order */
enum { MONO, BOOT, NR_CLOCKS };

/*
 * The host clocks that the offsets shift: the monotonic offset shifts
 * MONOTONIC_RAW and MONOTONIC_COARSE too, and each must stay in range.
 */
enum { HOST_MONO, HOST_RAW, HOST_COARSE, HOST_BOOT, NR_HOST_CLOCKS };

static const struct {
	clockid_t id;
	int offset;
} host_clocks[NR_HOST_CLOCKS] = {
	[HOST_MONO]	= { CLOCK_MONOTONIC, MONO },
	[HOST_RAW]	= { CLOCK_MONOTONIC_RAW, MONO },
	[HOST_COARSE]	= { CLOCK_MONOTONIC_COARSE, MONO },
	[HOST_BOOT]	= { CLOCK_BOOTTIME, BOOT },
};

struct offsets {
	struct offset clock[NR_CLOCKS];
};

static unsigned long long rng_state;
static long page_size;

/* xorshift64*: enough for fuzzing, and the same sequence for the same seed */
static unsigned long long rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dULL;
}

static unsigned long long rnd_below(unsigned long long n)
{
	return n ? rnd() % n : 0;
}

static bool chance(unsigned int percent)
{
	return rnd_below(100) < percent;
}

/* kstrtoull(s, 10, ...) */
static int parse_u64(const char *s, unsigned long long *res)
{
	unsigned long long v = 0;
	bool overflow = false;
	int digits = 0;

	if (*s == '+')
		s++;
	for (; *s >= '0' && *s <= '9'; s++, digits++) {
		unsigned int d = *s - '0';

		if (v > (ULLONG_MAX - d) / 10)
			overflow = true;
		v = v * 10 + d;
	}
	if (overflow)
		return -ERANGE;
	if (!digits)
		return -EINVAL;
	if (*s == '\n')
		s++;
	if (*s)
		return -EINVAL;
	*res = v;
	return 0;
}

/* kstrtoll(s, 10, ...): a '-' is taken once, and '+' only without it */
static int parse_s64(const char *s, long long *res)
{
	unsigned long long v;
	int err;

	if (*s == '-') {
		/* The digits after '-' take no second sign */
		if (s[1] == '+')
			return -EINVAL;
		err = parse_u64(s + 1, &v);
		if (err)
			return err;
		if (v > (unsigned long long)LLONG_MAX + 1)
			return -ERANGE;
		*res = (long long)(0 - v);
		return 0;
	}
	err = parse_u64(s, &v);
	if (err)
		return err;
	if (v > LLONG_MAX)
		return -ERANGE;
	*res = v;
	return 0;
}

static int parse_line(char *line, struct offsets *o)
{
	char *field[4];
	int n = 0, idx;
	char *tok;
	unsigned long long nsec;
	long long sec;
	int err;

	while ((tok = strsep(&line, " \t"))) {
		if (!*tok)
			continue;
		if (n == 4)
			break;
		field[n++] = tok;
	}
	if (n != 3)
		return -EINVAL;

	if (!strcmp(field[0], "monotonic") || !strcmp(field[0], "1"))
		idx = MONO;
	else if (!strcmp(field[0], "boottime") || !strcmp(field[0], "7"))
		idx = BOOT;
	else
		return -EINVAL;

	err = parse_s64(field[1], &sec);
	if (err)
		return err;
	if (parse_u64(field[2], &nsec) || nsec >= NSEC_PER_SEC)
		return -EINVAL;

	o->clock[idx].sec = sec;
	o->clock[idx].nsec = nsec;
	return 0;
}

/* What the file parser makes of a write: 0 with @o updated, or an errno. */
static int model_parse(const char *buf, size_t len, struct offsets *o)
{
	struct offsets parsed = *o;
	char text[MAX_WRITE + 1], *s = text, *line;
	int err;

	if (len >= (size_t)page_size || memchr(buf, '\0', len))
		return -EINVAL;
	memcpy(text, buf, len);
	text[len] = '\0';
	if (len && text[len - 1] == '\n')
		text[len - 1] = '\0';

	while ((line = strsep(&s, "\n"))) {
		err = parse_line(line, &parsed);
		if (err)
			return err;
	}
	*o = parsed;
	return 0;
}

static bool offset_in_range(const struct timespec *now, const struct offset *off)
{
	long long sec, nsec;

	if (off->sec < -KTIME_SEC_MAX || off->sec > KTIME_SEC_MAX)
		return false;
	sec = now->tv_sec + off->sec;
	nsec = now->tv_nsec + off->nsec;
	if (nsec >= NSEC_PER_SEC)
		sec++;
	return sec >= 0 && sec <= CLOCK_MAX_SEC;
}

static bool offsets_in_range(const struct timespec now[NR_HOST_CLOCKS],
			     const struct offsets *o)
{
	for (int i = 0; i < NR_HOST_CLOCKS; i++)
		if (!offset_in_range(&now[i], &o->clock[host_clocks[i].offset]))
			return false;
	return true;
}

static void read_host_clocks(struct timespec now[NR_HOST_CLOCKS])
{
	for (int i = 0; i < NR_HOST_CLOCKS; i++)
		clock_gettime(host_clocks[i].id, &now[i]);
}

/* Read the file; check its exact format and return the offsets it shows. */
static int read_offsets(struct offsets *o, char *text, size_t size)
{
	char expect[128];
	ssize_t len;
	int fd;

	fd = open("/proc/self/timens_offsets", O_RDONLY);
	if (fd < 0)
		return -1;
	len = read(fd, text, size - 1);
	close(fd);
	if (len < 0)
		return -1;
	text[len] = '\0';
	if (sscanf(text, "monotonic %lld %lld boottime %lld %lld",
		   &o->clock[MONO].sec, &o->clock[MONO].nsec,
		   &o->clock[BOOT].sec, &o->clock[BOOT].nsec) != 4)
		return -1;
	snprintf(expect, sizeof(expect), "%-10s %10lld %9lld\n%-10s %10lld %9lld\n",
		 "monotonic", o->clock[MONO].sec, o->clock[MONO].nsec,
		 "boottime", o->clock[BOOT].sec, o->clock[BOOT].nsec);
	return strcmp(text, expect) ? -1 : 0;
}

static bool offsets_equal(const struct offsets *a, const struct offsets *b)
{
	return !memcmp(a, b, sizeof(*a));
}

/* The write buffer, built up piece by piece */
struct wbuf {
	char b[MAX_WRITE];
	size_t len;
};

static void put(struct wbuf *w, const char *s, size_t n)
{
	if (n > sizeof(w->b) - w->len)
		n = sizeof(w->b) - w->len;
	memcpy(w->b + w->len, s, n);
	w->len += n;
}

static void puts_(struct wbuf *w, const char *s)
{
	put(w, s, strlen(s));
}

static void put_blanks(struct wbuf *w, bool allow_none)
{
	int n = allow_none && chance(5) ? 0 : 1 + (chance(20) ? rnd_below(5) : 0);

	while (n--)
		put(w, chance(75) ? " " : "\t", 1);
}

static const char * const clock_names[] = {
	"monotonic", "boottime", "1", "7",
	/* invalid ones */
	"0", "2", "realtime", "MONOTONIC", "monotonicx", "boot", "01", "+1", "-1",
	"4", "8", "11", "tai", "monotonic\r",
};

static void put_clock(struct wbuf *w)
{
	unsigned int n = chance(85) ? 4 : ARRAY_SIZE(clock_names);

	puts_(w, clock_names[rnd_below(n)]);
}

static const char * const big_numbers[] = {
	"9223372036", "9223372037", "4611686018", "4611686019", "4611686017",
	"9223372036854775807", "9223372036854775808", "9223372036854775809",
	"18446744073709551615", "18446744073709551616",
	"99999999999999999999999999", "0", "00000000000000000000000001",
};

static void put_sign(struct wbuf *w)
{
	static const char * const signs[] = { "", "", "", "-", "-", "+", "--", "+-", "-+", "++" };

	puts_(w, signs[rnd_below(chance(90) ? 6 : 10)]);
}

static void put_zeros(struct wbuf *w)
{
	int n = chance(10) ? 1 + rnd_below(25) : 0;

	while (n--)
		put(w, "0", 1);
}

static void put_sec(struct wbuf *w, const struct timespec *now)
{
	char num[32];

	put_sign(w);
	put_zeros(w);
	switch (rnd_below(6)) {
	case 0:
		puts_(w, big_numbers[rnd_below(ARRAY_SIZE(big_numbers))]);
		return;
	case 1:
		/* around the point where the clock would start below zero */
		snprintf(num, sizeof(num), "%lld",
			 (long long)now->tv_sec + 2 - (long long)rnd_below(5));
		break;
	case 2:
		/* around the highest start */
		snprintf(num, sizeof(num), "%lld", CLOCK_MAX_SEC - (long long)now->tv_sec - 2 +
			 (long long)rnd_below(5));
		break;
	default:
		snprintf(num, sizeof(num), "%llu",
			 (unsigned long long)rnd_below(chance(50) ? 100 : 1000000000ULL));
		break;
	}
	puts_(w, num);
}

static void put_nsec(struct wbuf *w)
{
	static const char * const odd[] = {
		"999999999", "1000000000", "-0", "-1", "4294967296", "18446744073709551616",
		"1e3", "0x10", " ",
	};
	char num[16];

	if (chance(10)) {
		puts_(w, odd[rnd_below(ARRAY_SIZE(odd))]);
		return;
	}
	if (chance(5))
		put(w, "+", 1);
	put_zeros(w);
	snprintf(num, sizeof(num), "%llu", (unsigned long long)rnd_below(NSEC_PER_SEC));
	puts_(w, num);
}

static void put_garbage(struct wbuf *w, size_t n)
{
	static const char alphabet[] = " \t\n-+0123456789monotbe\r\v";

	while (n--) {
		char c = chance(70) ? alphabet[rnd_below(sizeof(alphabet) - 1)] : (char)rnd();

		put(w, &c, 1);
	}
}

static void put_line(struct wbuf *w, const struct timespec now[NR_HOST_CLOCKS])
{
	int fields = 3;

	if (chance(5))
		fields = rnd_below(6);
	if (chance(5))
		put_blanks(w, false);
	if (fields > 0)
		put_clock(w);
	if (fields > 1) {
		put_blanks(w, true);
		put_sec(w, &now[rnd_below(NR_HOST_CLOCKS)]);
	}
	if (fields > 2) {
		put_blanks(w, true);
		put_nsec(w);
	}
	for (int i = 3; i < fields; i++) {
		put_blanks(w, false);
		put_garbage(w, 1 + rnd_below(4));
	}
	if (chance(5))
		put_blanks(w, false);
}

static void make_write(struct wbuf *w, const struct timespec now[NR_HOST_CLOCKS])
{
	unsigned int kind = rnd_below(100);
	int lines;

	w->len = 0;
	if (kind < 15) {
		/* random bytes */
		put_garbage(w, rnd_below(64));
		return;
	}
	if (kind < 17) {
		/* valid lines up to the page size and beyond */
		size_t target = page_size - 40 + rnd_below(80);

		while (w->len < target)
			puts_(w, chance(50) ? "monotonic 1 0\n" : "boottime\t+2 000000003\n");
		w->len = target;
		return;
	}

	lines = chance(70) ? 1 : 1 + rnd_below(4);
	for (int i = 0; i < lines; i++) {
		if (i)
			puts_(w, chance(95) ? "\n" : "\r\n");
		put_line(w, now);
	}
	if (chance(50))
		put(w, "\n", 1);
	if (chance(3))
		put(w, "\n", 1);
	if (chance(5))
		put(w, "", 1);
	if (chance(8) && w->len)
		w->len = rnd_below(w->len);
	if (chance(3) && w->len)
		w->b[rnd_below(w->len)] ^= 1 << rnd_below(8);
}

static void dump_write(unsigned long long seed, unsigned long idx, const struct wbuf *w,
		       long ret, int err, int expect, off_t pos)
{
	ksft_print_msg("MISMATCH seed=%llu write=%lu pos=%lld len=%zu: ret=%ld errno=%d (%s), expected %d\n",
		       seed, idx, (long long)pos, w->len, ret, ret < 0 ? err : 0,
		       ret < 0 ? strerror(err) : "success", expect);
	ksft_print_msg("bytes:");
	for (size_t i = 0; i < w->len && i < 256; i++)
		printf("%s%02x", i % 32 ? " " : "\n# ", (unsigned char)w->b[i]);
	printf("%s\n", w->len > 256 ? " ..." : "");
}

static int fuzz(unsigned long writes, unsigned long long seed, unsigned long counts[])
{
	struct timespec before[NR_HOST_CLOCKS], after[NR_HOST_CLOCKS];
	struct offsets cur, expect, shown;
	unsigned int failures = 0;
	char text[256];
	struct wbuf w;
	int fd;

	fd = open("/proc/self/timens_offsets", O_WRONLY);
	if (fd < 0 || read_offsets(&cur, text, sizeof(text))) {
		ksft_print_msg("cannot open or read /proc/self/timens_offsets: %s\n",
			       strerror(errno));
		return -1;
	}

	for (unsigned long i = 0; i < writes; i++) {
		bool lo_ok, hi_ok, ambiguous = false, by_pwrite;
		int want, err = 0;
		off_t pos = 0;
		ssize_t ret;

		read_host_clocks(before);
		make_write(&w, before);
		if (chance(20))
			pos = 1 + rnd_below(100);
		by_pwrite = chance(3);
		if (!by_pwrite && lseek(fd, pos, SEEK_SET) != pos) {
			ksft_print_msg("lseek to %lld: %s\n", (long long)pos, strerror(errno));
			return -1;
		}

		expect = cur;
		want = model_parse(w.b, w.len, &expect);

		read_host_clocks(before);
		ret = by_pwrite ? pwrite(fd, w.b, w.len, pos) : write(fd, w.b, w.len);
		if (ret < 0)
			err = errno;
		read_host_clocks(after);

		if (by_pwrite) {
			/* seq_open() takes FMODE_PWRITE away */
			expect = cur;
			want = -ESPIPE;
		} else if (!want) {
			lo_ok = offsets_in_range(before, &expect);
			hi_ok = offsets_in_range(after, &expect);
			if (lo_ok != hi_ok)
				ambiguous = true;
			else if (!lo_ok)
				want = -ERANGE;
		}

		if (read_offsets(&shown, text, sizeof(text))) {
			ksft_print_msg("write=%lu: the file reads wrong: \"%s\"\n", i, text);
			dump_write(seed, i, &w, ret, err, want, pos);
			return -1;
		}

		if (ret == (ssize_t)w.len && (!want || ambiguous) &&
		    offsets_equal(&shown, &expect)) {
			counts[0]++;
			cur = shown;
			continue;
		}
		if (ret < 0 && (err == -want || (ambiguous && err == ERANGE)) &&
		    offsets_equal(&shown, &cur)) {
			counts[err == EINVAL ? 1 : err == ERANGE ? 2 : 3]++;
			continue;
		}

		dump_write(seed, i, &w, ret, err, want, pos);
		ksft_print_msg("shown: %lld.%09lld %lld.%09lld, model: %lld.%09lld %lld.%09lld\n",
			       shown.clock[MONO].sec, shown.clock[MONO].nsec,
			       shown.clock[BOOT].sec, shown.clock[BOOT].nsec,
			       expect.clock[MONO].sec, expect.clock[MONO].nsec,
			       expect.clock[BOOT].sec, expect.clock[BOOT].nsec);
		cur = shown;
		if (++failures >= MAX_REPORTED_FAILURES)
			break;
	}
	close(fd);
	return failures ? -1 : 0;
}

/* The error of a write of @text to @path; 0 on success. */
static int write_error(const char *path, const char *text)
{
	int fd, err = 0;

	fd = open(path, O_WRONLY);
	if (fd < 0)
		return -1;
	if (write(fd, text, strlen(text)) < 0)
		err = errno;
	close(fd);
	return err;
}

static int drop_cap_sys_time(void)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2];

	if (syscall(SYS_capget, &hdr, data))
		return -1;
	data[CAP_SYS_TIME / 32].effective &= ~(1U << (CAP_SYS_TIME % 32));
	return syscall(SYS_capset, &hdr, data);
}

/*
 * EPERM comes before EACCES, which comes before EINVAL, which comes before
 * ERANGE: check the order with a write that has all the later errors.
 */
static void check_error_order(void)
{
	static const char * const bad[] = {
		"monotonic 1 0",		/* valid */
		"monotonic x 0",		/* EINVAL */
		"monotonic -99999999999 0",	/* ERANGE */
	};
	int pid, status, wrong = 0;

	for (int i = 0; i < 3; i++) {
		int err = write_error("/proc/1/timens_offsets", bad[i]);

		if (err != EACCES) {
			ksft_print_msg("\"%s\" to the root namespace: %s, expected EACCES\n",
				       bad[i], strerror(err));
			wrong++;
		}
	}
	if (write_error("/proc/self/timens_offsets", "monotonic -99999999999 0") != ERANGE) {
		ksft_print_msg("out of range offset: expected ERANGE\n");
		wrong++;
	}

	pid = fork();
	if (pid == 0) {
		int child_wrong = 0;

		if (drop_cap_sys_time())
			_exit(2);
		for (int i = 0; i < 3; i++) {
			int err = write_error("/proc/1/timens_offsets", bad[i]);
			int err2 = write_error("/proc/self/timens_offsets", bad[i]);

			if (err != EPERM || err2 != EPERM) {
				ksft_print_msg("\"%s\" without CAP_SYS_TIME: %s and %s, expected EPERM\n",
					       bad[i], strerror(err), strerror(err2));
				child_wrong++;
			}
		}
		_exit(child_wrong ? 1 : 0);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status))
		wrong++;
	ksft_test_result(!wrong, "error_order_eperm_eacces_einval_erange\n");
}

int main(int argc, char **argv)
{
	unsigned long writes = DEFAULT_WRITES;
	unsigned long counts[4] = { 0 };
	struct timespec ts;
	unsigned long long seed;

	page_size = sysconf(_SC_PAGESIZE);
	clock_gettime(CLOCK_REALTIME, &ts);
	seed = ts.tv_sec * NSEC_PER_SEC + ts.tv_nsec;
	if (argc > 1)
		writes = strtoul(argv[1], NULL, 0);
	if (argc > 2)
		seed = strtoull(argv[2], NULL, 0);
	rng_state = seed ? seed : 1;

	ksft_print_header();
	ksft_print_msg("seed %llu (rerun: %s %lu %llu)\n",
		       seed, argv[0], writes, seed);
	ksft_set_plan(2);

	if (geteuid())
		ksft_exit_skip("needs root\n");
	if (unshare(CLONE_NEWTIME))
		ksft_exit_skip("unshare(CLONE_NEWTIME): %s\n", strerror(errno));

	ksft_test_result(!fuzz(writes, seed, counts), "fuzz_timens_offsets_writes\n");
	ksft_print_msg("seed %llu: %lu writes: %lu accepted, %lu EINVAL, %lu ERANGE, %lu pwrite ESPIPE\n",
		       seed, writes, counts[0], counts[1], counts[2], counts[3]);
	check_error_order();
	ksft_finished();
}
