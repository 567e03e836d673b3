/* SPDX-License-Identifier: GPL-2.0 */
/* What the reliability programs share. */
#ifndef TIMENS_RELIABILITY_H
#define TIMENS_RELIABILITY_H

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

#endif /* TIMENS_RELIABILITY_H */
