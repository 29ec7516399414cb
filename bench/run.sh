#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The benchmark (docs/benchmark.md: `make bench`): Rust modules against their C twins
# in the same VM boot, and the project's own speed. Writes results.json and
# results.md under target/bench-run/; with --update-readme (make bench
# UPDATE_README=1) into bench/ instead, and the table of docs/benchmark.md too.
# Not a test: nothing here passes or fails on a number. The VMs' output is
# shown as it comes.
#
# Usage: bench/run.sh [--update-readme]
# BENCH_ONLY=<part,...> (make bench BENCH_ONLY=boot,inner) runs only those
# parts: fs (Rust and C file systems), scsi (the SCSI rounds), boot (VM runs
# of an empty script), inner (touch a .rs, make check T=<scenario>), suite
# (a warm make check). A partial run prints its BENCH lines and a summary of
# the boot and inner-loop rows, and writes no report.
set -euo pipefail
update=""
case ${1:-} in
--update-readme) update=--update-readme ;;
"") ;;
*) echo "usage: $0 [--update-readme]" >&2; exit 2 ;;
esac
only=${BENCH_ONLY:-fs,scsi,boot,inner,suite}
part() { case ",$only," in *",$1,"*) return 0 ;; *) return 1 ;; esac; }
[ "$only" = fs,scsi,boot,inner,suite ] || [ -z "$update" ] ||
	{ echo "UPDATE_README=1 needs the whole benchmark (no BENCH_ONLY)" >&2; exit 2; }
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
: >"$out/guest.log"
if part fs; then
mkfs.fat -C "$out/bench.img" 98304 -F 32 -s 1 -n BENCH >/dev/null
gzip -1 "$out/bench.img"
# The large-directory image: /big with 70,000 long-named files on FAT32
# (512-byte clusters), laid out by the repository's generator (neither
# mtools nor the guest's vfat writes such a directory in reasonable time).
mkfs.fat -C "$out/bigdir.img" 65536 -F 32 -s 1 -n BIGDIR >/dev/null
python3 scripts/make-big-dir-image.py "$out/bigdir.img" 70000 >/dev/null
gzip -1 "$out/bigdir.img"
# The write rows' image: empty FAT32 (512-byte clusters, one cluster per
# 100-byte file), 96 MiB; the guest mounts a fresh copy per driver and run.
mkfs.fat -C "$out/write.img" 98304 -F 32 -s 1 -n WBENCH >/dev/null
gzip -1 "$out/write.img"

log "harness: VM run (Rust and C side by side, one boot)"
VM_APPEND="kunit.enable=0" scripts/vm-run.sh --kdir "$kdir" --timeout 2400 --log "$out/console.log" \
	--files "$data/rvbench $out/bench.img.gz $out/bigdir.img.gz $out/write.img.gz" bench/guest.sh | tee "$out/guest.log"
fi

# The SCSI rows: rust_ncr810 and sym53c8xx on two NCR 53C810s in one boot,
# each with a copy of one 64 MiB disk image of random bytes. Rounds 1-3
# with the C driver as it loads; round 4 with its queue depth at 1
# (cmd_per_lun=1); rust_ncr810 queues 16 tagged commands in every round.
if part scsi; then
head -c 64M /dev/urandom >"$out/scsi.img"
for round in "1 c" "2 c" "3 c" "4 c_qd1 cmd_per_lun=1"; do
	log "harness: SCSI round ${round%% *} (rust_ncr810 and sym53c8xx, one boot)"
	echo "$round" >"$out/round"
	# The host's own write speed differs between image files by their
	# page cache state (a file written by `head` took 128 KiB pwrites at
	# half the speed of a `cp` of it, in QEMU and without it), and that
	# followed the file, not the driver (docs/rust_ncr810.md). Both copies
	# are made the same way, and which is made first alternates by round.
	copies="rust c"
	[ $((${round%% *} % 2)) = 1 ] || copies="c rust"
	for d in $copies; do cp "$out/scsi.img" "$out/scsi-$d.img"; done
	scripts/vm-run.sh --kdir "$kdir" --timeout 600 --log "$out/console-scsi${round%% *}.log" \
		--files "$data/rvbench $out/round" --scsi-disks "$out/scsi-rust.img + $out/scsi-c.img" \
		bench/guest-scsi.sh | tee -a "$out/guest.log"
done
rm -f "$out/scsi.img" "$out/scsi-rust.img" "$out/scsi-c.img"
fi

# The project's own speed. An empty script in a fresh VM the way `make
# vm-run` starts one (the module tree and the guest's base as cached
# archives, the kernel started through its PVH entry): wall time, the CPU
# time of everything the run started, and the kernel's clock at /init.
if part boot; then
log "harness: VM run of an empty script (5 runs)"
echo 'exit 0' >"$out/empty.sh"
scripts/vm-run.sh --kdir "$kdir" --quiet "$out/empty.sh" # fills the caches
for i in 1 2 3 4 5; do
	s=$(date +%s%N)
	scripts/vm-run.sh --kdir "$kdir" --quiet --log "$out/boot$i.log" --cpu-time "$out/boot$i.cpu" "$out/empty.sh"
	e=$(date +%s%N)
	t=$(sed -n 's/^\[ *\([0-9.]*\)\] .*/\1/p; s/^harness: guest up.*/UP/p' "$out/boot$i.log" | grep -B1 -m1 UP | head -1)
	echo "BENCH boot.run$i.wall_ms $(((e - s) / 1000000))"
	echo "BENCH boot.run$i.cpu_ms $(awk '{ printf "%d", $1 * 1000 }' "$out/boot$i.cpu")"
	echo "BENCH boot.run$i.kernel_to_init_ms $(awk -v t="${t:-0}" 'BEGIN { printf "%d", t * 1000 }')"
done | tee -a "$out/guest.log"
fi

# The inner loop as a developer runs it: touch one .rs, then `make check
# T=<its scenario>` (rebuild, boot, run, reports). The build and the VM run
# are read from check.sh's step times and the harness's line.
if part inner; then
log "harness: inner loop (touch one .rs, make check T=vfat::02-modprobe-stack)"
make -s check T=vfat::02-modprobe-stack >/dev/null 2>&1 # warm
for i in 1 2 3; do
	touch rust_vfat_demo/rust_vfat.rs
	s=$(date +%s%N)
	make -s check T=vfat::02-modprobe-stack >"$out/inner$i.log" 2>&1 ||
		die "make check T=vfat::02-modprobe-stack failed during the benchmark" "see $out/inner$i.log"
	e=$(date +%s%N)
	b=$(sed -n 's/^==> \[\([0-9.]*\)s\] modules built.*/\1/p' "$out/inner$i.log")
	vm=$(sed -n 's/^test vfat::02-modprobe-stack \.\.\. ok (\([0-9.]*\)s)$/\1/p' "$out/inner$i.log")
	echo "BENCH inner_loop.run$i.build_ms $(awk -v t="${b:-0}" 'BEGIN { printf "%d", t * 1000 }')"
	echo "BENCH inner_loop.run$i.vm_ms $(awk -v t="${vm:-0}" 'BEGIN { printf "%d", t * 1000 }')"
	echo "BENCH inner_loop.run$i.total_ms $(((e - s) / 1000000))"
done | tee -a "$out/guest.log"
fi

if part suite; then
log "harness: warm full suite (make check)"
s=$(date +%s)
scripts/check.sh >"$out/check.log" 2>&1 || die "make check failed during the benchmark" "see $out/check.log"
echo "BENCH suite.warm_s $(($(date +%s) - s))" | tee -a "$out/guest.log"
fi

if [ "$only" != fs,scsi,boot,inner,suite ]; then
	log "harness: partial run ($only), no report; medians (min, max, runs):"
	for k in boot.wall_ms boot.cpu_ms boot.kernel_to_init_ms inner_loop.total_ms inner_loop.build_ms inner_loop.vm_ms; do
		sed -n "s/^BENCH ${k%%.*}\.run[0-9]*\.${k#*.} //p" "$out/guest.log" | sort -n |
			awk -v k="$k" '{ a[NR] = $1 } END { if (NR) printf "  %s %d (%d, %d, %d)\n", k, a[int((NR + 1) / 2)], a[1], a[NR], NR }'
	done
	exit 0
fi

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
