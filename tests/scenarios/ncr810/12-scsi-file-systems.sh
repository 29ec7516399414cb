# harness: scsi-disks=$TEST_DATA/scsi/fat16.img $TEST_DATA/scsi/blank-64m.img
# harness: timeout=180
# Real file systems on disks behind rust_ncr810, and the whole classic
# story on one line of hardware: the disk appears, rust_ncr810 loads,
# `mount -t rust_vfat` loads rust_vfat and rust_fat, the files equal what
# the C vfat shows, and after the unmount the modules go when idle.
# Target 0 holds a FAT16 volume the host made; target 1 is empty: the
# guest makes a FAT file system on it with mkdosfs and fills it with the
# C vfat.
. /vm/lib.sh
kmod_idle_after 2
mkdir -p /mnt/r /mnt/c
coldplug
host=$(ncr810_scsi_host) || fail "no SCSI host of rust_ncr810"
d0=$(scsi_disk "$host" 0) || fail "no disk at target 0"
d1=$(scsi_disk "$host" 1) || fail "no disk at target 1"

step "the host's FAT16 volume: rust_vfat (loaded on demand) against the C vfat"
loaded rust_vfat && fail "rust_vfat loaded before the mount"
must mount -t rust_vfat -o ro "$d0" /mnt/r
loaded rust_vfat && loaded rust_fat || fail "the mount did not load rust_vfat and rust_fat"
fs_snapshot /mnt/r /tmp/rust.txt
must umount /mnt/r
must mount -t vfat -o ro "$d0" /mnt/c
fs_snapshot /mnt/c /tmp/c.txt
must umount /mnt/c
echo "$(wc -l </tmp/rust.txt) lines of snapshot"
diff /tmp/c.txt /tmp/rust.txt || fail "rust_vfat and vfat differ on $d0"

step "a FAT volume made and filled in the guest, through rust_ncr810"
must mkdosfs -F 16 -n NCR810 "$d1"
must mount -t vfat "$d1" /mnt/c
# A tree of real files: the module tree (its build symlinks left out).
(cd / && find lib/modules vm -type f) >/tmp/tree
while read -r f; do
	mkdir -p "/mnt/c/${f%/*}" && cp "/$f" "/mnt/c/$f" || fail "copying $f failed"
done </tmp/tree
dd if=/dev/urandom of=/mnt/c/random.bin bs=1M count=12 2>/dev/null
(cd /mnt/c && find . -type f -exec sha256sum {} + | sort -k2) >/tmp/written.txt
must umount /mnt/c
echo 3 >/proc/sys/vm/drop_caches
must mount -t vfat -o ro "$d1" /mnt/c
(cd /mnt/c && find . -type f -exec sha256sum {} + | sort -k2) >/tmp/c-again.txt
fs_snapshot /mnt/c /tmp/c1.txt
must umount /mnt/c
diff /tmp/written.txt /tmp/c-again.txt || fail "the C vfat reads back other files after a remount"
must mount -t rust_vfat -o ro "$d1" /mnt/r
(cd /mnt/r && find . -type f -exec sha256sum {} + | sort -k2) >/tmp/rust-files.txt
fs_snapshot /mnt/r /tmp/r1.txt
diff /tmp/written.txt /tmp/rust-files.txt || fail "rust_vfat reads other files than were written"
diff /tmp/c1.txt /tmp/r1.txt || fail "rust_vfat and vfat differ on $d1"
echo "$(wc -l </tmp/written.txt) files equal"
must umount /mnt/r

step "unmounted: the file system modules go when idle, the disk driver stays"
wait_unloaded 10 rust_vfat rust_fat
loaded rust_ncr810 || fail "rust_ncr810 went away"
scenario_done
