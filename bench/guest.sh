# The in-VM half of the benchmark (bench/run.sh boots it with kunit.enable=0
# so the Rust modules' KUnit suites do not run at load). Prints BENCH lines.
# Rust and C run side by side in this one boot, on the same image: rust_vfat
# through one read-only loop device, the C vfat through another on the same
# file (two file systems cannot mount one block device at once).
. /vm/lib.sh
F=/vm/files
rf=$(modinfo -n rust_fat) rv=$(modinfo -n rust_vfat) cf=$(modinfo -n fat) cv=$(modinfo -n vfat)

# How many runs of each measure. A cold find+stat of the 10,000-entry
# directory takes minutes per run under TCG with either driver (FAT has no
# directory index: each of the 10,000 lookups scans the directory from its
# start, so the run is quadratic), hence one cold run; the warm runs after
# it hit the dcache. A random read on rust_vfat walks the file's FAT chain
# (see the README), about 30 ms per read under TCG, hence 3 runs.
RUNS=5 FINDSTAT_COLD_RUNS=1 RANDREAD_RUNS=3 RANDREADS=2000 SEED=1
# The write rows: a fresh copy of the empty write image per driver and run.
WRITE_RUNS=5 SMALL_FILES=10000 SMALL_DIRS=100 SMALL_BYTES=100 RENAMES=1000

step "the benchmark image, written by the kernel's vfat: 10,000 long-named files in /big, a 32 MiB /seq.bin"
img=/tmp/bench.img
gunzip -c $F/bench.img.gz >$img || fail "gunzip of the image failed"
mkdir -p /mnt/c /mnt/r
loop_mount $img /mnt/c utf8
mkdir /mnt/c/big
$F/rvbench mkfiles /mnt/c/big 10000 || fail "mkfiles failed"
dd if=/dev/urandom of=/mnt/c/seq.bin bs=1M count=32 2>/dev/null || fail "writing seq.bin failed"
[ "$(stat -c %s /mnt/c/seq.bin)" = 33554432 ] || fail "seq.bin is not 32 MiB"
loop_umount /mnt/c
must modprobe -r vfat

step "load+unload latency, interleaved (10 warm-up cycles, then 100)"
$F/rvbench modcycle 10 rust $rf $rv -- c $cf $cv >/dev/null || fail "warm-up failed"
$F/rvbench modcycle 100 rust $rf $rv -- c $cf $cv || fail "modcycle failed"

step "core sizes the kernel reports"
must modprobe rust_vfat
must modprobe vfat
for m in rust_fat rust_vfat fat vfat; do
	echo "BENCH core_size.$m $(awk -v m=$m '$1 == m { print $2 }' /proc/modules)"
done

step "inode object sizes (/proc/slabinfo objsize)"
for c in rust_fat_inode_cache fat_inode_cache; do
	s=$(awk -v c=$c '$1 == c { print $4 }' /proc/slabinfo)
	[ -n "$s" ] || fail "no $c in /proc/slabinfo"
	echo "BENCH slab.$c.objsize $s"
done

step "calls across the module boundary vs inside the module (rust_fat_callbench: 5 runs of 10^6 at load)"
dmesg_mark
must modprobe rust_fat_callbench
dmesg_new | grep 'rust_fat_callbench: run ' >/tmp/callbench
[ "$(wc -l </tmp/callbench)" = 5 ] || fail "rust_fat_callbench did not log 5 runs"
sed -n 's/.*rust_fat_callbench: run \([0-9]*\): \([0-9]*\) calls across the module boundary \([0-9]*\) ns, inside the module \([0-9]*\) ns$/\1 \2 \3 \4/p' /tmp/callbench |
	awk '{
		printf "BENCH call.run%d.cross_module_ns_per_call %.3f\n", $1, $3 / $2
		printf "BENCH call.run%d.in_module_ns_per_call %.3f\n", $1, $4 / $2
		printf "BENCH call.run%d.calls %d\n", $1, $2
	}'
must rmmod rust_fat_callbench

rloop=$(losetup -f) && losetup -r "$rloop" $img || fail "losetup -r for rust_vfat failed"
cloop=$(losetup -f) && losetup -r "$cloop" $img || fail "losetup -r for vfat failed"
echo "rust_vfat on $rloop, vfat on $cloop, both read-only over $img"
# The two drivers, one per line: name, file system type, device.
drivers="rust rust_vfat $rloop
c vfat $cloop"

# Drops the page, dentry and inode caches and mounts driver $1 afresh.
fresh_mount() {
	echo 3 >/proc/sys/vm/drop_caches
	set -- $(echo "$drivers" | grep "^$1 ")
	mount -t $2 -o ro,utf8 $3 /mnt/r || fail "mount -t $2 -o ro,utf8 $3 failed"
}

step "mount+unmount latency, mount(2) ro,utf8 and umount2(2), interleaved (10 warm-up cycles, then 100)"
$F/rvbench mount 10 /mnt/r utf8 rust rust_vfat $rloop c vfat $cloop >/dev/null || fail "mount warm-up failed"
$F/rvbench mount 100 /mnt/r utf8 rust rust_vfat $rloop c vfat $cloop || fail "mount cycles failed"

step "readdir of the 10,000-entry directory, cold (caches dropped, fresh mount) then warm, $RUNS runs"
for i in $(seq $RUNS); do
	for d in rust c; do
		fresh_mount $d
		$F/rvbench readdir ${d}_cold.run$i /mnt/r/big || fail "readdir failed"
		$F/rvbench readdir ${d}_warm.run$i /mnt/r/big || fail "readdir failed"
		must umount /mnt/r
	done
done

step "find+stat over the 10,000-entry directory: $FINDSTAT_COLD_RUNS cold run(s), $RUNS warm"
for d in rust c; do
	for i in $(seq $FINDSTAT_COLD_RUNS); do
		fresh_mount $d
		$F/rvbench findstat ${d}_cold.run$i /mnt/r || fail "find+stat failed"
		[ $i = $FINDSTAT_COLD_RUNS ] || must umount /mnt/r
	done
	for i in $(seq $RUNS); do
		$F/rvbench findstat ${d}_warm.run$i /mnt/r || fail "find+stat failed"
	done
	must umount /mnt/r
done

step "sequential read of the 32 MiB file, cold, $RUNS runs"
for i in $(seq $RUNS); do
	for d in rust c; do
		fresh_mount $d
		$F/rvbench seqread $d.run$i /mnt/r/seq.bin || fail "sequential read failed"
		must umount /mnt/r
	done
done

step "$RANDREADS random 4 KiB reads of the 32 MiB file (seed $SEED), cold, $RANDREAD_RUNS runs"
for i in $(seq $RANDREAD_RUNS); do
	for d in rust c; do
		fresh_mount $d
		$F/rvbench randread $d.run$i /mnt/r/seq.bin $RANDREADS $SEED || fail "random reads failed"
		must umount /mnt/r
	done
done

step "lookups of every 35th name of a 70,000-entry directory (2,000 stat(2)): cold (caches dropped, fresh mount), then warm 15 times each, the drivers alternating (the same names again: dcache hits)"
gunzip -c $F/bigdir.img.gz >/tmp/bigdir.img || fail "gunzip of the large-directory image failed"
mkdir -p /mnt/lrust /mnt/lc
bigdevs=
# Caches dropped once, before both mounts: dropping them again for C's
# cold run would drop Rust's dentries before its warm runs.
echo 3 >/proc/sys/vm/drop_caches
for d in rust c; do
	set -- $(echo "$drivers" | grep "^$d ")
	dev=$(losetup -f) && losetup -r "$dev" /tmp/bigdir.img || fail "losetup -r of the large-directory image failed"
	bigdevs="$bigdevs $dev"
	mount -t $2 -o ro,utf8 $dev /mnt/l$d || fail "mount -t $2 of the large-directory image failed"
done
for d in rust c; do
	$F/rvbench lookups ${d}_cold.run1 /mnt/l$d/big long-file-name-%05d.txt 70000 35 || fail "lookups failed"
done
# 2,000 dcache hits take about 10 ms, so a change of the host's load
# during the runs moves them: fifteen runs of each, Rust and C in turn.
for i in $(seq 15); do
	for d in rust c; do
		$F/rvbench lookups ${d}_warm.run$i /mnt/l$d/big long-file-name-%05d.txt 70000 35 || fail "lookups failed"
	done
done
must umount /mnt/lrust
must umount /mnt/lc
for dev in $bigdevs; do losetup -d $dev; done
rm -f /tmp/bigdir.img

step "the two drivers read the same bytes"
fresh_mount rust
r=$(sha256sum </mnt/r/seq.bin)
must umount /mnt/r
fresh_mount c
c=$(sha256sum </mnt/r/seq.bin)
must umount /mnt/r
[ "$r" = "$c" ] || fail "seq.bin differs between rust_vfat and vfat"
losetup -d $rloop
losetup -d $cloop
rm -f $img

step "writes, read-write mounts (utf8) of fresh copies of one empty FAT32 image (512-byte clusters), $WRITE_RUNS runs, the drivers in turn: a 32 MiB file written and fsynced; $SMALL_FILES files of $SMALL_BYTES bytes made in $SMALL_DIRS directories, $RENAMES of them renamed, all removed (each with syncfs); cp -r of a 500-file tree"
# The tree cp copies: 20 directories of 25 files, 1 byte to 16 KiB each
# (about 4 MiB), on the guest's RAM-backed root.
for i in $(seq 20); do
	mkdir -p /tmp/tree/dir$i
	for f in $(seq 25); do
		head -c $(((i * 25 + f) * 997 % 16384 + 1)) /dev/urandom >"/tmp/tree/dir$i/file $f of dir $i.bin"
	done
done
[ "$(find /tmp/tree -type f | wc -l)" = 500 ] || fail "the tree for cp -r does not have 500 files"
mkdir -p /mnt/w
for i in $(seq $WRITE_RUNS); do
	for d in rust c; do
		set -- $(echo "$drivers" | grep "^$d ")
		gunzip -c $F/write.img.gz >/tmp/write.img || fail "gunzip of the write image failed"
		dev=$(losetup -f) && losetup "$dev" /tmp/write.img || fail "losetup of the write image failed"
		mount -t $2 -o utf8 $dev /mnt/w || fail "mount -t $2 -o utf8 of the write image failed"
		$F/rvbench seqwrite $d.run$i /mnt/w/seq.bin 33554432 || fail "sequential write failed"
		mkdir /mnt/w/small
		$F/rvbench create $d.run$i /mnt/w/small $SMALL_DIRS $SMALL_FILES $SMALL_BYTES || fail "creating files failed"
		$F/rvbench rename $d.run$i /mnt/w/small $SMALL_DIRS $RENAMES $((SMALL_FILES / RENAMES)) || fail "renames failed"
		$F/rvbench unlink $d.run$i /mnt/w/small || fail "removing the files failed"
		$F/rvbench run cp_$d.run$i /mnt/w cp -r /tmp/tree /mnt/w/tree || fail "cp -r failed"
		[ "$(find /mnt/w/tree -type f | wc -l)" = 500 ] || fail "cp -r on $2 did not copy 500 files"
		must umount /mnt/w
		losetup -d $dev
		rm -f /tmp/write.img
	done
done
exit 0
