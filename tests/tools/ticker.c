// SPDX-License-Identifier: GPL-2.0
/*
 * Print CLOCK_MONOTONIC and CLOCK_BOOTTIME, five times a second, one line
 * each time, until killed: the process that is checkpointed and restored.
 */
#include <stdio.h>
#include <time.h>

static double seconds(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(void)
{
	const struct timespec period = { .tv_nsec = 200 * 1000 * 1000 };

	for (;;) {
		printf("%.3f %.3f\n", seconds(CLOCK_MONOTONIC), seconds(CLOCK_BOOTTIME));
		fflush(stdout);
		nanosleep(&period, NULL);
	}
}
