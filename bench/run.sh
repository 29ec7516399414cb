#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The benchmark (docs/benchmark.md: `make bench`): Rust modules against their C twins
# in the same VM boot, and the project's own speed. Writes results.json and
# results.md under target/bench-run/; with --update-readme (make bench
# UPDATE_README=1) into bench/ instead, and the table of docs/benchmark.md too.
# Not a test: nothing here passes or fails on a number.
#
# Usage: bench/run.sh [--update-readme]
set -euo pipefail
update=""
case ${1:-} in
--update-readme) update=--update-readme ;;
"") ;;
*) echo "usage: $0 [--update-readme]" >&2; exit 2 ;;
esac
. "$(dirname "$0")/../scripts/lib.sh"
prepare main
kdir=$KDIR
data=$(scripts/test-data.sh)
out="$REPO_ROOT/target/bench-run"
rm -rf "$out"
mkdir -p "$out"

# The benchmark image: FAT32 (512-byte clusters), 96 MiB, room for the
# 10,000-entry directory and the 32 MiB file, both written in the guest by
# the kernel's own vfat (mtools needs hours for the directory: it scans it
# for every short-name tail). Sent compressed: it is almost all zeros.
mkfs.fat -C "$out/bench.img" 98304 -F 32 -s 1 -n BENCH >/dev/null
gzip -1 "$out/bench.img"
# The large-directory image: /big with 70,000 long-named files on FAT32
# (512-byte clusters), laid out by the repository's generator (neither
# mtools nor the guest's vfat writes such a directory in reasonable time).
mkfs.fat -C "$out/bigdir.img" 65536 -F 32 -s 1 -n BIGDIR >/dev/null
python3 scripts/make-big-dir-image.py "$out/bigdir.img" 70000 >/dev/null
gzip -1 "$out/bigdir.img"

log "harness: VM run (Rust and C side by side, one boot)"
VM_APPEND="kunit.enable=0" scripts/vm-run.sh --kdir "$kdir" --timeout 2400 --log "$out/console.log" \
	--files "$data/rvbench $out/bench.img.gz $out/bigdir.img.gz" bench/guest.sh | tee "$out/guest.log"

# The SCSI rows: rust_ncr810 and sym53c8xx on two NCR 53C810s in one boot,
# each with a copy of one 64 MiB disk image of random bytes. Rounds 1-3
# with the C driver as it loads; round 4 with its queue depth at 1
# (cmd_per_lun=1), rust_ncr810's own (can_queue = 1).
head -c 64M /dev/urandom >"$out/scsi.img"
for round in "1 c" "2 c" "3 c" "4 c_qd1 cmd_per_lun=1"; do
	log "harness: SCSI round ${round%% *} (rust_ncr810 and sym53c8xx, one boot)"
	echo "$round" >"$out/round"
	cp "$out/scsi.img" "$out/scsi-rust.img"
	cp "$out/scsi.img" "$out/scsi-c.img"
	scripts/vm-run.sh --kdir "$kdir" --timeout 600 --log "$out/console-scsi${round%% *}.log" \
		--files "$data/rvbench $out/round" --scsi-disks "$out/scsi-rust.img + $out/scsi-c.img" \
		bench/guest-scsi.sh | tee -a "$out/guest.log"
done
rm -f "$out/scsi.img" "$out/scsi-rust.img" "$out/scsi-c.img"

log "harness: VM boot to /init (5 boots of an empty script)"
echo 'exit 0' >"$out/empty.sh"
for i in 1 2 3 4 5; do
	s=$(date +%s%N)
	scripts/vm-run.sh --kdir "$kdir" --quiet --log "$out/boot$i.log" "$out/empty.sh"
	e=$(date +%s%N)
	t=$(sed -n 's/^\[ *\([0-9.]*\)\] .*/\1/p; s/^harness: guest up.*/UP/p' "$out/boot$i.log" | grep -B1 -m1 UP | head -1)
	echo "BENCH boot.run$i.wall_ms $(((e - s) / 1000000))"
	echo "BENCH boot.run$i.kernel_to_init_ms $(awk -v t="${t:-0}" 'BEGIN { printf "%d", t * 1000 }')"
done | tee -a "$out/guest.log"

log "harness: inner loop (touch one .rs, rebuild, boot, that module's scenarios)"
cargo build --quiet --release -p harness
for i in 1 2 3; do
	touch rust_vfat_demo/rust_vfat.rs
	s=$(date +%s%N)
	make -s KDIR="$kdir" >/dev/null
	m=$(date +%s%N)
	./target/release/harness --kdir "$kdir" vfat::02-modprobe-stack >/dev/null
	e=$(date +%s%N)
	echo "BENCH inner_loop.run$i.build_ms $(((m - s) / 1000000))"
	echo "BENCH inner_loop.run$i.vm_ms $(((e - m) / 1000000))"
	echo "BENCH inner_loop.run$i.total_ms $(((e - s) / 1000000))"
done | tee -a "$out/guest.log"

log "harness: warm full suite (make check)"
s=$(date +%s)
scripts/check.sh >"$out/check.log" 2>&1 || die "make check failed during the benchmark" "see $out/check.log"
echo "BENCH suite.warm_s $(($(date +%s) - s))" | tee -a "$out/guest.log"

# Cold kernel build: from the cached tree's own logs (configure started,
# build log last written).
b0=$(stat -c %Y "$kdir/config.log")
b1=$(stat -c %Y "$kdir/build.log")
echo "BENCH kernel.cold_build_s $((b1 - b0))" | tee -a "$out/guest.log"

if [ -n "$update" ]; then
	dest="$REPO_ROOT/bench"
	what="$dest/results.json, $dest/results.md and the table in docs/benchmark.md"
else
	dest="$out"
	what="$dest/results.json and $dest/results.md (make bench UPDATE_README=1 writes them to bench/ and docs/benchmark.md)"
fi
python3 bench/report.py $update "$out/guest.log" "$kdir" "$REPO_ROOT" "$(make -s KDIR="$kdir" modules-dir)" \
	"$(kernel_key main)" "$dest"
log "harness: wrote $what"
