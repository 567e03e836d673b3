// SPDX-License-Identifier: GPL-2.0
/*
 * The base tree is Linux 6.12 with time namespaces removed. Check, on the
 * booted kernel, that nothing of them is left that user space can reach,
 * and that the clocks still work without them.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/sched.h>
#include <sched.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"

/* The upstream value; the base tree's uapi no longer defines it. */
#define UPSTREAM_CLONE_NEWTIME 0x00000080ULL

static int ns_inode(const char *path, ino_t *ino)
{
	struct stat st;

	if (stat(path, &st))
		return -1;
	*ino = st.st_ino;
	return 0;
}

/* unshare() does not know the time namespace flag. */
TEST(unshare_newtime_is_einval)
{
	ino_t before, after;

	ASSERT_EQ(ns_inode("/proc/self/ns/pid", &before), 0);
	ASSERT_EQ(syscall(SYS_unshare, UPSTREAM_CLONE_NEWTIME), -1);
	EXPECT_EQ(errno, EINVAL);
	ASSERT_EQ(ns_inode("/proc/self/ns/pid", &after), 0);
	EXPECT_EQ(before, after);
}

/* clone3() rejects the flag and creates no child. */
TEST(clone3_newtime_is_einval)
{
	struct clone_args args = {
		.flags = UPSTREAM_CLONE_NEWTIME,
		.exit_signal = SIGCHLD,
	};
	long pid;

	pid = syscall(SYS_clone3, &args, sizeof(args));
	if (pid == 0)
		_exit(0);
	ASSERT_EQ(pid, -1);
	EXPECT_EQ(errno, EINVAL);
	EXPECT_EQ(waitpid(-1, NULL, WNOHANG), -1);
	EXPECT_EQ(errno, ECHILD);
}

/* setns() through a pidfd does not know the time namespace flag. */
TEST(pidfd_setns_newtime_is_einval)
{
	int pidfd = syscall(SYS_pidfd_open, getpid(), 0);

	ASSERT_GE(pidfd, 0);
	EXPECT_EQ(setns(pidfd, UPSTREAM_CLONE_NEWTIME), -1);
	EXPECT_EQ(errno, EINVAL);
	close(pidfd);
}

/* procfs has no time namespace entries. */
TEST(no_proc_time_entries)
{
	struct stat st;

	EXPECT_EQ(lstat("/proc/self/ns/time", &st), -1);
	EXPECT_EQ(errno, ENOENT);
	EXPECT_EQ(lstat("/proc/self/ns/time_for_children", &st), -1);
	EXPECT_EQ(errno, ENOENT);
	EXPECT_EQ(lstat("/proc/self/timens_offsets", &st), -1);
	EXPECT_EQ(errno, ENOENT);
	EXPECT_EQ(lstat("/proc/sys/user/max_time_namespaces", &st), -1);
	EXPECT_EQ(errno, ENOENT);
}

static int64_t ns_of(const struct timespec *ts)
{
	return ts->tv_sec * 1000000000LL + ts->tv_nsec;
}

/* The vDSO and the syscall agree on the clocks that namespaces shift. */
TEST(vdso_clocks_match_syscall)
{
	static const clockid_t clocks[] = {
		CLOCK_MONOTONIC, CLOCK_MONOTONIC_RAW, CLOCK_BOOTTIME,
	};
	struct timespec vdso, sys, vdso_after;
	unsigned int i;

	for (i = 0; i < sizeof(clocks) / sizeof(clocks[0]); i++) {
		ASSERT_EQ(clock_gettime(clocks[i], &vdso), 0);
		ASSERT_EQ(syscall(SYS_clock_gettime, clocks[i], &sys), 0);
		ASSERT_EQ(clock_gettime(clocks[i], &vdso_after), 0);
		EXPECT_LE(ns_of(&vdso), ns_of(&sys));
		EXPECT_LE(ns_of(&sys), ns_of(&vdso_after));
	}
}

TEST_HARNESS_MAIN
