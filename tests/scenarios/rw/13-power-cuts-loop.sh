# harness: scsi-disks=$TEST_DATA/rw/fat16.img $TEST_DATA/rw/fat16.img
# harness: files=$TEST_DATA/rw/pattern $TEST_DATA/powercut scripts/power-cut-guest.sh
# harness: runs=1 50
# harness: timeout=90
# harness: host-check=scripts/power-cut-check.py --pattern $TEST_DATA/rw/pattern --original $TEST_DATA/rw/fat16.img --tags rust_vfat,vfat --strict rust_vfat
# harness: host-summary=scripts/power-cut-summary.py rust_vfat:vfat
# Power cuts on loop devices: as rw/13-power-cuts-scsi, but each FAT16
# volume is mounted through a loop device over its SCSI disk (losetup on
# /dev/sdX, buffered), so the writes go through loop's own path: into the
# SCSI disk's page cache, written back from there, and fsync reaches the
# disk through loop's flush. The images are the SCSI disks themselves,
# checked on the host after the cut. Cross-links are counted, not failed:
# loop completes a write once it is in the disk's page cache, so no order
# of writes survives a cut without a flush (a rename issues none, as in C).
. /vm/lib.sh
. /vm/files/power-cut-guest.sh
coldplug
host=$(ncr810_scsi_host) || fail "no SCSI host of rust_ncr810"
rust=$(scsi_disk "$host" 0) || fail "no disk at target 0"
c=$(scsi_disk "$host" 1) || fail "no disk at target 1"
must losetup /dev/loop0 "$rust"
must losetup /dev/loop1 "$c"
check "loop0 is buffered, not direct I/O" [ "$(cat /sys/block/loop0/loop/dio)" = 0 ]
mkdir -p /mnt/rust /mnt/c
must mount -t rust_vfat /dev/loop0 /mnt/rust
must mount -t vfat /dev/loop1 /mnt/c
power_cut rust_vfat /mnt/rust vfat /mnt/c
