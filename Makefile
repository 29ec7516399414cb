# SPDX-License-Identifier: GPL-2.0
#
# Out-of-tree build of the project's Rust modules, plus the project's targets.
#
#   make [KDIR=<kernel build tree>] [LLVM=-19] [MO=<dir>]
#                                                build every module, outside the
#                                                sources (Kbuild's MO=; default
#                                                target/kbuild/<tree>-<hash>)
#   make modules_install INSTALL_MOD_PATH=<dir>
#   make modules-dir                             print where the modules are
#   make clean
#   make demo                                    the demonstration (README)
#   make check [T=<scenario>]                    the whole test suite (README), the
#                                                repetition scenarios at check counts
#              [JUNIT=<file>] [KTAP=<dir>] [KCIDB=<file>]
#                                                result files beside the text
#                                                report, always written (defaults:
#                                                target/check-results/junit.xml,
#                                                ktap/, kcidb.json); the KCIDB file
#                                                is checked with kcidb-io's validator
#   make soak [T=<scenario>]                     the repetition scenarios at their full
#                                                counts, then (without T=) the mutation pass
#                                                (docs/testing-tiers.md)
#   make bench [UPDATE_README=1]                 Rust vs C (README); results in
#                                                target/bench-run/, or with
#                                                UPDATE_README=1 in bench/ and README.md
#   make matrix [CONFIGS="main nomodversions debug"] [UPDATE_README=1]
#                                                the scenarios on each kernel
#                                                configuration; results in target/matrix/
#   make mutate [M="<name> ..."]                 plants each defect of tests/mutations.list
#                                                in a copy (target/mutate/), expects its
#                                                tests to fail (docs/testing-mutations.md)
#   make lava [T=<scenario>] [LAVA_URL=<base>]   a LAVA job for the VM scenarios in
#                                                target/lava/, validated with lava-common's
#                                                schema (README: Running under LAVA)
#   make lava-run                                runs target/lava/job.yaml under lava-run
#                                                (Debian's lava-dispatcher, a chroot in the
#                                                cache); LAVA's results in target/lava-run/
#   make vm-run SCRIPT=<file> [FILES="..."] [QEMU_ARGS="..."] [NO_NCR810=1] [SCSI_DISKS="a.img ..."]
#   make kernel | setup | lint | host-test | rust-analyzer
#   make distro-kdir DISTRO=debian               a build tree for Debian's own kernel
#                                                (README: "Building for your
#                                                distribution's kernel"); then
#                                                KERNEL=debian for make, vm-run, check
#   make distro-package-test                     the Rust metadata package at work
#   make dkms-deb                                rfl-modules-dkms_<version>_all.deb in
#                                                target/dkms/ (docs/dkms.md)
#   make dkms-test                               that package end to end: apt install
#                                                in the chroot, the VM on Debian's
#                                                kernel with the modules DKMS built

PROJECT := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))
LLVM ?= -19
export PATH := $(HOME)/.cargo/bin:$(PATH)

# KDIR, RUST_LIB_SRC and MO are computed on first use, once per make
# ("V = $(eval V := value)$(V)"): the targets that only run a script
# (check, soak, bench, demo, lint, ...) never pay the three shells, about
# 0.3 s of the inner loop's 3 s.
# KERNEL=debian: the tree of Debian's own kernel (make distro-kdir).
ifeq ($(KERNEL),debian)
KDIR = $(eval KDIR := $(shell $(PROJECT)/scripts/distro-kdir.sh --print debian 2>/dev/null))$(KDIR)
else ifneq ($(filter-out main,$(KERNEL)),)
$(error KERNEL=$(KERNEL) is not known: use KERNEL=main (the project's kernel, the default) or KERNEL=debian)
endif
ifeq ($(origin KDIR),undefined)
KDIR = $(eval KDIR := $(shell $(PROJECT)/scripts/kdir.sh))$(KDIR)
endif
ifeq ($(origin RUST_LIB_SRC),undefined)
RUST_LIB_SRC = $(eval RUST_LIB_SRC := $(shell bash -c '. $(PROJECT)/scripts/lib.sh && d=$$(rust_lib_src) && [ -f $$d/core/src/lib.rs ] && echo $$d'))$(RUST_LIB_SRC)
endif

# Objects and modules go outside the sources (Kbuild's MO=), one directory
# per kernel tree: builds against several kernels (main, debug, a variant,
# clippy's) live side by side and the source tree stays as git has it.
KBUILD_OUT := $(PROJECT)/target/kbuild
ifeq ($(origin MO),undefined)
MO = $(eval MO := $(KBUILD_OUT)/$(notdir $(KDIR))-$(shell printf '%s' '$(abspath $(KDIR))' | sha256sum | cut -c1-8))$(MO)
endif

# scripts/kbuild.sh runs make -C $(KDIR): without LLVM= for a GCC-built
# tree, and inside the chroot (with that kernel's rustc) for a
# distribution's tree.
KBUILD = $(PROJECT)/scripts/kbuild.sh $(KDIR)
# What the callers set on the command line is passed on by name: inside a
# distribution's chroot make sees no MAKEFLAGS from outside.
KBUILD_ARGS = M=$(PROJECT) MO=$(MO) LLVM=$(LLVM) $(if $(RUST_LIB_SRC),RUST_LIB_SRC=$(RUST_LIB_SRC)) \
	$(foreach v,INSTALL_MOD_PATH INSTALL_MOD_DIR CLIPPY V W,$(if $(filter command line,$(origin $(v))),$(v)=$($(v))))

# The toolchain probe both checks below run: one line naming what is
# missing (bindgen too: both modules run it at build time).
RUST_PROBE = LLVM=$(LLVM) $(PROJECT)/scripts/rust-probe.sh --quiet --bindgen --kdir $(KDIR)

# Targets that need a Rust-enabled kernel build tree check it first, so a bad
# KDIR gives one clear line instead of a page of Kbuild errors.
define check_kdir
	@if [ -z "$(KDIR)" ] && [ "$(KERNEL)" = debian ]; then \
		echo "error: no Debian kernel tree: prepare it once with 'make distro-kdir DISTRO=debian'" >&2; exit 2; fi
	@if [ -z "$(KDIR)" ]; then \
		echo "error: no kernel tree: pass KDIR=<Rust-enabled kernel build tree>, or create the cached one with 'make kernel'" >&2; exit 2; fi
	@if [ ! -f "$(KDIR)/Makefile" ] || [ ! -f "$(KDIR)/.config" ]; then \
		echo "error: KDIR=$(KDIR) is not a configured kernel build tree (no Makefile/.config); pass the O= directory of a built kernel" >&2; exit 2; fi
	@if ! grep -q '^CONFIG_RUST=y' "$(KDIR)/.config"; then \
		echo "error: the kernel in KDIR=$(KDIR) is built without Rust (CONFIG_RUST is not set); enable it or use 'make kernel'" >&2; exit 2; fi
	@if [ ! -f "$(KDIR)/Module.symvers" ]; then \
		echo "error: KDIR=$(KDIR) has no Module.symvers: build that kernel first (make -C <src> O=$(KDIR))" >&2; exit 2; fi
	@if [ ! "$(MO)/.rust-probe-ok" -nt "$(KDIR)/.config" ]; then \
		$(RUST_PROBE) || exit 2; \
		mkdir -p "$(MO)" && touch "$(MO)/.rust-probe-ok"; fi
endef

# The probe (a quarter of a second, mostly rustc --version through rustup)
# runs once per kernel tree and configuration: the stamp above. A toolchain
# changed since makes Kbuild fail (the kernel's crates were built by
# another rustc), and then the probe runs again to say why.
define probe_after_failure
	{ rm -f "$(MO)/.rust-probe-ok"; $(RUST_PROBE); exit 2; }
endef

.PHONY: all modules modules-dir modules_install clean demo check soak vm-run kernel setup lint host-test rust-analyzer
.PHONY: distro-kdir distro-package-test

# Kbuild refuses MO= while the sources hold an in-tree build (its
# modules.order): one left by an older checkout is cleaned by Kbuild itself.
define clean_in_tree_build
	@if [ -f "$(PROJECT)/modules.order" ]; then \
		echo "  CLEAN   the in-tree build of an earlier version (modules now go to $(MO))"; \
		$(KBUILD) -s M=$(PROJECT) clean; fi
endef

all modules:
	$(check_kdir)
	$(clean_in_tree_build)
	+@$(KBUILD) $(KBUILD_ARGS) modules || $(probe_after_failure)
	@$(PROJECT)/scripts/check-symvers.sh $(MO)/Module.symvers $(KDIR)
	@echo "  MODULES $(MO)"

modules-dir:
	@echo "$(MO)"

modules_install: modules
	+$(KBUILD) $(KBUILD_ARGS) modules_install

clean:
	rm -rf $(if $(filter command line environment,$(origin MO)),$(MO),$(KBUILD_OUT))

setup:
	$(PROJECT)/scripts/setup-toolchain.sh

kernel: setup
	$(PROJECT)/scripts/build-kernel.sh main >/dev/null

# A build tree for the kernel a distribution ships (README: "Building for
# your distribution's kernel"); prints it. Then: make KDIR=<it>, or
# KERNEL=debian for make, vm-run and check.
distro-kdir: setup
	@$(PROJECT)/scripts/distro-kdir.sh $(or $(DISTRO),debian)

# The package of the missing piece, installed beside the headers in a
# throw-away view of the chroot, and a plain make M= of the project there.
distro-package-test:
	@$(PROJECT)/scripts/distro-package-test.sh $(or $(DISTRO),debian)

# The DKMS package (docs/dkms.md), made with dpkg-buildpackage and dh-dkms
# in the chroot of make distro-kdir, and its end-to-end test.
.PHONY: dkms-deb dkms-test
dkms-deb:
	@$(PROJECT)/scripts/dkms-deb.sh

dkms-test:
	@$(PROJECT)/scripts/dkms-test.sh

# Kbuild writes it beside the objects; editors look at the project's root.
rust-analyzer:
	$(check_kdir)
	+$(KBUILD) $(KBUILD_ARGS) rust-analyzer
	ln -sf $(MO)/rust-project.json $(PROJECT)/rust-project.json

vm-run: modules
	@test -n "$(SCRIPT)" || { echo "error: give the script to run in the VM: make vm-run SCRIPT=<file> [FILES=...] [QEMU_ARGS=...]" >&2; exit 2; }
	@$(PROJECT)/scripts/vm-run.sh --kdir $(KDIR) --files "$(FILES)" --qemu-args "$(QEMU_ARGS)" \
		--scsi-disks "$(SCSI_DISKS)" $(if $(NO_NCR810),--no-ncr810) $(if $(VM_TIMEOUT),--timeout $(VM_TIMEOUT)) $(SCRIPT)

demo:
	$(PROJECT)/scripts/demo.sh

check:
	$(PROJECT)/scripts/check.sh $(if $(filter debian,$(KERNEL)),--kernel debian) $(if $(JUNIT),--junit $(abspath $(JUNIT))) \
		$(if $(KTAP),--ktap $(abspath $(KTAP))) $(if $(KCIDB),--kcidb $(abspath $(KCIDB))) $(T)

# The soak tier (the long tier): the repetition scenarios at the full
# counts, results in target/soak-results/; then (without T= or
# KERNEL=debian) the mutation pass, every planted defect of
# tests/mutations.list.
soak:
	$(PROJECT)/scripts/check.sh --soak $(if $(filter debian,$(KERNEL)),--kernel debian) $(T)
	$(if $(T)$(filter debian,$(KERNEL)),,$(PROJECT)/scripts/mutate.sh)

lint:
	$(PROJECT)/scripts/lint.sh

host-test:
	cargo test --quiet --manifest-path $(PROJECT)/Cargo.toml --workspace

.PHONY: bench fuzz kernel-debug check-debug matrix mutate
.PHONY: lava lava-run
lava: modules
	$(PROJECT)/scripts/lava.sh --kdir $(KDIR) $(if $(LAVA_URL),--url-base $(LAVA_URL)) $(T)

lava-run:
	$(PROJECT)/scripts/lava-run.sh

bench:
	$(PROJECT)/bench/run.sh $(if $(UPDATE_README),--update-readme)

fuzz:
	$(PROJECT)/scripts/fuzz.sh $(FUZZ_SECONDS)

mutate:
	$(PROJECT)/scripts/mutate.sh $(M)

check-debug:
	$(PROJECT)/scripts/check-debug.sh $(T)

matrix:
	$(PROJECT)/scripts/matrix.sh $(if $(UPDATE_README),--update-readme) $(CONFIGS)

.PHONY: fmt
fmt:
	cd $(PROJECT) && rustfmt --config-path .rustfmt.toml $$(git ls-files '*.rs')
