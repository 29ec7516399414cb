#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The benchmark (README: `make bench`): Rust modules against their C twins
# in the same VM boot, and the bench's own speed. Writes bench/results.json
# and bench/results.md. Not a test: nothing here passes or fails on a number.
set -euo pipefail
. "$(dirname "$0")/../scripts/lib.sh"
prepare main
kdir=$KDIR
data=$(scripts/test-data.sh)
out="$REPO_ROOT/target/bench-run"
rm -rf "$out"
mkdir -p "$out"

# The 10,000-entry directory is written in the guest by the kernel's own
# vfat (mtools needs hours: it scans the directory for every short-name tail).
mkfs.fat -C "$out/dir10k.img" 65536 -F 32 -s 1 -n DIR10K >/dev/null

log "bench: VM run (Rust and C side by side, one boot)"
BENCH_APPEND="kunit.enable=0" scripts/vm-run.sh --kdir "$kdir" --timeout 900 --log "$out/console.log" \
	--files "$data/rvbench $out/dir10k.img" bench/guest.sh | tee "$out/guest.log"

log "bench: VM boot to /init (5 boots of an empty script)"
echo 'exit 0' >"$out/empty.sh"
for i in 1 2 3 4 5; do
	s=$(date +%s%N)
	scripts/vm-run.sh --kdir "$kdir" --quiet --log "$out/boot$i.log" "$out/empty.sh"
	e=$(date +%s%N)
	t=$(sed -n 's/^\[ *\([0-9.]*\)\] .*/\1/p; s/^bench: guest up.*/UP/p' "$out/boot$i.log" | grep -B1 -m1 UP | head -1)
	echo "BENCH boot.run$i.wall_ms $(((e - s) / 1000000))"
	echo "BENCH boot.run$i.kernel_to_init_ms $(awk -v t="${t:-0}" 'BEGIN { printf "%d", t * 1000 }')"
done | tee -a "$out/guest.log"

log "bench: inner loop (touch one .rs, rebuild, boot, that module's scenarios)"
cargo build --quiet --release -p bench
for i in 1 2 3; do
	touch rust_vfat_demo/vfat_walk.rs
	s=$(date +%s%N)
	make -s KDIR="$kdir" >/dev/null
	m=$(date +%s%N)
	./target/release/bench --kdir "$kdir" vfat::02-modprobe-stack >/dev/null
	e=$(date +%s%N)
	echo "BENCH inner_loop.run$i.build_ms $(((m - s) / 1000000))"
	echo "BENCH inner_loop.run$i.vm_ms $(((e - m) / 1000000))"
	echo "BENCH inner_loop.run$i.total_ms $(((e - s) / 1000000))"
done | tee -a "$out/guest.log"

log "bench: warm full suite (make check)"
s=$(date +%s)
scripts/check.sh >"$out/check.log" 2>&1 || die "make check failed during the benchmark" "see $out/check.log"
echo "BENCH suite.warm_s $(($(date +%s) - s))" | tee -a "$out/guest.log"

# Cold kernel build: from the cached tree's own logs (configure started,
# build log last written).
b0=$(stat -c %Y "$kdir/config.log")
b1=$(stat -c %Y "$kdir/build.log")
echo "BENCH kernel.cold_build_s $((b1 - b0))" | tee -a "$out/guest.log"

python3 bench/report.py "$out/guest.log" "$kdir" "$REPO_ROOT" "$(kernel_key main)"
log "bench: wrote bench/results.json and bench/results.md"
