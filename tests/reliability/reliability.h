/* SPDX-License-Identifier: GPL-2.0 */
/* What the reliability programs share. */
#ifndef TIMENS_RELIABILITY_H
#define TIMENS_RELIABILITY_H

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME	0x00000080
#endif

#define MAX_NS_PATH	"/proc/sys/user/max_time_namespaces"

/* Write @text to @path in one write(); 0, or -1 if any of it failed. */
static inline int write_text(const char *path, const char *text)
{
	ssize_t len = strlen(text);
	int fd, ret = 0;

	fd = open(path, O_WRONLY);
	if (fd < 0)
		return -1;
	if (write(fd, text, len) != len)
		ret = -1;
	close(fd);
	return ret;
}

/* The integer at the start of @path, or -1. */
static inline int read_int(const char *path)
{
	char buf[32] = "";
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		return -1;
	if (read(fd, buf, sizeof(buf) - 1) < 0)
		buf[0] = '\0';
	close(fd);
	return buf[0] ? atoi(buf) : -1;
}

static inline int write_int(const char *path, int val)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%d\n", val);
	return write_text(path, buf);
}

/*
 * In a child, with max_time_namespaces at @limit, create namespaces and keep
 * them alive until creation fails: return how many were created, or -1.
 */
static inline int create_until_limit(int limit)
{
	int fds[2], n = -1, orig = read_int(MAX_NS_PATH);
	pid_t pid = -1;

	if (orig < 0 || pipe(fds))
		return -1;
	if (!write_int(MAX_NS_PATH, limit))
		pid = fork();
	if (pid == 0) {
		/* An fd keeps each namespace alive */
		struct rlimit nofile = { limit + 64, limit + 64 };

		n = 0;
		if (limit + 64 > sysconf(_SC_OPEN_MAX) && setrlimit(RLIMIT_NOFILE, &nofile))
			_exit(1);
		/* syscall(): unshare() needs _GNU_SOURCE, which includers may not define */
		while (n < limit + 1 && !syscall(SYS_unshare, CLONE_NEWTIME)) {
			if (open("/proc/self/ns/time_for_children", O_RDONLY) < 0)
				_exit(1);
			n++;
		}
		if (errno == ENOSPC && write(fds[1], &n, sizeof(n)) != sizeof(n))
			_exit(1);
		_exit(0);
	}
	close(fds[1]);
	if (pid < 0 || read(fds[0], &n, sizeof(n)) != sizeof(n))
		n = -1;
	close(fds[0]);
	/* Its namespaces are gone once it is */
	if (pid > 0)
		waitpid(pid, NULL, 0);
	write_int(MAX_NS_PATH, orig);
	return n;
}

/*
 * The time namespaces alive, as max_time_namespaces counts them: those of
 * this user in this user namespace and in the user namespaces it owns; -1
 * if they cannot be counted (more than 16384). Nothing else may create time
 * namespaces meanwhile.
 */
static inline int count_time_namespaces(void)
{
	/* A limit that allows at least one more, then the count is exact */
	for (int limit = 64; limit <= 16384; limit *= 4) {
		int n = create_until_limit(limit);

		if (n)
			return n < 0 ? -1 : limit - n;
	}
	return -1;
}

#endif /* TIMENS_RELIABILITY_H */
