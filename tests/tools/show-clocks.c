// SPDX-License-Identifier: GPL-2.0
/*
 * Print what a task sees of the clocks that time namespaces shift, in one
 * line: /proc/uptime, CLOCK_MONOTONIC and CLOCK_BOOTTIME, and the time
 * namespace it is in.
 */
#include <stdio.h>
#include <time.h>
#include <unistd.h>

static double seconds(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char *argv[])
{
	char uptime[64] = "?", ns[64] = "none";
	FILE *f = fopen("/proc/uptime", "r");
	ssize_t len;

	if (f) {
		if (fscanf(f, "%63s", uptime) != 1)
			uptime[0] = '\0';
		fclose(f);
	}
	len = readlink("/proc/self/ns/time", ns, sizeof(ns) - 1);
	if (len > 0)
		ns[len] = '\0';
	printf("%-10s uptime %12s   CLOCK_MONOTONIC %14.3f   CLOCK_BOOTTIME %14.3f   %s\n",
	       argc > 1 ? argv[1] : "", uptime, seconds(CLOCK_MONOTONIC),
	       seconds(CLOCK_BOOTTIME), ns);
	return 0;
}
