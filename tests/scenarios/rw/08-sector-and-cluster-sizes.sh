# harness: scsi-disks=$TEST_DATA/rw/fat12-4k-sectors.img $TEST_DATA/rw/fat12-4k-sectors.img $TEST_DATA/rw/fat12-64k-clusters.img $TEST_DATA/rw/fat12-64k-clusters.img
# harness: files=$TEST_DATA/rw/pattern $TEST_DATA/rwtool tests/guest/rw-workload.sh tests/guest/rw-scenario.sh
# harness: host-check=scripts/compare-fat-images.sh
# harness: timeout=300
# rw/01 at the ends of the sizes fs/fat takes: 4,096-byte logical
# sectors (the block size the file system sets is 4 KiB on a disk of
# 512-byte sectors) and 64 KiB clusters, vfat against rust_vfat, compared
# in the guest and, after power-off, with mtools and fsck.fat -n.
. /vm/lib.sh
. /vm/files/rw-workload.sh
RW_FS="vfat rust_vfat" RW_NAMES=long RW_OPTS=utf8 RW_KINDS="fat12-4k-sectors fat12-64k-clusters"
# make check runs some of the kinds (every FAT type is in one of rw/01
# and rw/02), make soak all of them.
RW_RUN=$(reps fat12-4k-sectors "fat12-4k-sectors fat12-64k-clusters")
. /vm/files/rw-scenario.sh
