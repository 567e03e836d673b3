#!/usr/bin/env python3
"""Strip the upstream time namespace (CLONE_NEWTIME) from a Linux 6.12 tree.

Usage: scripts/remove-timens.py KERNEL_TREE

Edits KERNEL_TREE in place so that it reads as if time namespaces had never
been merged: the CONFIG_TIME_NS blocks go through unifdef, every other change
is an exact-text edit listed below, and the core files are deleted last.

Every edit must match exactly once, at the start of a line, in its file.
If the tree has drifted (a new Debian point release, a patch, or a tree that
was already stripped), an edit that matches zero or several times would
otherwise silently do nothing or do the wrong thing; instead the script aborts
and names the file and the text it expected.  On failure the tree may be
left partly edited: start again from a fresh copy of the source.
"""

import os
import shutil
import subprocess
import sys

# Files whose "#if[n]def CONFIG_TIME_NS" blocks unifdef resolves.  unifdef
# must report exit status 1 ("changed") for each of them.
UNIFDEF_FILES = [
    "arch/arm64/include/asm/vdso/compat_gettimeofday.h",
    "arch/arm64/include/asm/vdso/gettimeofday.h",
    "arch/arm64/kernel/vdso.c",
    "arch/arm64/kernel/vdso/vdso.lds.S",
    "arch/arm64/kernel/vdso32/vdso.lds.S",
    "arch/loongarch/include/asm/vdso/gettimeofday.h",
    "arch/loongarch/kernel/vdso.c",
    "arch/powerpc/include/asm/vdso/gettimeofday.h",
    "arch/powerpc/kernel/vdso.c",
    "arch/riscv/include/asm/vdso/gettimeofday.h",
    "arch/riscv/kernel/vdso.c",
    "arch/riscv/kernel/vdso/vdso.lds.S",
    "arch/s390/include/asm/vdso/gettimeofday.h",
    "arch/s390/kernel/vdso.c",
    "arch/s390/kernel/vdso32/vdso32.lds.S",
    "arch/s390/kernel/vdso64/vdso64.lds.S",
    "arch/x86/entry/vdso/vma.c",
    "arch/x86/include/asm/vdso/gettimeofday.h",
    "fs/proc/base.c",
    "fs/proc/namespaces.c",
    "kernel/nsproxy.c",
    "lib/vdso/gettimeofday.c",
]

# Files that include <linux/time_namespace.h>.
HEADER_INCLUDERS = [
    "arch/arm64/kernel/vdso.c",
    "arch/loongarch/kernel/vdso.c",
    "arch/parisc/kernel/vdso.c",
    "arch/powerpc/kernel/vdso.c",
    "arch/riscv/kernel/vdso.c",
    "arch/s390/kernel/vdso.c",
    "arch/x86/entry/vdso/vma.c",
    "fs/exec.c",
    "fs/pidfs.c",
    "fs/proc/array.c",
    "fs/proc/base.c",
    "fs/proc/stat.c",
    "fs/proc/uptime.c",
    "fs/timerfd.c",
    "kernel/futex/syscalls.c",
    "kernel/nsproxy.c",
    "kernel/sys.c",
    "kernel/time/alarmtimer.c",
    "kernel/time/posix-stubs.c",
    "kernel/time/posix-timers.c",
]

DELETE_PATHS = [
    "include/linux/time_namespace.h",
    "kernel/time/namespace.c",
    "include/vdso/time.h",
    "tools/testing/selftests/timens",
]


def block(text):
    """Drop the newline that directly follows an opening triple quote.

    Multi-line texts below are triple-quoted strings that start on the line
    after the quotes; a further empty line at the start is a blank line.
    """
    return text[1:] if text.startswith("\n") else text


def drop(text):
    """Delete TEXT (one or more whole lines)."""
    return (block(text), "")


def sub(old, new):
    """Replace the whole lines OLD by NEW."""
    return (block(old), block(new))


def seam(before, after):
    """Collapse the double blank line unifdef leaves between two lines."""
    return (before + "\n\n\n" + after + "\n", before + "\n\n" + after + "\n")


# The stages after unifdef.  Each maps a file to its edits, applied in order.
INCLUDES = {path: [drop("#include <linux/time_namespace.h>\n")]
            for path in HEADER_INCLUDERS}
INCLUDES["include/linux/time.h"] = [drop("""

# include <vdso/time.h>
""")]
INCLUDES["include/vdso/datapage.h"] = [drop("#include <vdso/time.h>\n")]

KCONFIG_BUILD = {
    "init/Kconfig": [drop(r"""
config TIME_NS
	bool "TIME namespace"
	depends on GENERIC_VDSO_TIME_NS
	default y
	help
	  In this namespace boottime and monotonic clocks can be set.
	  The time will keep going with the same pace.

""")],
    "lib/vdso/Kconfig": [drop(r"""
config GENERIC_VDSO_TIME_NS
	bool
	help
	  Selected by architectures which support time namespaces in the
	  VDSO

""")],
    "arch/arm64/Kconfig": [drop("\tselect GENERIC_VDSO_TIME_NS\n")],
    "arch/loongarch/Kconfig": [drop("\tselect GENERIC_VDSO_TIME_NS\n")],
    "arch/powerpc/Kconfig": [drop("\tselect GENERIC_VDSO_TIME_NS\n")],
    "arch/riscv/Kconfig": [
        drop("\tselect GENERIC_VDSO_TIME_NS if HAVE_GENERIC_VDSO\n")],
    "arch/s390/Kconfig": [drop("\tselect GENERIC_VDSO_TIME_NS\n")],
    "arch/x86/Kconfig": [drop("\tselect GENERIC_VDSO_TIME_NS\n")],
    "arch/s390/configs/zfcpdump_defconfig": [
        drop("# CONFIG_TIME_NS is not set\n")],
    "kernel/time/Makefile": [
        drop("obj-$(CONFIG_TIME_NS)\t\t\t\t+= namespace.o\n")],
    "MAINTAINERS": [
        drop("F:\tinclude/linux/time_namespace.h\n"),
        drop("F:\tkernel/time/namespace.c\n"),
    ],
}

CLONE_NEWTIME_UAPI = drop(r"""

/*
 * cloning flags intersect with CSIGNAL so can be used with unshare and clone3
 * syscalls only:
 */
#define CLONE_NEWTIME	0x00000080	/* New time namespace */
""")

NSPROXY_FORK_EXEC = {
    "include/linux/nsproxy.h": [
        drop(r"""
	struct time_namespace *time_ns;
	struct time_namespace *time_ns_for_children;
"""),
        drop(r"""
		struct time_namespace *:   &(__ns->ns), \
"""),
        drop("int exec_task_namespaces(void);\n"),
    ],
    "kernel/nsproxy.c": [
        sub(r"""
	new_nsp->time_ns_for_children = copy_time_ns(flags, user_ns,
					tsk->nsproxy->time_ns_for_children);
	if (IS_ERR(new_nsp->time_ns_for_children)) {
		err = PTR_ERR(new_nsp->time_ns_for_children);
		goto out_time;
	}
	new_nsp->time_ns = get_time_ns(tsk->nsproxy->time_ns);

	return new_nsp;

out_time:
	put_net(new_nsp->net_ns);
out_net:
""", r"""
	return new_nsp;

out_net:
"""),
        sub(r"""
			      CLONE_NEWCGROUP | CLONE_NEWTIME)))) {
		if ((flags & CLONE_VM) ||
		    likely(old_ns->time_ns_for_children == old_ns->time_ns)) {
			get_nsproxy(old_ns);
			return 0;
		}
	} else if (!ns_capable(user_ns, CAP_SYS_ADMIN))
		return -EPERM;
""", r"""
			      CLONE_NEWCGROUP)))) {
		get_nsproxy(old_ns);
		return 0;
	}

	if (!ns_capable(user_ns, CAP_SYS_ADMIN))
		return -EPERM;
"""),
        drop(r"""
	if ((flags & CLONE_VM) == 0)
		timens_on_fork(new_ns, tsk);

"""),
        drop(r"""
	if (ns->time_ns)
		put_time_ns(ns->time_ns);
	if (ns->time_ns_for_children)
		put_time_ns(ns->time_ns_for_children);
"""),
        sub(r"""
			       CLONE_NEWNET | CLONE_NEWPID | CLONE_NEWCGROUP |
			       CLONE_NEWTIME)))
""", r"""
			       CLONE_NEWNET | CLONE_NEWPID | CLONE_NEWCGROUP)))
"""),
        drop(r"""
int exec_task_namespaces(void)
{
	struct task_struct *tsk = current;
	struct nsproxy *new;

	if (tsk->nsproxy->time_ns_for_children == tsk->nsproxy->time_ns)
		return 0;

	new = create_new_namespaces(0, tsk, current_user_ns(), tsk->fs);
	if (IS_ERR(new))
		return PTR_ERR(new);

	timens_on_fork(new, tsk);
	switch_task_namespaces(tsk, new);
	return 0;
}

"""),
        sub(r"""
				 CLONE_NEWNET | CLONE_NEWTIME | CLONE_NEWUSER |
				 CLONE_NEWPID | CLONE_NEWCGROUP)))
""", r"""
				 CLONE_NEWNET | CLONE_NEWUSER | CLONE_NEWPID |
				 CLONE_NEWCGROUP)))
"""),
        # unifdef keeps the body of "#ifndef CONFIG_TIME_NS".
        drop(r"""
	if (flags & CLONE_NEWTIME)
		return -EINVAL;
"""),
        seam("#endif", "out:"),
        seam("#endif", "\t/* transfer ownership */"),
    ],
    "fs/exec.c": [drop(r"""
	retval = exec_task_namespaces();
	if (retval)
		goto out_unlock;

""")],
    "kernel/fork.c": [
        sub("\tif (kargs->flags & (CLONE_DETACHED | (CSIGNAL & (~CLONE_NEWTIME))))\n",
            "\tif (kargs->flags & (CLONE_DETACHED | CSIGNAL))\n"),
        sub(r"""
				CLONE_NEWUSER|CLONE_NEWPID|CLONE_NEWCGROUP|
				CLONE_NEWTIME))
""", r"""
				CLONE_NEWUSER|CLONE_NEWPID|CLONE_NEWCGROUP))
"""),
    ],
    "include/uapi/linux/sched.h": [CLONE_NEWTIME_UAPI],
    "tools/perf/trace/beauty/include/uapi/linux/sched.h": [CLONE_NEWTIME_UAPI],
    # PIDFD_GET_USER_NAMESPACE (9) and PIDFD_GET_UTS_NAMESPACE (10) keep
    # their numbers: they are ABI.
    "include/uapi/linux/pidfd.h": [
        drop("#define PIDFD_GET_TIME_NAMESPACE              _IO(PIDFS_IOCTL_MAGIC, 7)\n"),
        drop("#define PIDFD_GET_TIME_FOR_CHILDREN_NAMESPACE _IO(PIDFS_IOCTL_MAGIC, 8)\n"),
    ],
}

PROC_PIDFS_UCOUNT = {
    "include/linux/proc_ns.h": [
        drop(r"""
extern const struct proc_ns_operations timens_operations;
extern const struct proc_ns_operations timens_for_children_operations;
"""),
        drop("\tPROC_TIME_INIT_INO\t= 0xEFFFFFFAU,\n"),
    ],
    "fs/proc/base.c": [
        seam("#endif /* CONFIG_SCHED_AUTOGROUP */",
             "static ssize_t comm_write(struct file *file, const char __user *buf,"),
    ],
    "fs/proc/uptime.c": [drop("\ttimens_add_boottime(&uptime);\n")],
    "fs/proc/stat.c": [drop(r"""
	/* shift boot timestamp according to the timens offset */
	timens_sub_boottime(&boottime);
""")],
    "fs/proc/array.c": [sub(r"""
	/* apply timens offset for boottime and convert nsec -> ticks */
	start_time =
		nsec_to_clock_t(timens_add_boottime_ns(task->start_boottime));
""", r"""
	/* convert nsec -> ticks */
	start_time = nsec_to_clock_t(task->start_boottime);
""")],
    "fs/pidfs.c": [drop(r"""
	case PIDFD_GET_TIME_NAMESPACE:
		if (IS_ENABLED(CONFIG_TIME_NS)) {
			get_time_ns(nsp->time_ns);
			ns_common = to_ns_common(nsp->time_ns);
		}
		break;
	case PIDFD_GET_TIME_FOR_CHILDREN_NAMESPACE:
		if (IS_ENABLED(CONFIG_TIME_NS)) {
			get_time_ns(nsp->time_ns_for_children);
			ns_common = to_ns_common(nsp->time_ns_for_children);
		}
		break;
""")],
    # The enum and the sysctl table must shrink together (BUILD_BUG_ON
    # checks only the count, not the order).
    "include/linux/user_namespace.h": [drop("\tUCOUNT_TIME_NAMESPACES,\n")],
    "kernel/ucount.c": [drop('\tUCOUNT_ENTRY("max_time_namespaces"),\n')],
    "Documentation/admin-guide/sysctl/user.rst": [drop(r"""
max_time_namespaces
===================

  The maximum number of time namespaces that any user in the current
  user namespace may create.

""")],
}

TIME_SYSCALLS = {
    "kernel/time/posix-timers.c": [
        sub(r"""
	ktime_get_ts64(tp);
	timens_add_monotonic(tp);
""", r"""
	ktime_get_ts64(tp);
"""),
        sub(r"""
	ktime_get_raw_ts64(tp);
	timens_add_monotonic(tp);
""", r"""
	ktime_get_raw_ts64(tp);
"""),
        sub(r"""
	ktime_get_coarse_ts64(tp);
	timens_add_monotonic(tp);
""", r"""
	ktime_get_coarse_ts64(tp);
"""),
        sub(r"""
	ktime_get_boottime_ts64(tp);
	timens_add_boottime(tp);
""", r"""
	ktime_get_boottime_ts64(tp);
"""),
        drop(r"""
	if (flags & TIMER_ABSTIME)
		expires = timens_ktime_to_host(timr->it_clock, expires);
"""),
        sub(r"""
 * sys_clock_nanosleep() for CLOCK_REALTIME and CLOCK_TAI
""", r"""
 * sys_clock_nanosleep() for CLOCK_REALTIME, CLOCK_MONOTONIC, CLOCK_BOOTTIME
 * and CLOCK_TAI
"""),
        drop(r"""
/*
 * sys_clock_nanosleep() for CLOCK_MONOTONIC and CLOCK_BOOTTIME
 *
 * Absolute nanosleeps for these clocks are time-namespace adjusted.
 */
static int common_nsleep_timens(const clockid_t which_clock, int flags,
				const struct timespec64 *rqtp)
{
	ktime_t texp = timespec64_to_ktime(*rqtp);

	if (flags & TIMER_ABSTIME)
		texp = timens_ktime_to_host(which_clock, texp);

	return hrtimer_nanosleep(texp, flags & TIMER_ABSTIME ?
				 HRTIMER_MODE_ABS : HRTIMER_MODE_REL,
				 which_clock);
}

"""),
        sub(r"""
	.clock_get_ktime	= posix_get_monotonic_ktime,
	.nsleep			= common_nsleep_timens,
""", r"""
	.clock_get_ktime	= posix_get_monotonic_ktime,
	.nsleep			= common_nsleep,
"""),
        sub(r"""
	.clock_get_timespec	= posix_get_boottime_timespec,
	.nsleep			= common_nsleep_timens,
""", r"""
	.clock_get_timespec	= posix_get_boottime_timespec,
	.nsleep			= common_nsleep,
"""),
    ],
    "kernel/time/posix-timers.h": [
        drop("\t/* Returns the clock value in the current time namespace. */\n"),
        drop("\t/* Returns the clock value in the root time namespace. */\n"),
    ],
    "kernel/time/posix-stubs.c": [
        drop("\t\ttimens_add_monotonic(tp);\n"),
        drop("\t\ttimens_add_boottime(tp);\n"),
        sub(r"""
	current->restart_block.nanosleep.rmtp = rmtp;
	texp = timespec64_to_ktime(t);
	if (flags & TIMER_ABSTIME)
		texp = timens_ktime_to_host(which_clock, texp);
""", r"""
	current->restart_block.nanosleep.rmtp = rmtp;
	texp = timespec64_to_ktime(t);
"""),
        sub(r"""
	current->restart_block.nanosleep.compat_rmtp = rmtp;
	texp = timespec64_to_ktime(t);
	if (flags & TIMER_ABSTIME)
		texp = timens_ktime_to_host(which_clock, texp);
""", r"""
	current->restart_block.nanosleep.compat_rmtp = rmtp;
	texp = timespec64_to_ktime(t);
"""),
    ],
    "kernel/time/alarmtimer.c": [
        sub(" * @get_timespec:\tFunction to read the namespace time correlating to the base\n",
            " * @get_timespec:\tFunction to read the time correlating to the base as timespec64\n"),
        sub(" * Provides the underlying alarm base time in a tasks time namespace.\n",
            " * Provides the underlying alarm base time as a timespec64.\n"),
        sub(" * Provides the underlying alarm base time in the root namespace.\n",
            " * Provides the underlying alarm base time as a ktime_t.\n"),
        sub(r"""
	} else {
		exp = timens_ktime_to_host(which_clock, exp);
	}
""", r"""
	}
"""),
        drop(r"""
static void get_boottime_timespec(struct timespec64 *tp)
{
	ktime_get_boottime_ts64(tp);
	timens_add_boottime(tp);
}

"""),
        sub("\talarm_bases[ALARM_BOOTTIME].get_timespec = get_boottime_timespec;\n",
            "\talarm_bases[ALARM_BOOTTIME].get_timespec = ktime_get_boottime_ts64;\n"),
    ],
    "kernel/futex/syscalls.c": [drop(r"""
	else if (cmd != FUTEX_LOCK_PI && !(op & FUTEX_CLOCK_REALTIME))
		*t = timens_ktime_to_host(CLOCK_MONOTONIC, *t);
""")],
    "fs/timerfd.c": [drop(r"""
		if (flags & TFD_TIMER_ABSTIME)
			texp = timens_ktime_to_host(clockid, texp);
""")],
    "kernel/sys.c": [drop("\ttimens_add_boottime(&tp);\n")],
}

TIMENS_REDIRECT = r"""
	if (IS_ENABLED(CONFIG_TIME_NS) &&
	    vd->clock_mode == VDSO_CLOCKMODE_TIMENS)
		vd = __arch_get_timens_vdso_data(vd);

"""

GENERIC_VDSO = {
    "lib/vdso/gettimeofday.c": [
        # The "#else" stubs that unifdef leaves behind.
        drop(r"""
static __always_inline
const struct vdso_data *__arch_get_timens_vdso_data(const struct vdso_data *vd)
{
	return NULL;
}

static __always_inline int do_hres_timens(const struct vdso_data *vdns, clockid_t clk,
					  struct __kernel_timespec *ts)
{
	return -EINVAL;
}

"""),
        drop(r"""
static __always_inline int do_coarse_timens(const struct vdso_data *vdns, clockid_t clk,
					    struct __kernel_timespec *ts)
{
	return -1;
}

"""),
        # Back to plain vdso_read_begin() loops.
        sub(r"""
		/*
		 * Open coded function vdso_read_begin() to handle
		 * VDSO_CLOCKMODE_TIMENS. Time namespace enabled tasks have a
		 * special VVAR page installed which has vd->seq set to 1 and
		 * vd->clock_mode set to VDSO_CLOCKMODE_TIMENS. For non time
		 * namespace affected tasks this does not affect performance
		 * because if vd->seq is odd, i.e. a concurrent update is in
		 * progress the extra check for vd->clock_mode is just a few
		 * extra instructions while spin waiting for vd->seq to become
		 * even again.
		 */
		while (unlikely((seq = READ_ONCE(vd->seq)) & 1)) {
			if (IS_ENABLED(CONFIG_TIME_NS) &&
			    vd->clock_mode == VDSO_CLOCKMODE_TIMENS)
				return do_hres_timens(vd, clk, ts);
			cpu_relax();
		}
		smp_rmb();
""", r"""
		seq = vdso_read_begin(vd);
"""),
        sub(r"""
		/*
		 * Open coded function vdso_read_begin() to handle
		 * VDSO_CLOCK_TIMENS. See comment in do_hres().
		 */
		while ((seq = READ_ONCE(vd->seq)) & 1) {
			if (IS_ENABLED(CONFIG_TIME_NS) &&
			    vd->clock_mode == VDSO_CLOCKMODE_TIMENS)
				return do_coarse_timens(vd, clk, ts);
			cpu_relax();
		}
		smp_rmb();

""", r"""
		seq = vdso_read_begin(vd);
"""),
        drop(r"""
		if (IS_ENABLED(CONFIG_TIME_NS) &&
		    vd->clock_mode == VDSO_CLOCKMODE_TIMENS)
			vd = __arch_get_timens_vdso_data(vd);

"""),
        # time() and clock_getres() carry the same redirect: tell them
        # apart by the line before it.
        sub("\t__kernel_old_time_t t;\n\n" + block(TIMENS_REDIRECT),
            "\t__kernel_old_time_t t;\n\n"),
        sub("\t\treturn -1;\n\n" + block(TIMENS_REDIRECT),
            "\t\treturn -1;\n\n"),
    ],
    "include/vdso/datapage.h": [
        drop(" * @offset[clock_id]:\ttime namespace offset per clock_id\n"),
        drop(r"""
 *
 * @basetime is used to store the base time for the system wide time getter
 * VVAR page.
 *
 * @offset is used by the special time namespace VVAR pages which are
 * installed instead of the real VVAR page. These namespace pages must set
 * @seq to 1 and @clock_mode to VDSO_CLOCKMODE_TIMENS to force the code into
 * the time namespace slow path. The namespace aware functions retrieve the
 * real system wide VVAR page, read host time and add the per clock offset.
 * For clocks which are not affected by time namespace adjustment the
 * offset must be zero.
"""),
        sub(r"""
	union {
		struct vdso_timestamp	basetime[VDSO_BASES];
		struct timens_offset	offset[VDSO_BASES];
	};
""", r"""
	struct vdso_timestamp	basetime[VDSO_BASES];
"""),
        drop('extern struct vdso_data _timens_data[CS_BASES] __attribute__((visibility("hidden")));\n'),
    ],
    "include/vdso/clocksource.h": [sub(r"""
	VDSO_CLOCKMODE_MAX,

	/* Indicator for time namespace VDSO */
	VDSO_CLOCKMODE_TIMENS = INT_MAX
};
""", r"""
	VDSO_CLOCKMODE_MAX,
};
""")],
}

VVAR_FAULT_DATA_PAGE = sub(r"""
	struct page *timens_page = find_timens_vvar_page(vma);
	unsigned long pfn;

	switch (vmf->pgoff) {
	case VVAR_DATA_PAGE_OFFSET:
		if (timens_page)
			pfn = page_to_pfn(timens_page);
		else
			pfn = sym_to_pfn(vdso_data);
		break;
""", r"""
	unsigned long pfn;

	switch (vmf->pgoff) {
	case VVAR_DATA_PAGE_OFFSET:
		pfn = sym_to_pfn(vdso_data);
		break;
""")

RNG_TIMENS_COMMENT = r"""
	/*
	 * The RNG data is in the real VVAR data page, but if a task belongs to a time namespace
	 * then VVAR_DATA_PAGE_OFFSET points to the namespace-specific VVAR page and VVAR_TIMENS_
	 * PAGE_OFFSET points to the real VVAR page.
	 */
"""

ARCH_VDSO = {
    # x86: the vvar area shrinks from 4 to 3 pages.  The lds symbol
    # timens_page, vdso2c's tables and struct vdso_image go together.
    "arch/x86/entry/vdso/vdso-layout.lds.S": [
        sub("\tvvar_start = . - 4 * PAGE_SIZE;\n",
            "\tvvar_start = . - 3 * PAGE_SIZE;\n"),
        drop(r"""
	timens_page  = vvar_start + 3 * PAGE_SIZE;

#undef _ASM_X86_VVAR_H
	/* Place all vvars in timens too at the offsets in asm/vvar.h. */
#define EMIT_VVAR(name, offset) timens_ ## name = timens_page + offset;
#include <asm/vvar.h>
#undef EMIT_VVAR
"""),
    ],
    "arch/x86/entry/vdso/vdso2c.c": [
        sub("\tsym_timens_page,\n};\n\nconst int special_pages[] = {\n",
            "};\n\nconst int special_pages[] = {\n"),
        sub("\tsym_timens_page,\n};\n\nstruct vdso_sym {\n",
            "};\n\nstruct vdso_sym {\n"),
        drop('\t[sym_timens_page] = {"timens_page", true},\n'),
    ],
    "arch/x86/include/asm/vdso.h": [drop("\tlong sym_timens_page;\n")],
    "arch/x86/include/asm/vvar.h": [
        drop(r"""
	extern type timens_ ## name[CS_BASES]				\
	__attribute__((visibility("hidden")));				\
"""),
        drop("#define TIMENS(name) (timens_ ## name)\n"),
    ],
    "arch/x86/include/asm/vdso/gettimeofday.h": [
        drop("#define __timens_vdso_data (TIMENS(_vdso_data))\n"),
        seam("#endif", "#ifndef BUILD_VDSO32"),
    ],
    "arch/x86/include/asm/vdso/getrandom.h": [drop(r"""
	if (IS_ENABLED(CONFIG_TIME_NS) && __vdso_data->clock_mode == VDSO_CLOCKMODE_TIMENS)
		return (void *)&__vdso_rng_data + ((void *)&__timens_vdso_data - (void *)&__vdso_data);
""")],
    "arch/x86/entry/vdso/vma.c": [
        drop(r"""
#undef _ASM_X86_VVAR_H
#define EMIT_VVAR(name, offset)	\
	const size_t name ## _offset = offset;
#include <asm/vvar.h>

struct vdso_data *arch_get_vdso_data(void *vvar_page)
{
	return (struct vdso_data *)(vvar_page + _vdso_data_offset);
}
#undef EMIT_VVAR

"""),
        drop("static const struct vm_special_mapping vvar_mapping;\n"),
        seam("}", "static vm_fault_t vvar_fault(const struct vm_special_mapping *sm,"),
        sub(r"""
	if (sym_offset == image->sym_vvar_page) {
		struct page *timens_page = find_timens_vvar_page(vma);

		pfn = __pa_symbol(&__vvar_page) >> PAGE_SHIFT;

		/*
		 * If a task belongs to a time namespace then a namespace
		 * specific VVAR is mapped with the sym_vvar_page offset and
		 * the real VVAR page is mapped with the sym_timens_page
		 * offset.
		 * See also the comment near timens_setup_vdso_data().
		 */
		if (timens_page) {
			unsigned long addr;
			vm_fault_t err;

			/*
			 * Optimization: inside time namespace pre-fault
			 * VVAR page too. As on timens page there are only
			 * offsets for clocks on VVAR, it'll be faulted
			 * shortly by VDSO code.
			 */
			addr = vmf->address + (image->sym_timens_page - sym_offset);
			err = vmf_insert_pfn(vma, addr, pfn);
			if (unlikely(err & VM_FAULT_ERROR))
				return err;

			pfn = page_to_pfn(timens_page);
		}

		return vmf_insert_pfn(vma, vmf->address, pfn);
""", r"""
	if (sym_offset == image->sym_vvar_page) {
		return vmf_insert_pfn(vma, vmf->address,
				__pa_symbol(&__vvar_page) >> PAGE_SHIFT);
"""),
        drop(r"""
	} else if (sym_offset == image->sym_timens_page) {
		struct page *timens_page = find_timens_vvar_page(vma);

		if (!timens_page)
			return VM_FAULT_SIGBUS;

		pfn = __pa_symbol(&__vvar_page) >> PAGE_SHIFT;
		return vmf_insert_pfn(vma, vmf->address, pfn);
"""),
    ],
    # arm64, riscv, s390: __VVAR_PAGES and enum vvar_pages are tied by a
    # BUILD_BUG_ON; both go from 2 pages to 1.
    "arch/arm64/include/asm/vdso.h": [
        sub("#define __VVAR_PAGES    2\n", "#define __VVAR_PAGES    1\n")],
    "arch/arm64/include/asm/vdso/vsyscall.h": [
        drop("\tVVAR_TIMENS_PAGE_OFFSET,\n")],
    "arch/arm64/include/asm/vdso/getrandom.h": [drop(block(RNG_TIMENS_COMMENT) + block(r"""
	if (IS_ENABLED(CONFIG_TIME_NS) && _vdso_data->clock_mode == VDSO_CLOCKMODE_TIMENS)
		return (void *)&_vdso_rng_data + VVAR_TIMENS_PAGE_OFFSET * (1UL << CONFIG_PAGE_SHIFT);
"""))],
    "arch/arm64/include/asm/vdso/gettimeofday.h": [
        seam("}", "#endif /* !__ASSEMBLY__ */")],
    "arch/arm64/include/asm/vdso/compat_gettimeofday.h": [
        seam("}", "static inline bool vdso_clocksource_ok(const struct vdso_data *vd)")],
    "arch/arm64/kernel/vdso.c": [
        seam("}", "static vm_fault_t vvar_fault(const struct vm_special_mapping *sm,"),
        VVAR_FAULT_DATA_PAGE,
    ],
    "arch/riscv/include/asm/vdso.h": [
        sub("#define __VVAR_PAGES    2\n", "#define __VVAR_PAGES    1\n")],
    "arch/riscv/kernel/vdso.c": [
        drop("\tVVAR_TIMENS_PAGE_OFFSET,\n"),
        seam("}", "static vm_fault_t vvar_fault(const struct vm_special_mapping *sm,"),
        VVAR_FAULT_DATA_PAGE,
    ],
    "arch/s390/include/asm/vdso.h": [
        sub("#define __VVAR_PAGES\t2\n", "#define __VVAR_PAGES\t1\n")],
    "arch/s390/include/asm/vdso/vsyscall.h": [
        drop("\tVVAR_TIMENS_PAGE_OFFSET,\n")],
    "arch/s390/include/asm/vdso/getrandom.h": [drop(block(RNG_TIMENS_COMMENT) + block(r"""
	if (IS_ENABLED(CONFIG_TIME_NS) && _vdso_data->clock_mode == VDSO_CLOCKMODE_TIMENS)
		return (void *)&_vdso_rng_data + VVAR_TIMENS_PAGE_OFFSET * PAGE_SIZE;
"""))],
    "arch/s390/include/asm/vdso/gettimeofday.h": [seam("}", "#endif")],
    "arch/s390/kernel/vdso.c": [
        drop("static struct vm_special_mapping vvar_mapping;\n\n"),
        seam("struct vdso_data *vdso_data = vdso_data_store.data;",
             "static vm_fault_t vvar_fault(const struct vm_special_mapping *sm,"),
        sub(r"""
	struct page *timens_page = find_timens_vvar_page(vma);
	unsigned long addr, pfn;
	vm_fault_t err;

	switch (vmf->pgoff) {
	case VVAR_DATA_PAGE_OFFSET:
		pfn = virt_to_pfn(vdso_data);
		if (timens_page) {
			/*
			 * Fault in VVAR page too, since it will be accessed
			 * to get clock data anyway.
			 */
			addr = vmf->address + VVAR_TIMENS_PAGE_OFFSET * PAGE_SIZE;
			err = vmf_insert_pfn(vma, addr, pfn);
			if (unlikely(err & VM_FAULT_ERROR))
				return err;
			pfn = page_to_pfn(timens_page);
		}
		break;
""", r"""
	unsigned long pfn;

	switch (vmf->pgoff) {
	case VVAR_DATA_PAGE_OFFSET:
		pfn = virt_to_pfn(vdso_data);
		break;
"""),
    ],
    # powerpc: the linker scripts hard-code the vvar size (BASE, TIME and
    # TIMENS pages); nothing ties the literal to enum vvar_pages.
    "arch/powerpc/kernel/vdso.c": [
        drop("\tVVAR_TIMENS_PAGE_OFFSET,\n"),
        seam("};", "static vm_fault_t vvar_fault(const struct vm_special_mapping *sm,"),
        drop("\tstruct page *timens_page = find_timens_vvar_page(vma);\n"),
        sub(r"""
		if (timens_page)
			pfn = page_to_pfn(timens_page);
		else
			pfn = virt_to_pfn(vdso_data->data);
""", r"""
		pfn = virt_to_pfn(vdso_data->data);
"""),
    ],
    "arch/powerpc/kernel/vdso/vdso32.lds.S": [
        sub("\tPROVIDE(_vdso_datapage = . - 3 * PAGE_SIZE);\n",
            "\tPROVIDE(_vdso_datapage = . - 2 * PAGE_SIZE);\n")],
    "arch/powerpc/kernel/vdso/vdso64.lds.S": [
        sub("\tPROVIDE(_vdso_datapage = . - 3 * PAGE_SIZE);\n",
            "\tPROVIDE(_vdso_datapage = . - 2 * PAGE_SIZE);\n")],
    "arch/powerpc/include/asm/vdso/gettimeofday.h": [
        seam("const struct vdso_data *__arch_get_vdso_data(void);",
             "static inline bool vdso_clocksource_ok(const struct vdso_data *vd)")],
    # loongarch derives the page numbers from the enum.
    "arch/loongarch/include/asm/vdso/vdso.h": [
        drop(r"""
 * |  time-ns vdso data  |        PAGE_SIZE         |
 * +---------------------+--------------------------+
"""),
        drop("\tVVAR_TIMENS_PAGE_OFFSET,\n"),
    ],
    "arch/loongarch/kernel/vdso.c": [
        drop("\tstruct page *timens_page = find_timens_vvar_page(vma);\n"),
        sub(r"""
		if (!timens_page)
			pfn = sym_to_pfn(vdso_data);
		else
			pfn = page_to_pfn(timens_page);
""", r"""
		pfn = sym_to_pfn(vdso_data);
"""),
        seam("subsys_initcall(init_vdso);", "static unsigned long vdso_base(void)"),
    ],
}

PIDFD_TIMENS_CHILD = r"""
		if (self->nsfds[PIDFD_NS_TIME] >= 0 && !switch_timens()) {
			TH_LOG("%m - Failed to unshare time namespace for process %d", self->pid);
			_exit(EXIT_FAILURE);
		}
"""

# The code between the first child's time namespace switch and the second
# child's; it makes the first of the two identical blocks unique.
PIDFD_BETWEEN_CHILDREN = r"""

		if (write_nointr(ipc_sockets[1], "1", 1) < 0)
			_exit(EXIT_FAILURE);

		close(ipc_sockets[1]);

		pause();
		_exit(EXIT_SUCCESS);
	}

	close(ipc_sockets[1]);
	ASSERT_EQ(read_nointr(ipc_sockets[0], &c, 1), 1);
	close(ipc_sockets[0]);

	ret = socketpair(AF_LOCAL, SOCK_STREAM | SOCK_CLOEXEC, 0, ipc_sockets);
"""

SELFTESTS = {
    "tools/testing/selftests/Makefile": [drop("TARGETS += timens\n")],
    "tools/testing/selftests/clone3/clone3.c": [
        drop(r"""
static bool no_timenamespace(void)
{
	if (not_root())
		return true;

	if (!access("/proc/self/ns/time", F_OK))
		return false;

	ksft_print_msg("Time namespaces are not supported\n");
	return true;
}

"""),
        drop(r"""
	{
		.name = "New time NS",
		.flags = CLONE_NEWTIME,
		.size = 0,
		.expected = 0,
		.test_mode = CLONE3_ARGS_NO_TEST,
		.filter = no_timenamespace,
	},
"""),
    ],
    "tools/testing/selftests/pidfd/config": [
        drop("CONFIG_TIME_NS=y\n"),
        drop("CONFIG_GENERIC_VDSO_TIME_NS=y\n"),
    ],
    "tools/testing/selftests/pidfd/pidfd.h": [drop(r"""
#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

""")],
    "tools/testing/selftests/pidfd/pidfd_setns_test.c": [
        drop(r"""
#ifndef PIDFD_GET_TIME_NAMESPACE
#define PIDFD_GET_TIME_NAMESPACE              _IO(PIDFS_IOCTL_MAGIC, 7)
#endif

#ifndef PIDFD_GET_TIME_FOR_CHILDREN_NAMESPACE
#define PIDFD_GET_TIME_FOR_CHILDREN_NAMESPACE _IO(PIDFS_IOCTL_MAGIC, 8)
#endif

"""),
        drop(r"""
	PIDFD_NS_TIME,
	PIDFD_NS_TIMECLD,
"""),
        drop('\t[PIDFD_NS_TIME]\t   = { "time",              CLONE_NEWTIME,   PIDFD_GET_TIME_NAMESPACE,              },\n'),
        drop('\t[PIDFD_NS_TIMECLD] = { "time_for_children", 0,               PIDFD_GET_TIME_FOR_CHILDREN_NAMESPACE, },\n'),
        drop(r"""
static bool switch_timens(void)
{
	int fd, ret;

	if (unshare(CLONE_NEWTIME))
		return false;

	fd = open("/proc/self/ns/time_for_children", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;

	ret = setns(fd, CLONE_NEWTIME);
	close(fd);
	return ret == 0;
}

"""),
        (block(PIDFD_TIMENS_CHILD) + block(PIDFD_BETWEEN_CHILDREN),
         block(PIDFD_BETWEEN_CHILDREN)),
        drop(PIDFD_TIMENS_CHILD),
    ],
    # The "getrandom timens" sub-test asserts that unshare(CLONE_NEWTIME)
    # succeeds; the headers below served only that sub-test.
    "tools/testing/selftests/vDSO/vdso_test_getrandom.c": [
        drop("#include <sched.h>\n"),
        drop("#include <signal.h>\n"),
        drop("#include <sys/ptrace.h>\n"),
        drop("#include <sys/wait.h>\n"),
        drop("#include <linux/ptrace.h>\n"),
        drop("\tpid_t child;\n"),
        sub("\tksft_set_plan(2);\n", "\tksft_set_plan(1);\n"),
        drop(r"""

	unshare(CLONE_NEWUSER);
	ksft_assert(unshare(CLONE_NEWTIME) == 0);
	child = fork();
	ksft_assert(child >= 0);
	if (!child) {
		vgetrandom_init();
		child = getpid();
		ksft_assert(ptrace(PTRACE_TRACEME, 0, NULL, NULL) == 0);
		ksft_assert(kill(child, SIGSTOP) == 0);
		ksft_assert(vgetrandom(weird_size, sizeof(weird_size), 0) == sizeof(weird_size));
		_exit(0);
	}
	for (;;) {
		struct ptrace_syscall_info info = { 0 };
		int status, ret;
		ksft_assert(waitpid(child, &status, 0) >= 0);
		if (WIFEXITED(status)) {
			ksft_assert(WEXITSTATUS(status) == 0);
			break;
		}
		ksft_assert(WIFSTOPPED(status));
		if (WSTOPSIG(status) == SIGSTOP)
			ksft_assert(ptrace(PTRACE_SETOPTIONS, child, 0, PTRACE_O_TRACESYSGOOD) == 0);
		else if (WSTOPSIG(status) == (SIGTRAP | 0x80)) {
			ksft_assert(ptrace(PTRACE_GET_SYSCALL_INFO, child, sizeof(info), &info) > 0);
			if (info.op == PTRACE_SYSCALL_INFO_ENTRY && info.entry.nr == __NR_getrandom &&
			    info.entry.args[0] == (uintptr_t)weird_size && info.entry.args[1] == sizeof(weird_size))
				ksft_exit_fail_msg("vgetrandom passed buffer to syscall getrandom unexpectedly\n");
		}
		ksft_assert(ptrace(PTRACE_SYSCALL, child, 0, 0) == 0);
	}

	ksft_test_result_pass("getrandom timens: PASS\n");
"""),
    ],
    # Its include guard was copied from the deleted timens/log.h.
    "tools/testing/selftests/filesystems/overlayfs/log.h": [
        sub("#ifndef __SELFTEST_TIMENS_LOG_H__\n", "#ifndef __SELFTEST_OVERLAYFS_LOG_H__\n"),
        sub("#define __SELFTEST_TIMENS_LOG_H__\n", "#define __SELFTEST_OVERLAYFS_LOG_H__\n"),
    ],
}

STAGES = [
    ("includes", INCLUDES),
    ("Kconfig/build", KCONFIG_BUILD),
    ("nsproxy/fork/exec/uapi", NSPROXY_FORK_EXEC),
    ("proc/pidfs/ucount", PROC_PIDFS_UCOUNT),
    ("time syscalls", TIME_SYSCALLS),
    ("generic vDSO", GENERIC_VDSO),
    ("arch vDSO", ARCH_VDSO),
    ("selftests", SELFTESTS),
]


class RemovalError(Exception):
    pass


def first_line(text):
    """The first non-blank line of TEXT, to name an edit in messages."""
    for line in text.splitlines():
        if line.strip():
            return line
    return text


def line_matches(text, old):
    """Offsets where OLD occurs in TEXT starting at the beginning of a line."""
    hits = []
    pos = text.find(old)
    while pos != -1:
        if pos == 0 or text[pos - 1] == "\n":
            hits.append(pos)
        pos = text.find(old, pos + 1)
    return hits


def edit_file(tree, path, edits):
    """Apply EDITS to TREE/PATH; each must match exactly once."""
    full = os.path.join(tree, path)
    try:
        with open(full, encoding="utf-8", errors="surrogateescape", newline="") as f:
            text = f.read()
    except OSError as e:
        raise RemovalError(f"{path}: cannot read: {e.strerror}")
    for old, new in edits:
        assert old.endswith("\n"), f"edit for {path} must end with a newline"
        hits = line_matches(text, old)
        if len(hits) != 1:
            raise RemovalError(f"{path}: expected exactly one match, found "
                               f"{len(hits)}, of text starting {first_line(old)!r}")
        text = text[:hits[0]] + new + text[hits[0] + len(old):]
    with open(full, "w", encoding="utf-8", errors="surrogateescape", newline="") as f:
        f.write(text)
    return len(edits)


def run_unifdef(tree):
    for path in UNIFDEF_FILES:
        try:
            rc = subprocess.run(["unifdef", "-UCONFIG_TIME_NS", "-m", path],
                                cwd=tree).returncode
        except FileNotFoundError:
            raise RemovalError("unifdef: command not found")
        if rc == 0:
            raise RemovalError(f"{path}: unifdef found no CONFIG_TIME_NS block "
                               "(tree drifted or already stripped)")
        if rc != 1:
            raise RemovalError(f"{path}: unifdef failed with exit status {rc}")


def delete_paths(tree):
    for path in DELETE_PATHS:
        full = os.path.join(tree, path)
        if os.path.isdir(full) and not os.path.islink(full):
            shutil.rmtree(full)
        elif os.path.isfile(full):
            os.remove(full)
        else:
            raise RemovalError(f"{path}: expected to exist, not found")


def main(argv):
    if len(argv) != 2:
        print(f"usage: {argv[0]} KERNEL_TREE", file=sys.stderr)
        return 2
    tree = argv[1]
    if not os.path.isfile(os.path.join(tree, "kernel", "nsproxy.c")):
        print(f"{tree}: not a kernel source tree", file=sys.stderr)
        return 2

    total = 0
    try:
        run_unifdef(tree)
        print(f"unifdef: resolved CONFIG_TIME_NS in {len(UNIFDEF_FILES)} files")
        for name, files in STAGES:
            count = sum(edit_file(tree, path, edits) for path, edits in files.items())
            total += count
            print(f"{name}: {count} edits in {len(files)} files")
        delete_paths(tree)
        print(f"deletions: removed {len(DELETE_PATHS)} paths")
    except RemovalError as e:
        print(f"remove-timens: error: {e}", file=sys.stderr)
        print("remove-timens: the tree may be partly edited; start again from a fresh copy",
              file=sys.stderr)
        return 1
    print(f"done: {total} exact edits applied, {len(UNIFDEF_FILES)} files through "
          f"unifdef, {len(DELETE_PATHS)} paths deleted")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
