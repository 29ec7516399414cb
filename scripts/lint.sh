#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Lint gates: rustfmt on every Rust file, the unsafe gate
# (scripts/unsafe-gate.sh), clippy on every kernel module (Kbuild's
# CLIPPY=1) and on the host crates. Any finding fails.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$REPO_ROOT"
kdir=${KDIR:-$(scripts/kdir.sh)}
[ -n "$kdir" ] || die "no kernel tree for clippy" "run 'make kernel' or pass KDIR="

# --- NCR 810 driver: unsafe gate --------------------------------------------
# The NCR 810 driver (rust_ncr810_stub/ without its layers: scsi/ and
# debugfs_file.rs) has no `unsafe` but where the kernel crate's own API
# asks for it, and that is in resources.rs only. Each allowed file is listed
# with its count and the kernel-crate APIs that force it; any other
# `unsafe` (outside comments), or one more in resources.rs, fails. Every
# SAFETY comment of the module (layers included) must stand on its own.
ncr810_unsafe_gate() {
	local dir=rust_ncr810_stub f n want fail=0
	# file => allowed count: the kernel-crate APIs that force it.
	declare -A allowed=(
		[resources.rs]=4 # dma::Device::dma_set_mask_and_coherent, irq::Registration::new,
		                 # the IrqVectorRegistration borrow (pci::IrqVectorRegistration::index),
		                 # pci_clear_master + pci_disable_device (pci::Device has no disable)
	)
	local files=("$dir"/ncr810_driver.rs "$dir"/driver.rs "$dir"/chip.rs "$dir"/bringup.rs
		"$dir"/selftest.rs "$dir"/regs.rs "$dir"/resources.rs "$dir"/ncr810/*.rs)
	local total=0
	for f in "${files[@]}"; do
		[ -f "$f" ] || { echo "lint: $f is missing (update ncr810_unsafe_gate)" >&2; fail=1; continue; }
		n=$(sed 's://.*$::' "$f" | { grep -ow 'unsafe' || true; } | wc -l)
		want=${allowed[$(basename "$f")]:-0}
		total=$((total + n))
		if [ "$n" -ne "$want" ]; then
			echo "lint: $f has $n unsafe, allowed $want" >&2
			fail=1
		fi
	done
	local lazy
	lazy=$(grep -rnE 'SAFETY: *(As above|See above|Same as above|As the caller guarantees\.?$|(As|See) the function.s safety section( says)?\.?$)' \
		"$dir" --include='*.rs' || true)
	if [ -n "$lazy" ]; then
		echo "$lazy" >&2
		echo "lint: SAFETY comments above only refer elsewhere; say why the block is sound" >&2
		fail=1
	fi
	[ "$fail" -eq 0 ] || die "the NCR 810 driver's unsafe gate failed (above)" \
		"move the unsafe into a layer (scsi/) or justify a kernel-crate case in ncr810_unsafe_gate"
	log "lint: NCR 810 driver: $total unsafe, all kernel-crate cases in resources.rs"
}
# --- end of NCR 810 driver gate ----------------------------------------------
ncr810_unsafe_gate

mapfile -t files < <(git ls-files '*.rs' 2>/dev/null || find . -name '*.rs' -not -path './target/*')
log "lint: rustfmt --check on ${#files[@]} files"
rustfmt --check --config-path .rustfmt.toml "${files[@]}" || die "rustfmt found unformatted code (diff above)" "run: rustfmt --config-path .rustfmt.toml ${files[*]}"

log "lint: the unsafe gate (no unsafe in the FAT modules, SAFETY comments that stand on their own)"
scripts/unsafe-gate.sh

log "lint: clippy on the kernel modules (CLIPPY=1)"
# Into its own output directory, so the normal build's objects stay valid
# and a lint of unchanged sources recompiles nothing. Clippy speaks only
# when a unit compiles, so after any finding that directory is dropped: the
# next lint recompiles (and re-checks) everything.
out="$REPO_ROOT/target/kbuild/clippy-$(basename "$kdir")"
if ! found=$(make -s -C "$REPO_ROOT" KDIR="$kdir" MO="$out" CLIPPY=1 2>&1) || grep -qE '^(warning|error)' <<<"$found"; then
	echo "$found" >&2
	rm -rf "$out"
	die "clippy reported findings in the kernel modules (above)" "fix them; the build must be clippy clean"
fi

log "lint: cargo clippy on the host crates"
cargo clippy --quiet --workspace --all-targets -- -D warnings || die "cargo clippy found problems (above)"
log "lint: clean"
