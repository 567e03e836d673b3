// SPDX-License-Identifier: GPL-2.0
/*
 * The process tree that make check-migrate moves from one VM to another with
 * CRIU. The parent prints its clocks at each expiration of a periodic
 * CLOCK_MONOTONIC timerfd (every 200 ms, from an absolute first deadline);
 * its child sleeps with clock_nanosleep(TIMER_ABSTIME) to deadlines one
 * second apart on CLOCK_MONOTONIC. Both deadlines are the time namespace's,
 * which the kernel converts to the host's. One line per event on stdout,
 * until killed:
 *
 *   tick MONOTONIC BOOTTIME EXPIRATIONS   the parent, at each timerfd read
 *   sleep DEADLINE MONOTONIC              the child, when a sleep has ended
 *
 * A dump catches the child in clock_nanosleep(), which returns
 * -ERESTARTNOHAND for an absolute sleep: CRIU restores the task at the
 * system call, which then goes on with the same deadline on the new machine.
 *
 * The timerfd is armed with TFD_TIMER_ABSTIME: CRIU 3.17 restores a relative
 * one that expired while the dump had the task frozen (fdinfo: ticks 1,
 * it_value 0) disarmed, and its period is lost; an absolute one it re-arms
 * at the current second of the namespace's clock.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#define PERIOD_NS (200 * 1000 * 1000L)

static double seconds(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void sleeper(void)
{
	struct timespec deadline;
	int err;

	clock_gettime(CLOCK_MONOTONIC, &deadline);
	for (;;) {
		deadline.tv_sec++;
		err = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &deadline, NULL);
		if (err) {
			fprintf(stderr, "clock_nanosleep: error %d\n", err);
			exit(1);
		}
		printf("sleep %ld.%09ld %.9f\n", (long)deadline.tv_sec, deadline.tv_nsec,
		       seconds(CLOCK_MONOTONIC));
	}
}

int main(void)
{
	struct itimerspec its = { .it_interval = { .tv_nsec = PERIOD_NS } };
	uint64_t expirations;
	int fd;

	setvbuf(stdout, NULL, _IOLBF, 0);
	switch (fork()) {
	case -1:
		perror("fork");
		return 1;
	case 0:
		sleeper();
	}
	clock_gettime(CLOCK_MONOTONIC, &its.it_value);
	fd = timerfd_create(CLOCK_MONOTONIC, 0);
	if (fd < 0 || timerfd_settime(fd, TFD_TIMER_ABSTIME, &its, NULL)) {
		perror("timerfd");
		return 1;
	}
	for (;;) {
		if (read(fd, &expirations, sizeof(expirations)) != sizeof(expirations)) {
			if (errno == EINTR)
				continue;
			perror("read timerfd");
			return 1;
		}
		printf("tick %.9f %.9f %llu\n", seconds(CLOCK_MONOTONIC),
		       seconds(CLOCK_BOOTTIME), (unsigned long long)expirations);
	}
}
