// SPDX-License-Identifier: GPL-2.0
/*
 * A seeded, repeatable fuzzer of /proc/self/timens_offsets, and checks of the
 * file's errors.
 *
 * usage: timens_fuzz [WRITES [SEED]]
 *
 * After unshare(CLONE_NEWTIME) the caller's namespace for children is new and
 * nobody has entered it, so its offsets may be written. Each write is random
 * bytes or mutated valid lines, by write() at any file position or by pwrite().
 * The outcome of each write is computed from the grammar of a write in the
 * documentation, by a recognizer written from its productions: success, after
 * which the file shows what was written, or the documented error, after which
 * the file is unchanged. Any other outcome prints the seed, the index of the
 * write and its bytes, and fails.
 *
 * Whether an offset close to the range limits is accepted depends on the
 * clocks' values at the moment of the write (the monotonic offset is checked
 * against MONOTONIC, MONOTONIC_RAW and MONOTONIC_COARSE): the clocks are read
 * before and after it, and when the two readings disagree either outcome is
 * accepted.
 *
 * Before that, through the files of children that unshared: writes to
 * another task's file, to a namespace a task entered (EACCES), through a file
 * opened without CAP_SYS_TIME (EPERM), from concurrent writers (each write
 * applies as a whole), and the documented order of the errors.
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

/*
 * The oracle: the grammar of a write in the documentation of
 * /proc/PID/timens_offsets (admin-guide/namespaces/time-namespace.rst),
 * recognized by descent, each production quoted beside the code that matches
 * it, and the errors the documentation gives for text that does not match.
 */

/* A line being matched: the text between newlines */
struct cursor {
	const char *p, *end;
};

/* What a field turned out to be */
enum field { FIELD_OK, FIELD_MALFORMED, FIELD_OUT_OF_RANGE };

/* blank = SP / HTAB */
static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* *blank (@min 0) or 1*blank (@min 1) */
static bool match_blanks(struct cursor *c, int min)
{
	const char *start = c->p;

	while (c->p < c->end && is_blank(*c->p))
		c->p++;
	return c->p - start >= min;
}

/* clock = "monotonic" / "boottime" / "1" / "7": the offset it names, or -1 */
static int match_clock(struct cursor *c)
{
	static const struct {
		const char *name;
		int offset;
	} clocks[] = {
		{ "monotonic", MONO }, { "boottime", BOOT }, { "1", MONO }, { "7", BOOT },
	};

	for (size_t i = 0; i < ARRAY_SIZE(clocks); i++) {
		size_t n = strlen(clocks[i].name);

		if ((size_t)(c->end - c->p) >= n && !memcmp(c->p, clocks[i].name, n)) {
			c->p += n;
			return clocks[i].offset;
		}
	}
	return -1;
}

/* 1*DIGIT, with its value in @v; FIELD_OUT_OF_RANGE if it exceeds @max */
static enum field match_digits(struct cursor *c, unsigned long long max,
			       unsigned long long *v)
{
	const char *start = c->p;
	bool big = false;

	*v = 0;
	for (; c->p < c->end && *c->p >= '0' && *c->p <= '9'; c->p++) {
		unsigned int d = *c->p - '0';

		if (big || *v > (max - d) / 10)
			big = true;
		else
			*v = *v * 10 + d;
	}
	if (c->p == start)
		return FIELD_MALFORMED;
	return big ? FIELD_OUT_OF_RANGE : FIELD_OK;
}

/* sec = ["+" / "-"] 1*DIGIT   ; from -2^63 to 2^63 - 1 */
static enum field match_sec(struct cursor *c, long long *sec)
{
	unsigned long long v;
	bool minus = false;
	enum field f;

	if (c->p < c->end && (*c->p == '+' || *c->p == '-'))
		minus = *c->p++ == '-';
	f = match_digits(c, minus ? (unsigned long long)LLONG_MAX + 1 : LLONG_MAX, &v);
	*sec = minus ? (long long)-v : (long long)v;
	return f;
}

/* nsec = ["+"] 1*DIGIT         ; from 0 to 999999999 */
static enum field match_nsec(struct cursor *c, long long *nsec)
{
	unsigned long long v;
	enum field f;

	if (c->p < c->end && *c->p == '+')
		c->p++;
	f = match_digits(c, NSEC_PER_SEC - 1, &v);
	*nsec = v;
	return f;
}

/* The fields of a line: the runs of characters other than blanks */
static int count_fields(struct cursor c)
{
	int n = 0;

	while (match_blanks(&c, 0), c.p < c.end) {
		n++;
		while (c.p < c.end && !is_blank(*c.p))
			c.p++;
	}
	return n;
}

/*
 * line = *blank clock 1*blank sec 1*blank nsec *blank
 *
 * "EINVAL if it has more or fewer than three fields (runs of characters other
 * than blanks), else the first of its fields, from the left, that does not
 * match: ERANGE if it is a sec beyond its range, EINVAL otherwise (an nsec
 * beyond its range included)". A field that starts with a sec beyond its
 * range and goes on with other characters does not match: EINVAL.
 */
static int match_line(struct cursor *c, struct offsets *o)
{
	long long sec, nsec;
	enum field f;
	int clock;

	if (count_fields(*c) != 3)
		return -EINVAL;
	match_blanks(c, 0);
	clock = match_clock(c);
	if (clock < 0 || !match_blanks(c, 1))
		return -EINVAL;
	f = match_sec(c, &sec);
	if (f == FIELD_MALFORMED || !match_blanks(c, 1))
		return -EINVAL;
	if (f == FIELD_OUT_OF_RANGE)
		return -ERANGE;
	if (match_nsec(c, &nsec) != FIELD_OK)
		return -EINVAL;
	match_blanks(c, 0);
	if (c->p != c->end)
		return -EINVAL;
	o->clock[clock].sec = sec;
	o->clock[clock].nsec = nsec;
	return 0;
}

/*
 * write  = line *(LF line) [LF]
 *
 * What a write() of @len bytes does to the offsets @o, short of the range
 * check: 0 with @o updated, or the error.
 * "EINVAL if it is PAGE_SIZE bytes long or more, or holds a NUL"; then "the
 * lines, the text between newlines without the optional last one, are checked
 * in order, and the first that does not match line decides".
 */
static int model_write(const char *buf, size_t len, struct offsets *o)
{
	const char *end = buf + len, *lf;
	struct offsets parsed = *o;
	struct cursor line;
	int err;

	if (len >= (size_t)page_size || memchr(buf, '\0', len))
		return -EINVAL;
	if (len && end[-1] == '\n')
		end--;
	for (line.p = buf;; line.p = lf + 1) {
		lf = memchr(line.p, '\n', end - line.p);
		line.end = lf ? lf : end;
		err = match_line(&line, &parsed);
		if (err)
			return err;
		if (!lf)
			break;
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

#define SELF_OFFSETS	"/proc/self/timens_offsets"

/* Read the file @path; check its exact format and return the offsets it shows. */
static int read_offsets(const char *path, struct offsets *o, char *text, size_t size)
{
	char expect[128];
	ssize_t len;
	int fd;

	fd = open(path, O_RDONLY);
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
	switch (rnd_below(7)) {
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
	case 3:
		/* with a sign: "-0" and "+0" */
		puts_(w, "0");
		return;
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
	if (chance(10))
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
	if (chance(10))
		put_blanks(w, false);
	if (chance(3))
		put(w, "\r", 1);
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
			puts_(w, chance(90) ? "\n" : chance(50) ? "\r\n" : "\n\n");
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

	fd = open(SELF_OFFSETS, O_WRONLY);
	if (fd < 0 || read_offsets(SELF_OFFSETS, &cur, text, sizeof(text))) {
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
		by_pwrite = chance(5);
		if (!by_pwrite && lseek(fd, pos, SEEK_SET) != pos) {
			ksft_print_msg("lseek to %lld: %s\n", (long long)pos, strerror(errno));
			return -1;
		}

		expect = cur;
		want = model_write(w.b, w.len, &expect);

		read_host_clocks(before);
		ret = by_pwrite ? pwrite(fd, w.b, w.len, pos) : write(fd, w.b, w.len);
		if (ret < 0)
			err = errno;
		read_host_clocks(after);

		if (by_pwrite) {
			/* "pwrite() and pwritev() fail with ESPIPE, at any offset" */
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

		if (read_offsets(SELF_OFFSETS, &shown, text, sizeof(text))) {
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

static int set_cap_sys_time(bool on)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2];

	if (syscall(SYS_capget, &hdr, data))
		return -1;
	if (on)
		data[CAP_SYS_TIME / 32].effective |= 1U << (CAP_SYS_TIME % 32);
	else
		data[CAP_SYS_TIME / 32].effective &= ~(1U << (CAP_SYS_TIME % 32));
	return syscall(SYS_capset, &hdr, data);
}

static void print_offsets(const char *what, const struct offsets *o)
{
	ksft_print_msg("%s: %lld.%09lld %lld.%09lld\n", what,
		       o->clock[MONO].sec, o->clock[MONO].nsec,
		       o->clock[BOOT].sec, o->clock[BOOT].nsec);
}

/* The first bytes of @text, with the characters other than printable ones in hex */
static const char *escape(const char *text, size_t len)
{
	static char buf[4 * 40 + 1];
	size_t n = 0;

	for (size_t i = 0; i < len && i < 40; i++) {
		unsigned char c = text[i];

		n += snprintf(buf + n, sizeof(buf) - n, c >= ' ' && c < 127 ? "%c" : "\\x%02x", c);
	}
	return buf;
}

/*
 * Write @len bytes of @text (strlen() if @len is 0) to @path in one write(),
 * through a file opened with CAP_SYS_TIME in effect or not (@open_cap), the
 * write() itself being made with it or not (@write_cap). Check that it fails
 * with @err, the offsets staying as they were, or succeeds (@err 0) and the
 * file then shows @set.
 */
static bool write_check(const char *path, bool open_cap, bool write_cap, const char *text,
			size_t len, int err, const struct offsets *set)
{
	struct offsets before, after;
	char buf[256];
	ssize_t ret;
	int fd, got;

	if (!len)
		len = strlen(text);
	if (read_offsets(path, &before, buf, sizeof(buf)))
		return false;
	fd = -1;
	if (open_cap || !set_cap_sys_time(false)) {
		fd = open(path, O_WRONLY);
		if (!open_cap && set_cap_sys_time(true))
			ksft_exit_fail_msg("cannot take CAP_SYS_TIME back: %s\n", strerror(errno));
	}
	if (fd < 0) {
		ksft_print_msg("cannot open %s: %s\n", path, strerror(errno));
		return false;
	}
	if (!write_cap && set_cap_sys_time(false)) {
		close(fd);
		return false;
	}
	ret = write(fd, text, len);
	got = ret < 0 ? errno : 0;
	if (!write_cap && set_cap_sys_time(true))
		ksft_exit_fail_msg("cannot take CAP_SYS_TIME back: %s\n", strerror(errno));
	close(fd);

	if (read_offsets(path, &after, buf, sizeof(buf)))
		return false;
	if (got == err && (err ? offsets_equal(&after, &before) :
			   ret == (ssize_t)len && offsets_equal(&after, set)))
		return true;
	ksft_print_msg("\"%s\" (%zu bytes) to %s: %s, expected %s\n", escape(text, len), len, path,
		       got ? strerror(got) : "success", err ? strerror(err) : "success");
	print_offsets("offsets before", &before);
	print_offsets("offsets after", &after);
	return false;
}

/*
 * A child that unshared CLONE_NEWTIME: writing its timens_offsets sets the
 * offsets of its namespace for children, which nobody is in until
 * holder_freeze() has it fork a child.
 */
struct holder {
	pid_t pid;
	int cmd;	/* a byte asks for a child; EOF ends the holder */
	int ack;	/* 'r' once unshared, 'e' once a child entered */
	char path[64];
};

static void holder_stop(struct holder *h)
{
	close(h->cmd);
	close(h->ack);
	if (h->pid > 0)
		waitpid(h->pid, NULL, 0);
}

static int holder_start(struct holder *h)
{
	int cmd[2], ack[2];
	char c;

	if (pipe(cmd))
		return -1;
	if (pipe(ack)) {
		close(cmd[0]);
		close(cmd[1]);
		return -1;
	}
	h->pid = fork();
	if (h->pid == 0) {
		close(cmd[1]);
		close(ack[0]);
		c = unshare(CLONE_NEWTIME) ? 'x' : 'r';
		while (write(ack[1], &c, 1) == 1 && read(cmd[0], &c, 1) == 1) {
			pid_t pid = fork();

			if (pid == 0)
				_exit(0);
			c = pid > 0 && waitpid(pid, NULL, 0) == pid ? 'e' : 'x';
		}
		_exit(0);
	}
	close(cmd[0]);
	close(ack[1]);
	h->cmd = cmd[1];
	h->ack = ack[0];
	snprintf(h->path, sizeof(h->path), "/proc/%d/timens_offsets", h->pid);
	if (h->pid > 0 && read(h->ack, &c, 1) == 1 && c == 'r')
		return 0;
	holder_stop(h);
	return -1;
}

/* A task enters the namespace: its offsets are fixed from now on. */
static int holder_freeze(struct holder *h)
{
	char c = 'e';

	return write(h->cmd, &c, 1) == 1 && read(h->ack, &c, 1) == 1 && c == 'e' ? 0 : -1;
}

/* A holder whose offsets are @text, which sets them to @set; frozen if asked. */
static int holder_setup(struct holder *h, const char *text, const struct offsets *set,
			bool frozen)
{
	if (holder_start(h))
		return -1;
	if (!write_check(h->path, true, true, text, 0, 0, set) || (frozen && holder_freeze(h))) {
		holder_stop(h);
		return -1;
	}
	return 0;
}

static const struct offsets pair_a = { { { 100, 1 }, { 200, 2 } } };
#define PAIR_A	"monotonic 100 1\nboottime 200 2\n"

/*
 * Another task's file sets that task's namespace for children, not the
 * writer's; an error leaves it as it was.
 */
static void check_other_task(void)
{
	static const struct offsets pair_b = { { { 300, 3 }, { 200, 2 } } };
	struct offsets mine, mine_after;
	struct holder h;
	char text[256];
	bool ok;

	if (read_offsets(SELF_OFFSETS, &mine, text, sizeof(text)) ||
	    holder_setup(&h, PAIR_A, &pair_a, false)) {
		ksft_test_result_fail("write_other_task_offsets\n");
		return;
	}
	ok = write_check(h.path, true, true, "1 300 3", 0, 0, &pair_b);
	ok &= write_check(h.path, true, true, "7 400 0\nmonotonic x 0\n", 0, EINVAL, NULL);
	ok &= write_check(h.path, true, true, "7 400 0\n1 -99999999999 0\n", 0, ERANGE, NULL);
	ok &= !read_offsets(SELF_OFFSETS, &mine_after, text, sizeof(text)) &&
	      offsets_equal(&mine, &mine_after);
	holder_stop(&h);
	ksft_test_result(ok, "write_other_task_offsets\n");
}

/* Once a task entered the namespace, writes fail with EACCES. */
static void check_frozen(void)
{
	struct holder h;
	bool ok;

	if (holder_setup(&h, PAIR_A, &pair_a, true)) {
		ksft_test_result_fail("write_frozen_namespace_eacces\n");
		return;
	}
	ok = write_check(h.path, true, true, "monotonic 5 0\n", 0, EACCES, NULL);
	ok &= write_check(h.path, true, true, "boottime 7 0\nmonotonic 8 0", 0, EACCES, NULL);
	holder_stop(&h);
	/* The initial namespace, which PID 1 is in, is always fixed */
	ok &= write_check("/proc/1/timens_offsets", true, true, "monotonic 1 0\n", 0, EACCES,
			  NULL);
	ksft_test_result(ok, "write_frozen_namespace_eacces\n");
}

/*
 * EPERM is judged on the credentials the file was opened with, not on those
 * of the writer.
 */
static void check_eperm(void)
{
	static const struct offsets pair_b = { { { 100, 1 }, { 9, 9 } } };
	struct holder h;
	bool ok;

	if (holder_setup(&h, PAIR_A, &pair_a, false)) {
		ksft_test_result_fail("write_eperm_judged_on_opener_cap_sys_time\n");
		return;
	}
	ok = write_check(h.path, false, true, "boottime 9 9\n", 0, EPERM, NULL);
	ok &= write_check(h.path, false, false, "boottime 9 9\n", 0, EPERM, NULL);
	ok &= write_check(h.path, true, false, "boottime 9 9\n", 0, 0, &pair_b);
	holder_stop(&h);
	ksft_test_result(ok, "write_eperm_judged_on_opener_cap_sys_time\n");
}

#define WRITERS		4
#define WRITES_EACH	300
/* Write i of writer w sets monotonic to PAIR_SEC(w, i).PAIR_NSEC(w, i) */
#define PAIR_SEC(w, i)	(1000000LL * ((w) + 1) + (i))
#define PAIR_NSEC(w, i)	(1000LL * (i) + (w))
/* and boottime to the same plus BOOT_DELTA seconds */
#define BOOT_DELTA	500000

/* Whether @o is what a single write of a writer set, not a mix of two */
static bool is_written_pair(const struct offsets *o)
{
	long long w = o->clock[MONO].sec / 1000000 - 1, i = o->clock[MONO].sec % 1000000;

	return w >= 0 && w < WRITERS && i < WRITES_EACH &&
	       o->clock[MONO].nsec == PAIR_NSEC(w, i) &&
	       o->clock[BOOT].sec == PAIR_SEC(w, i) + BOOT_DELTA &&
	       o->clock[BOOT].nsec == PAIR_NSEC(w, i);
}

/*
 * Writers set the two offsets at once, each to values of its own, while a
 * reader reads them: each write applies as a whole, so the file never shows a
 * mix of two writes, and ends with the last write of one of the writers.
 */
static void check_concurrent_writers(void)
{
	pid_t pids[WRITERS + 1];
	struct offsets last;
	int go[2], stop[2];
	struct holder h;
	char text[256];
	bool ok = true;
	int n = 0;

	if (holder_setup(&h, PAIR_A, &pair_a, false) || pipe(go) || pipe(stop)) {
		ksft_test_result_fail("concurrent_writers_apply_whole_writes\n");
		return;
	}
	for (int w = 0; w <= WRITERS; w++) {
		pids[w] = fork();
		if (pids[w] < 0)
			break;
		n++;
		if (pids[w])
			continue;
		close(go[1]);
		if (read(go[0], text, 1) != 0)
			_exit(2);
		if (w == WRITERS) {
			/* The reader, until the writers are done */
			struct offsets o;

			close(stop[1]);
			fcntl(stop[0], F_SETFL, O_NONBLOCK);
			while (read(stop[0], text, 1) < 0 && errno == EAGAIN) {
				if (read_offsets(h.path, &o, text, sizeof(text)))
					_exit(2);
				if (!is_written_pair(&o) && !offsets_equal(&o, &pair_a)) {
					print_offsets("a mix of two writes", &o);
					_exit(1);
				}
			}
			_exit(0);
		} else {
			int fd = open(h.path, O_WRONLY);

			for (int i = 0; i < WRITES_EACH; i++) {
				int len = snprintf(text, sizeof(text),
						   "monotonic %lld %lld\nboottime %lld %lld\n",
						   PAIR_SEC(w, i), PAIR_NSEC(w, i),
						   PAIR_SEC(w, i) + BOOT_DELTA, PAIR_NSEC(w, i));

				if (write(fd, text, len) != len) {
					ksft_print_msg("writer %d, write %d: %s\n", w, i,
						       strerror(errno));
					_exit(1);
				}
			}
			_exit(0);
		}
	}
	close(go[0]);
	close(go[1]);
	close(stop[0]);
	for (int w = 0; w < n; w++) {
		int status;

		if (w == WRITERS)
			close(stop[1]);
		if (waitpid(pids[w], &status, 0) != pids[w] || !WIFEXITED(status) ||
		    WEXITSTATUS(status))
			ok = false;
	}
	if (n <= WRITERS) {
		close(stop[1]);
		ok = false;
	}
	if (ok && (read_offsets(h.path, &last, text, sizeof(text)) || !is_written_pair(&last) ||
		   last.clock[MONO].sec % 1000000 != WRITES_EACH - 1)) {
		print_offsets("at the end, not the last write of a writer", &last);
		ok = false;
	}
	holder_stop(&h);
	ksft_test_result(ok, "concurrent_writers_apply_whole_writes\n");
}

#define TOO_LONG	NULL
#define WITH_NUL	"monotonic 1 0\n\0"
#define VALID		"monotonic 1 0\n"
#define MALFORMED	"monotonic x 0\n"
#define BEYOND_64_BITS	"boottime 99999999999999999999 0\n"
#define OUT_OF_RANGE	"monotonic -99999999999 0\n"

/*
 * The documented order of the checks of a write: the size and NUL first,
 * then CAP_SYS_TIME (EPERM), then whether a task entered the namespace
 * (EACCES), then the text (EINVAL or ERANGE), then the range of the offsets
 * (ERANGE). Each case breaks two rules or more and must get the error of the
 * first; every error leaves the offsets as they were.
 */
static const struct order_case {
	const char *name;
	const char *text;
	size_t len;
	bool cap;
	bool frozen;
	int err;
} order_cases[] = {
	{ "page_long_before_eperm_eacces", TOO_LONG, 0, false, true, EINVAL },
	{ "nul_before_eperm_eacces", WITH_NUL, sizeof(WITH_NUL) - 1, false, true, EINVAL },
	{ "eperm_before_eacces", VALID, 0, false, true, EPERM },
	{ "eperm_before_eacces_and_malformed", MALFORMED, 0, false, true, EPERM },
	{ "eperm_before_malformed", MALFORMED, 0, false, false, EPERM },
	{ "eperm_before_out_of_range", OUT_OF_RANGE, 0, false, false, EPERM },
	{ "eacces_before_malformed", MALFORMED, 0, true, true, EACCES },
	{ "eacces_before_sec_beyond_64_bits", BEYOND_64_BITS, 0, true, true, EACCES },
	{ "eacces_before_out_of_range", OUT_OF_RANGE, 0, true, true, EACCES },
	{ "malformed_before_out_of_range", OUT_OF_RANGE "boottime 1 -0\n", 0, true, false,
	  EINVAL },
	{ "sec_beyond_64_bits_erange", BEYOND_64_BITS, 0, true, false, ERANGE },
	{ "out_of_range_erange", OUT_OF_RANGE, 0, true, false, ERANGE },
};

static void check_error_order(void)
{
	struct holder writable, frozen;
	char *page;
	bool setup;

	/* Valid lines, a page of them */
	page = malloc(page_size);
	for (long i = 0; page && i < page_size; i++)
		page[i] = VALID[i % strlen(VALID)];
	setup = page && !holder_setup(&writable, PAIR_A, &pair_a, false);
	if (setup && holder_setup(&frozen, PAIR_A, &pair_a, true)) {
		holder_stop(&writable);
		setup = false;
	}
	for (size_t i = 0; i < ARRAY_SIZE(order_cases); i++) {
		const struct order_case *c = &order_cases[i];
		const char *text = c->text ? c->text : page;
		size_t len = c->text ? c->len : page_size;

		ksft_test_result(setup && write_check(c->frozen ? frozen.path : writable.path,
						      c->cap, true, text, len, c->err, NULL),
				 "write_error_order_%s\n", c->name);
	}
	if (setup) {
		/* The later holder has a copy of the earlier one's pipe: it goes first */
		holder_stop(&frozen);
		holder_stop(&writable);
	}
	free(page);
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
	ksft_set_plan(5 + ARRAY_SIZE(order_cases));

	if (geteuid())
		ksft_exit_skip("needs root\n");
	if (access(SELF_OFFSETS, F_OK))
		ksft_exit_skip("%s: %s\n", SELF_OFFSETS, strerror(errno));

	/* Before the unshare() below: their children must not enter its namespace */
	check_other_task();
	check_frozen();
	check_eperm();
	check_concurrent_writers();
	check_error_order();

	if (unshare(CLONE_NEWTIME))
		ksft_exit_fail_msg("unshare(CLONE_NEWTIME): %s\n", strerror(errno));
	ksft_test_result(!fuzz(writes, seed, counts), "fuzz_timens_offsets_writes\n");
	ksft_print_msg("seed %llu: %lu writes: %lu accepted, %lu EINVAL, %lu ERANGE, %lu pwrite ESPIPE\n",
		       seed, writes, counts[0], counts[1], counts[2], counts[3]);
	ksft_finished();
}
