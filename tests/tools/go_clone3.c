// SPDX-License-Identifier: GPL-2.0
/*
 * Start PROGRAM in a new time namespace with the system call that Go's
 * syscall package (1.20 and later) makes for exec.Cmd when
 * SysProcAttr.Cloneflags holds CLONE_NEWTIME: clone3() with CLONE_NEWTIME |
 * CLONE_VM | CLONE_VFORK and SIGCHLD as the exit signal, the child running on
 * its parent's stack until it execs. clone() cannot take CLONE_NEWTIME, whose
 * bit is part of its exit signal. As in Go (rawVforkSyscall), the child runs
 * assembly only, which touches no memory, so that the parent's stack frame
 * is intact when it resumes (x86_64).
 *
 * usage: go_clone3 PROGRAM [ARG...]
 * Exits with the child's status, or 1 with the error if clone3() fails.
 */
#define _GNU_SOURCE
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

int main(int argc, char *argv[])
{
	struct clone_args args = {
		.flags = CLONE_NEWTIME | CLONE_VM | CLONE_VFORK,
		.exit_signal = SIGCHLD,
	};
	int status;
	long pid;

	if (argc < 2) {
		fprintf(stderr, "usage: go_clone3 PROGRAM [ARG...]\n");
		return 2;
	}
	/* The child: execve(argv[1], argv + 1, environ), or exit(127). */
	register long r8 asm("r8") = (long)(argv + 1);
	register long r10 asm("r10") = (long)environ;
	asm volatile("syscall\n\t"
		     "test %%rax, %%rax\n\t"
		     "jnz 1f\n\t"
		     "mov %%rdx, %%rdi\n\t"
		     "mov %%r8, %%rsi\n\t"
		     "mov %%r10, %%rdx\n\t"
		     "mov %[nr_execve], %%eax\n\t"
		     "syscall\n\t"
		     "mov $127, %%edi\n\t"
		     "mov %[nr_exit], %%eax\n\t"
		     "syscall\n\t"
		     "1:\n\t"
		     : "=a"(pid)
		     : "0"((long)SYS_clone3), "D"(&args), "S"(sizeof(args)),
		       "d"(argv[1]), "r"(r8), "r"(r10),
		       [nr_execve] "i"(SYS_execve), [nr_exit] "i"(SYS_exit)
		     : "rcx", "r11", "memory");
	if (pid < 0) {
		printf("go_clone3: clone3(CLONE_NEWTIME | CLONE_VM | CLONE_VFORK): %s\n",
		       strerror(-pid));
		return 1;
	}
	if (waitpid(pid, &status, 0) != pid)
		return 1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
