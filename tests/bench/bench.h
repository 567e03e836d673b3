/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the programs of make bench share: the vDSO's clock_gettime(), found
 * in the image that the kernel maps, and a loop that times its calls; the
 * wait for the clocksource that the vDSO reads; the parameters from the
 * environment. They are built for x86_64 and for arm64.
 *
 * Under QEMU's -icount shift=0,sleep=off a nanosecond of guest time is one
 * executed instruction: every duration measured here counts instructions.
 */
#ifndef TIMENS_BENCH_H
#define TIMENS_BENCH_H

#include <elf.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <time.h>
#include <unistd.h>

typedef int (*gettime_fn)(clockid_t, struct timespec *);

/*
 * The vDSO's clock_gettime(), its symbol version, and the clocksource whose
 * counter it reads in user space: with any other, it falls back to the
 * system call.
 */
#if defined(__x86_64__)
#define VDSO_GETTIME "__vdso_clock_gettime"
#define VDSO_VERSION "LINUX_2.6"
#define VDSO_CLOCKSOURCE "tsc"
#elif defined(__aarch64__)
#define VDSO_GETTIME "__kernel_clock_gettime"
#define VDSO_VERSION "LINUX_2.6.39"
#define VDSO_CLOCKSOURCE "arch_sys_counter"
#else
#error "make bench knows the vDSO of x86_64 and arm64"
#endif

static gettime_fn vdso_gettime;

/*
 * Does the vDSO's symbol @i have the version @version? Its index in
 * DT_VERSYM names a definition in DT_VERDEF, whose first name is the version.
 */
static int vdso_sym_version(const Elf64_Versym *versym, const Elf64_Verdef *verdef,
			    const char *strtab, int i, const char *version)
{
	while (verdef) {
		const Elf64_Verdaux *aux = (const void *)((const char *)verdef + verdef->vd_aux);

		if (!(verdef->vd_flags & VER_FLG_BASE) &&
		    verdef->vd_ndx == (versym[i] & 0x7fff))
			return !strcmp(strtab + aux->vda_name, version);
		verdef = verdef->vd_next ?
			(const void *)((const char *)verdef + verdef->vd_next) : NULL;
	}
	return 0;
}

/*
 * Look @name, of the version @version, up in the dynamic symbol table of the
 * vDSO image.
 */
static void *vdso_sym(const char *name, const char *version)
{
	const Elf64_Ehdr *ehdr = (const void *)getauxval(AT_SYSINFO_EHDR);
	const Elf64_Phdr *phdr;
	const Elf64_Dyn *dyn = NULL;
	const Elf64_Sym *symtab = NULL;
	const Elf32_Word *hash = NULL;
	const Elf64_Versym *versym = NULL;
	const Elf64_Verdef *verdef = NULL;
	const char *strtab = NULL;
	uintptr_t load = 0;
	int i;

	if (!ehdr || memcmp(ehdr->e_ident, ELFMAG, SELFMAG))
		return NULL;
	phdr = (const void *)((const char *)ehdr + ehdr->e_phoff);
	for (i = 0; i < ehdr->e_phnum; i++) {
		if (phdr[i].p_type == PT_LOAD && !load)
			load = (uintptr_t)ehdr + phdr[i].p_offset - phdr[i].p_vaddr;
		else if (phdr[i].p_type == PT_DYNAMIC)
			dyn = (const void *)((const char *)ehdr + phdr[i].p_offset);
	}
	if (!load || !dyn)
		return NULL;
	for (; dyn->d_tag != DT_NULL; dyn++) {
		switch (dyn->d_tag) {
		case DT_SYMTAB:
			symtab = (const void *)(load + dyn->d_un.d_ptr);
			break;
		case DT_STRTAB:
			strtab = (const void *)(load + dyn->d_un.d_ptr);
			break;
		case DT_HASH:
			hash = (const void *)(load + dyn->d_un.d_ptr);
			break;
		case DT_VERSYM:
			versym = (const void *)(load + dyn->d_un.d_ptr);
			break;
		case DT_VERDEF:
			verdef = (const void *)(load + dyn->d_un.d_ptr);
			break;
		}
	}
	if (!symtab || !strtab || !hash || !versym || !verdef)
		return NULL;
	/* The second word of DT_HASH is the number of symbols. */
	for (i = 0; i < (int)hash[1]; i++) {
		const Elf64_Sym *sym = &symtab[i];

		if (ELF64_ST_TYPE(sym->st_info) == STT_FUNC &&
		    sym->st_shndx != SHN_UNDEF && !strcmp(strtab + sym->st_name, name) &&
		    vdso_sym_version(versym, verdef, strtab, i, version))
			return (void *)(load + sym->st_value);
	}
	return NULL;
}

static long long nsec(const struct timespec *ts)
{
	return ts->tv_sec * 1000000000LL + ts->tv_nsec;
}

/* Nanoseconds that @calls calls of @fn for @clk take. */
static long long measure(gettime_fn fn, clockid_t clk, long calls)
{
	struct timespec start, end, ts;
	long i;

	vdso_gettime(CLOCK_MONOTONIC_RAW, &start);
	for (i = 0; i < calls; i++)
		fn(clk, &ts);
	vdso_gettime(CLOCK_MONOTONIC_RAW, &end);
	return nsec(&end) - nsec(&start);
}

#define CLOCKSOURCE "/sys/devices/system/clocksource/clocksource0/"

static void read_line(const char *path, char *buf, int size)
{
	FILE *f = fopen(path, "r");

	if (!f || !fgets(buf, size, f))
		snprintf(buf, size, "?");
	if (f)
		fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
	while (*buf && buf[strlen(buf) - 1] == ' ')
		buf[strlen(buf) - 1] = '\0';
}

/*
 * Without a TSC frequency from CPUID, x86 registers the "tsc" clocksource
 * from a calibration work a second after boot; until then "tsc-early"
 * serves. The benchmark would start before: wait for "tsc", ten seconds
 * at most. Guest time is cheap under QEMU's -icount sleep=off. arm64's
 * "arch_sys_counter" is there from the start.
 */
static void wait_for_clocksource(void)
{
	char cs[64], avail[256];
	int waited;

	for (waited = 0; waited < 100; waited++) {
		read_line(CLOCKSOURCE "current_clocksource", cs, sizeof(cs));
		if (!strcmp(cs, VDSO_CLOCKSOURCE))
			break;
		usleep(100000);
	}
	read_line(CLOCKSOURCE "available_clocksource", avail, sizeof(avail));
	printf("bench: clocksource %s (waited %d.%d s; available: %s)\n",
	       cs, waited / 10, waited % 10, avail);
}

static long env(const char *name, long def)
{
	const char *s = getenv(name);

	return s && atol(s) > 0 ? atol(s) : def;
}

/*
 * Wait for the clocksource of the vDSO, and find its clock_gettime(): 0, or
 * -1 after saying why not.
 */
static int bench_setup(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	wait_for_clocksource();
	vdso_gettime = vdso_sym(VDSO_GETTIME, VDSO_VERSION);
	if (!vdso_gettime) {
		printf("bench: error: no %s@%s in the vDSO\n", VDSO_GETTIME, VDSO_VERSION);
		return -1;
	}
	return 0;
}

#endif /* TIMENS_BENCH_H */
