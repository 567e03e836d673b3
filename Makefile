# SPDX-License-Identifier: GPL-2.0
# Time namespaces for Linux 6.12: the patch series in patches/, and the
# harness that builds, boots and tests it. "make help" lists the targets.

# The Debian package the series applies to, at the version every target
# installs (replacing any other). "make pin LINUX_SOURCE_VERSION=..." moves it.
LINUX_SOURCE_PACKAGE := linux-source-6.12
LINUX_SOURCE_VERSION := 6.12.118-1~deb12u1
LINUX_SOURCE_TARBALL := /usr/src/linux-source-6.12.tar.xz

BUILD := build
PATCHES := patches
# The kernel work tree: base plus the series (git am).
TREE := $(BUILD)/linux
# A checkout of the base alone, for the base kernel.
BASE_TREE := $(BUILD)/base
# A checkout of the unmodified Debian kernel, for the benchmark's reference.
UPSTREAM_TREE := $(BUILD)/upstream
RESULTS := $(BUILD)/results
# Apart, so that make check, which starts by emptying $(RESULTS), does not
# take check-debug's log. (Both apply the series to the same tree: start the
# second once the first has built its kernel.)
DEBUG_RESULTS := $(BUILD)/results-debug

CONFIGS := configs/qemu-x86_64.config
# The selftest directories of the series, each run as suites in the VM.
SELFTESTS := timens
# The series' KUnit config fragments: built in, the tests run at boot and
# print their KTAP before the first suite, which report.py reads as "kunit".
# They are in the tree, so a series without them skips them, and the base
# kernel never gets them.
KUNITCONFIGS := kernel/time/.kunitconfig
# Upstream's own selftests of time namespaces, from the unmodified kernel
# (tag "upstream" of $(TREE)), run untouched on the series kernel: DIR for all
# of a directory's programs, DIR/PROGRAM for one. The cases that contradict a
# rule the series enforces on purpose are listed in COMPAT_XFAIL.
UPSTREAM_SELFTESTS := timens clone3/clone3 pidfd/pidfd_setns_test
COMPAT_XFAIL := tests/compat/expected-failures.txt
# The suites each VM must produce, and the skips that are expected (any other
# fails the run): report.py's arguments for every VM of make check.
EXPECTED := --manifest tests/manifest.txt --skips tests/expected-skips.txt
VM_TIMEOUT ?= 900
# The debug kernel runs the full reliability runs under KASAN, lockdep and
# kmemleak in TCG: hours rather than minutes are possible.
DEBUG_VM_TIMEOUT ?= 7200

export KUNIT_DIR := $(abspath $(TREE))/tools/testing/kunit

BASE_KERNEL := $(BUILD)/obj/base/arch/x86/boot/bzImage
SERIES_KERNEL := $(BUILD)/obj/series/arch/x86/boot/bzImage
DEBUG_KERNEL := $(BUILD)/obj/debug/arch/x86/boot/bzImage
UPSTREAM_KERNEL := $(BUILD)/obj/upstream/arch/x86/boot/bzImage

.PHONY: help deps tree pin series export series-check series-lint base-kernel series-kernel \
	debug-kernel upstream-kernel check check-report check-base check-harness check-series \
	check-compat check-criu check-migrate check-clients check-debug check-arm64 \
	check-arm64-series check-arm64-compat arm64-deps arm64-kernel riscv64-kernel demo shell \
	bench clean arm64-base-kernel arm64-upstream-kernel bench-arm64

help:
	@echo "make demo          build everything, show a process whose clocks are a day ahead"
	@echo "make check         build everything and run every test suite in the VM"
	@echo "make check-debug   the series' suites and the full reliability runs on a debug kernel"
	@echo "make check-migrate CRIU live migration between two VMs running at once"
	@echo "make check-clients container runtimes and clients of time namespaces, in the VM"
	@echo "make check-arm64   check-series and check-compat on an arm64 kernel (and 32-bit arm)"
	@echo "make riscv64-kernel  the series' kernel for riscv64 (QEMU virt), for its vDSO"
	@echo "make shell         boot the series kernel to an interactive shell"
	@echo "make series        (re)apply patches/ to $(TREE) on top of base"
	@echo "make export        write the commits of $(TREE) back to patches/"
	@echo "make series-check  fail if $(TREE) holds work that patches/ lacks"
	@echo "make pin LINUX_SOURCE_VERSION=V  move the pinned kernel source to version V"
	@echo "make series-lint   check every patch: build, checkpatch, W=1, sparse"
	@echo "make bench         vDSO clock_gettime cost: series, base and upstream kernels;"
	@echo "                   memory and cycle cost of up to 10,000 namespaces"
	@echo "make bench-arm64   the same vDSO figures on arm64 kernels (no scale run)"

deps:
	@scripts/install-deps.sh $(LINUX_SOURCE_PACKAGE) $(LINUX_SOURCE_VERSION)

# make-base.sh creates the tree, or checks that it was made from the pin.
tree: deps
	@scripts/make-base.sh $(TREE) $(LINUX_SOURCE_TARBALL) \
		$(LINUX_SOURCE_PACKAGE) $(LINUX_SOURCE_VERSION)
	@scripts/series.sh apply $(TREE) $(PATCHES)

series: tree

export:
	@scripts/series.sh export $(TREE) $(PATCHES)

# Move the pin to another version of the source package: the work trees are
# made anew from it (after series-check, so no work is lost) by the next
# target, e.g. "make check".
pin: series-check
	@[ -n "$(filter command line,$(origin LINUX_SOURCE_VERSION))" ] || \
		{ echo "usage: make pin LINUX_SOURCE_VERSION=VERSION" >&2; exit 2; }
	@sed -i 's/^LINUX_SOURCE_VERSION := .*/LINUX_SOURCE_VERSION := $(LINUX_SOURCE_VERSION)/' Makefile
	@rm -rf $(TREE) $(BASE_TREE) $(UPSTREAM_TREE) $(BUILD)/lint
	@echo "  PIN   $(LINUX_SOURCE_PACKAGE) $(LINUX_SOURCE_VERSION): now run make check," \
		"then make export and commit the Makefile and patches/"

series-check:
	@if [ -d $(TREE)/.git ]; then scripts/series.sh check $(TREE) $(PATCHES); \
	else echo "series-check: no work tree ($(TREE)), nothing to lose"; fi

$(BASE_TREE)/.git: | tree
	@echo "  TREE  checking out base in $(BASE_TREE)"
	@git -C $(TREE) worktree add -q --detach $(abspath $(BASE_TREE)) base

base-kernel: tree $(BASE_TREE)/.git
	@scripts/build-kernel.sh $(BASE_TREE) $(BUILD)/obj/base $(CONFIGS)

SERIES_CONFIGS = $(CONFIGS) \
	$(foreach t,$(SELFTESTS),$(TREE)/tools/testing/selftests/$(t)/config) \
	$(addprefix $(TREE)/,$(KUNITCONFIGS))

series-kernel: tree
	@scripts/build-kernel.sh $(TREE) $(BUILD)/obj/series $(SERIES_CONFIGS)

debug-kernel: tree
	@scripts/build-kernel.sh $(TREE) $(BUILD)/obj/debug $(SERIES_CONFIGS) configs/debug.config

# Upstream's kernel has its own time namespaces: it gets the series' config
# but for the KUnit tests, which are the series' own.
$(UPSTREAM_TREE)/.git: | tree
	@echo "  TREE  checking out upstream in $(UPSTREAM_TREE)"
	@git -C $(TREE) worktree add -q --detach $(abspath $(UPSTREAM_TREE)) upstream

upstream-kernel: tree $(UPSTREAM_TREE)/.git
	@scripts/build-kernel.sh $(UPSTREAM_TREE) $(BUILD)/obj/upstream $(CONFIGS) \
		$(foreach t,$(SELFTESTS),$(TREE)/tools/testing/selftests/$(t)/config)

# Kernel norms on every patch: builds, checkpatch, W=1, sparse, changelog.
# It builds the tree once per patch: run it before sending the series, not
# in make check.
series-lint: tree
	@scripts/series-lint.sh $(TREE) $(BUILD)/obj/lint $(SERIES_CONFIGS)

# report.py's own tests, on hand-made console logs: seconds, no VM. They
# need the tree's kunit_parser. report.py judges their KTAP.
check-report: tree
	@mkdir -p $(RESULTS)
	@tests/harness/test_report.py > $(RESULTS)/report.ktap || true
	@scripts/report.py ktap test_report $(RESULTS)/report.ktap $(RESULTS)/report.json

# The base checks: the removal's verification, and the base kernel booted
# without a trace of time namespaces.
check-base: base-kernel
	@mkdir -p $(RESULTS)
	@scripts/verify-base.sh $(BASE_TREE) $(BUILD)/obj/base
	@scripts/build-guest.sh $(BASE_TREE) $(BUILD)/obj/base $(BUILD)/guest-base.cpio base
	@scripts/run-vm.sh -t $(VM_TIMEOUT) -l $(RESULTS)/base.log \
		$(BASE_KERNEL) $(BUILD)/guest-base.cpio > /dev/null || true
	@scripts/report.py vm $(RESULTS)/base.log $(RESULTS)/base.json \
		$(EXPECTED) --vm base

# The harness's own tests, on the base kernel.
check-harness: base-kernel
	@mkdir -p $(RESULTS)
	@scripts/build-guest.sh $(BASE_TREE) $(BUILD)/obj/base \
		$(BUILD)/guest-harness.cpio harness-selftest
	@echo "  TEST  harness self-tests (3 VM boots)"
	@scripts/harness-selftest.sh $(BASE_TREE) $(BASE_KERNEL) $(BUILD)/guest-harness.cpio \
		$(RESULTS)/harness > $(RESULTS)/harness.ktap || true
	@scripts/report.py ktap harness-selftest $(RESULTS)/harness.ktap $(RESULTS)/harness.json

# The series' own suites, on the series kernel, and the short reliability
# runs (fuzzer, stress, leak check: about a minute), after the wait for the
# tsc clocksource. slab_nomerge keeps the namespaces' slab cache apart, for
# the leak check to count.
check-series: series-kernel
	@mkdir -p $(RESULTS)
	@scripts/build-guest.sh $(TREE) $(BUILD)/obj/series $(BUILD)/guest-series.cpio \
		clocksource $(addprefix selftests:,$(SELFTESTS)) reliability
	@scripts/run-vm.sh -t $(VM_TIMEOUT) -l $(RESULTS)/series.log \
		$(SERIES_KERNEL) $(BUILD)/guest-series.cpio slab_nomerge kunit.enable=1 \
		> /dev/null || true
	@scripts/report.py vm $(RESULTS)/series.log $(RESULTS)/series.json \
		$(EXPECTED) --vm series

# Compatibility: upstream's selftests and util-linux's tools (tests/tools),
# on the series kernel. A suite that hangs is killed, so that the others run.
check-compat: series-kernel
	@mkdir -p $(RESULTS)
	@scripts/build-guest.sh $(TREE) $(BUILD)/obj/series $(BUILD)/guest-compat.cpio \
		$(addprefix upstream:,$(UPSTREAM_SELFTESTS)) tools
	@scripts/run-vm.sh -t $(VM_TIMEOUT) -l $(RESULTS)/compat.log \
		$(SERIES_KERNEL) $(BUILD)/guest-compat.cpio harness.timeout=180 > /dev/null || true
	@scripts/report.py vm $(RESULTS)/compat.log $(RESULTS)/compat.json \
		$(EXPECTED) --vm compat --xfail $(COMPAT_XFAIL)

# CRIU: a process in a time namespace checkpointed, the VM rebooted, the
# process restored, on the series kernel; and the same on the base kernel as
# the counter-example.
check-criu: series-kernel base-kernel
	@mkdir -p $(RESULTS)
	@scripts/build-guest.sh $(TREE) $(BUILD)/obj/series $(BUILD)/guest-criu.cpio
	@echo "  TEST  CRIU restore across a reboot (2 VM boots per kernel)"
	@scripts/criu-restore.sh $(SERIES_KERNEL) $(BASE_KERNEL) $(BUILD)/guest-criu.cpio \
		$(RESULTS)/criu > $(RESULTS)/criu.ktap
	@scripts/report.py ktap criu-restore $(RESULTS)/criu.ktap $(RESULTS)/criu.json

# CRIU live migration of a process in a time namespace between two VMs that
# run at the same time, linked by a QEMU network, one booted a minute after
# the other: there and back, on the series kernel; and the same on the base
# kernel as the counter-example. About 2 minutes once the kernels are built,
# 55 s of which wait for the clocks to part.
check-migrate: series-kernel base-kernel
	@mkdir -p $(RESULTS)
	@rm -f $(RESULTS)/migrate.json
	@scripts/build-guest.sh $(TREE) $(BUILD)/obj/series $(BUILD)/guest-migrate.cpio
	@echo "  TEST  CRIU live migration between two VMs and back (2 VMs at once per kernel)"
	@scripts/criu-migrate.py $(SERIES_KERNEL) $(BASE_KERNEL) $(BUILD)/guest-migrate.cpio \
		$(RESULTS)/migrate > $(RESULTS)/migrate.ktap
	@scripts/report.py ktap criu-migrate $(RESULTS)/migrate.ktap $(RESULTS)/migrate.json
	@scripts/report.py summary $(RESULTS)/migrate.json

# Container runtimes and clients that set time namespace offsets, run
# unmodified on the series kernel (scripts/build-guest.sh's "clients"). A VM
# of its own, on a tmpfs root, which runtimes can pivot_root() from. About
# 30 seconds once the kernel is built.
check-clients: deps series-kernel
	@mkdir -p $(RESULTS)
	@rm -f $(RESULTS)/clients.json
	@scripts/build-guest.sh $(TREE) $(BUILD)/obj/series $(BUILD)/guest-clients.cpio clients
	@scripts/run-vm.sh -t $(VM_TIMEOUT) -l $(RESULTS)/clients.log \
		$(SERIES_KERNEL) $(BUILD)/guest-clients.cpio harness.root=tmpfs harness.timeout=180 \
		> /dev/null || true
	@scripts/report.py vm $(RESULTS)/clients.log $(RESULTS)/clients.json \
		$(EXPECTED) --vm clients
	@scripts/report.py summary $(RESULTS)/clients.json

# The series' suites and the full reliability runs on a kernel with KASAN,
# UBSAN, lockdep, kmemleak and the page table and VM checks, ending with a
# kmemleak scan that must be empty. Too slow for make check and CI: run it
# before sending the series, or after changing the namespace's lifetime.
check-debug: deps debug-kernel
	@mkdir -p $(DEBUG_RESULTS)
	@rm -f $(DEBUG_RESULTS)/debug.json
	@scripts/build-guest.sh $(TREE) $(BUILD)/obj/debug $(BUILD)/guest-debug.cpio \
		clocksource $(addprefix selftests:,$(SELFTESTS)) reliability-full kmemleak
	@scripts/run-vm.sh -t $(DEBUG_VM_TIMEOUT) -l $(DEBUG_RESULTS)/debug.log \
		$(DEBUG_KERNEL) $(BUILD)/guest-debug.cpio slab_nomerge kunit.enable=1 \
		> /dev/null || true
	@scripts/report.py vm $(DEBUG_RESULTS)/debug.log $(DEBUG_RESULTS)/debug.json \
		$(EXPECTED) --vm debug
	@scripts/report.py summary $(DEBUG_RESULTS)/debug.json

# make check-series and make check-compat on arm64, with the same lists of
# suites, skips and expected failures; not part of make check. The clocks'
# selftests run natively and as 32-bit arm programs, through the compat
# vDSO. clang and LLVM build the kernel and the programs: Debian's cross GCC
# for arm conflicts with gcc-multilib. The selftests' config asks for x86's
# IA32_EMULATION, which arm64 lacks: COMPAT is in the arm64 fragment. The
# guest's busybox, util-linux and stress-ng are Debian's arm64 packages,
# which apt can download once dpkg has the arm64 architecture (install-deps.sh
# --arch arm64 adds it). The results are apart, as check-debug's are.
ARM64_PACKAGES := clang lld libc6-dev-arm64-cross libc6-dev-armhf-cross \
	libgcc-12-dev-arm64-cross libgcc-12-dev-armhf-cross qemu-system-arm
ARM64_OBJ := $(BUILD)/obj/arm64
ARM64_KERNEL := $(ARM64_OBJ)/arch/arm64/boot/Image
# The base and the unmodified upstream kernels for arm64, for make bench-arm64,
# configured as their x86 counterparts: upstream's gets the series'
# fragments but the KUnit one, which upstream lacks.
ARM64_BASE_OBJ := $(BUILD)/obj/arm64-base
ARM64_UPSTREAM_OBJ := $(BUILD)/obj/arm64-upstream
ARM64_RESULTS := $(BUILD)/results-arm64
# The selftests' config less x86's IA32_EMULATION, for the other architectures
NON_X86_TIMENS_CONFIG = grep -v '^CONFIG_IA32_EMULATION=' $(TREE)/tools/testing/selftests/timens/config

arm64-deps:
	@scripts/install-deps.sh --arch arm64 $(LINUX_SOURCE_PACKAGE) $(LINUX_SOURCE_VERSION) \
		$(ARM64_PACKAGES)

arm64-kernel: tree arm64-deps
	@mkdir -p $(ARM64_OBJ)
	@$(NON_X86_TIMENS_CONFIG) > $(ARM64_OBJ).timens.config
	@KERNEL_ARCH=arm64 scripts/build-kernel.sh $(TREE) $(ARM64_OBJ) configs/qemu-arm64.config \
		$(ARM64_OBJ).timens.config $(addprefix $(TREE)/,$(KUNITCONFIGS))

arm64-base-kernel: tree arm64-deps $(BASE_TREE)/.git
	@KERNEL_ARCH=arm64 scripts/build-kernel.sh $(BASE_TREE) $(ARM64_BASE_OBJ) \
		configs/qemu-arm64.config

arm64-upstream-kernel: tree arm64-deps $(UPSTREAM_TREE)/.git
	@mkdir -p $(ARM64_UPSTREAM_OBJ)
	@$(NON_X86_TIMENS_CONFIG) > $(ARM64_UPSTREAM_OBJ).timens.config
	@KERNEL_ARCH=arm64 scripts/build-kernel.sh $(UPSTREAM_TREE) $(ARM64_UPSTREAM_OBJ) \
		configs/qemu-arm64.config $(ARM64_UPSTREAM_OBJ).timens.config

check-arm64-series: arm64-kernel
	@mkdir -p $(ARM64_RESULTS)
	@GUEST_ARCH=arm64 scripts/build-guest.sh $(TREE) $(ARM64_OBJ) $(BUILD)/guest-arm64.cpio \
		clocksource $(addprefix selftests:,$(SELFTESTS)) reliability
	@scripts/run-vm.sh -a arm64 -t $(VM_TIMEOUT) -l $(ARM64_RESULTS)/arm64.log \
		$(ARM64_KERNEL) $(BUILD)/guest-arm64.cpio slab_nomerge kunit.enable=1 \
		> /dev/null || true
	@scripts/report.py vm $(ARM64_RESULTS)/arm64.log $(ARM64_RESULTS)/arm64.json \
		$(EXPECTED) --vm arm64

check-arm64-compat: arm64-kernel
	@mkdir -p $(ARM64_RESULTS)
	@GUEST_ARCH=arm64 scripts/build-guest.sh $(TREE) $(ARM64_OBJ) \
		$(BUILD)/guest-arm64-compat.cpio $(addprefix upstream:,$(UPSTREAM_SELFTESTS)) tools
	@scripts/run-vm.sh -a arm64 -t $(VM_TIMEOUT) -l $(ARM64_RESULTS)/arm64-compat.log \
		$(ARM64_KERNEL) $(BUILD)/guest-arm64-compat.cpio harness.timeout=180 \
		> /dev/null || true
	@scripts/report.py vm $(ARM64_RESULTS)/arm64-compat.log $(ARM64_RESULTS)/arm64-compat.json \
		$(EXPECTED) --vm arm64-compat --xfail $(COMPAT_XFAIL)

# As make check: both steps run, whatever the other did.
check-arm64: arm64-deps
	@rm -rf $(ARM64_RESULTS)
	@mkdir -p $(ARM64_RESULTS)
	@for step in check-arm64-series check-arm64-compat; do \
		$(MAKE) --no-print-directory $$step || \
			scripts/report.py failed "make $$step" $(ARM64_RESULTS)/$$step-failed.json; \
	done
	@echo "  ==== results"
	@scripts/report.py summary $(ARM64_RESULTS)/*.json

# The series' kernel for riscv64, as for arm64 (tinyconfig, a fragment of
# its own, the selftests' and the KUnit fragments), so that its vDSO can be
# read (llvm-objdump -d arch/riscv/kernel/vdso/vdso.so.dbg). Not part of
# make check, and no target boots it: Debian 12 has no riscv64 busybox for
# the guest.
RISCV64_OBJ := $(BUILD)/obj/riscv64

riscv64-kernel: tree
	@scripts/install-deps.sh $(LINUX_SOURCE_PACKAGE) $(LINUX_SOURCE_VERSION) clang lld
	@mkdir -p $(RISCV64_OBJ)
	@$(NON_X86_TIMENS_CONFIG) > $(RISCV64_OBJ).timens.config
	@KERNEL_ARCH=riscv64 scripts/build-kernel.sh $(TREE) $(RISCV64_OBJ) \
		configs/qemu-riscv64.config $(RISCV64_OBJ).timens.config \
		$(addprefix $(TREE)/,$(KUNITCONFIGS))

# The vDSO's clock_gettime() in instructions per call (QEMU -icount): the
# series' kernel in and outside a time namespace, the base kernel, and the
# unmodified upstream kernel. Then the scale run on the kernels with time
# namespaces: memory, create-enter-exit cycles and reads with up to 10,000
# live namespaces, drawn by gnuplot in bench.svg. It reports figures and fails
# only if a boot did not deliver them. BENCH_ARGS, e.g. "--boots 5 --reps 9",
# for more samples.
bench: deps series-kernel base-kernel upstream-kernel
	@scripts/install-deps.sh $(LINUX_SOURCE_PACKAGE) $(LINUX_SOURCE_VERSION) gnuplot-nox
	@mkdir -p $(RESULTS)
	@scripts/build-guest.sh $(TREE) $(BUILD)/obj/series $(BUILD)/guest-bench.cpio bench
	@scripts/build-guest.sh $(TREE) $(BUILD)/obj/series $(BUILD)/guest-scale.cpio scale
	@scripts/bench.py --guest $(BUILD)/guest-bench.cpio --scale-guest $(BUILD)/guest-scale.cpio \
		--out $(RESULTS)/bench.json --logs $(RESULTS)/bench $(BENCH_ARGS) \
		series=$(SERIES_KERNEL) base=$(BASE_KERNEL) upstream=$(UPSTREAM_KERNEL)

# make bench's vDSO figures, (a) to (e), on the arm64 kernels in QEMU's
# "virt" machine, where the vDSO reads the arch timer's counter
# (cntvct_el0). No scale run.
bench-arm64: arm64-kernel arm64-base-kernel arm64-upstream-kernel
	@mkdir -p $(RESULTS)
	@GUEST_ARCH=arm64 scripts/build-guest.sh $(TREE) $(ARM64_OBJ) \
		$(BUILD)/guest-bench-arm64.cpio bench
	@scripts/bench.py --arch arm64 --guest $(BUILD)/guest-bench-arm64.cpio \
		--out $(RESULTS)/bench-arm64.json --logs $(RESULTS)/bench-arm64 $(BENCH_ARGS) \
		series=$(ARM64_KERNEL) base=$(ARM64_BASE_OBJ)/arch/arm64/boot/Image \
		upstream=$(ARM64_UPSTREAM_OBJ)/arch/arm64/boot/Image

# Every step runs, whatever the others did; the summary counts a step that
# could not finish (a build error, say) as a failure.
check: deps
	@rm -rf $(RESULTS)
	@mkdir -p $(RESULTS)
	@for step in check-report check-base check-harness check-series check-compat check-criu \
			check-migrate check-clients; do \
		$(MAKE) --no-print-directory $$step || \
			scripts/report.py failed "make $$step" $(RESULTS)/$$step-failed.json; \
	done
	@echo "  ==== results"
	@scripts/report.py summary $(RESULTS)/*.json

# On a terminal, the demo leaves you in the VM's shell.
demo: deps series-kernel
	@scripts/build-guest.sh $(TREE) $(BUILD)/obj/series $(BUILD)/guest-demo.cpio
	@if [ -t 0 ] && [ -t 1 ]; then \
		scripts/run-vm.sh -i $(SERIES_KERNEL) $(BUILD)/guest-demo.cpio \
			harness.mode=demo harness.shell=1; \
	else \
		scripts/run-vm.sh -t 300 $(SERIES_KERNEL) $(BUILD)/guest-demo.cpio \
			harness.mode=demo quiet; \
	fi

shell: deps series-kernel
	@scripts/build-guest.sh $(TREE) $(BUILD)/obj/series $(BUILD)/guest-demo.cpio
	@scripts/run-vm.sh -i $(SERIES_KERNEL) $(BUILD)/guest-demo.cpio harness.mode=shell

clean:
	rm -rf $(BUILD)
