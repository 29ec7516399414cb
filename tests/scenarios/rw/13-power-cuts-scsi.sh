# harness: scsi-disks=$TEST_DATA/rw/fat32.img $TEST_DATA/rw/fat32.img
# harness: files=$TEST_DATA/rw/pattern $TEST_DATA/powercut scripts/power-cut-guest.sh
# harness: runs=1 50
# harness: timeout=90
# harness: host-check=scripts/power-cut-check.py --pattern $TEST_DATA/rw/pattern --original $TEST_DATA/rw/fat32.img --tags rust_vfat,vfat --strict rust_vfat --no-cross-links rust_vfat
# harness: host-summary=scripts/power-cut-summary.py rust_vfat:vfat
# Power cuts on SCSI disks behind rust_ncr810: the same write workload
# (tests/guest/powercut.c: creates, writes, appends, truncates, renames,
# unlinks, fsyncs, with the seed of the run) on rust_vfat (target 0) and on
# the C vfat (target 1), two copies of one FAT32 volume, both at once; the
# host kills QEMU at a point from the run's seed (VM-CUT). After each cut
# scripts/power-cut-check.py repairs copies of both images with fsck.fat -a
# and checks the fsynced files, the removed names and the files the
# workload never touched, and on rust_vfat that no two files share
# clusters (a SCSI write QEMU completed is in the image, so a rename's
# order holds: rw/21); scripts/power-cut-summary.py adds up what fsck
# repaired over all runs and requires rust_vfat to be no worse than vfat.
. /vm/lib.sh
. /vm/files/power-cut-guest.sh
coldplug
host=$(ncr810_scsi_host) || fail "no SCSI host of rust_ncr810"
rust=$(scsi_disk "$host" 0) || fail "no disk at target 0"
c=$(scsi_disk "$host" 1) || fail "no disk at target 1"
mkdir -p /mnt/rust /mnt/c
must mount -t rust_vfat "$rust" /mnt/rust
must mount -t vfat "$c" /mnt/c
power_cut rust_vfat /mnt/rust vfat /mnt/c
