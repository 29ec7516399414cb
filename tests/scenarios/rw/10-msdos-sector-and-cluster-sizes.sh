# harness: scsi-disks=$TEST_DATA/rw/fat12-4k-sectors.img $TEST_DATA/rw/fat12-4k-sectors.img $TEST_DATA/rw/fat12-64k-clusters.img $TEST_DATA/rw/fat12-64k-clusters.img
# harness: files=$TEST_DATA/rw/pattern $TEST_DATA/rwtool tests/guest/rw-workload.sh tests/guest/rw-scenario.sh
# harness: host-check=scripts/compare-fat-images.sh
# harness: timeout=300
# rw/08 for msdos against rust_msdos: the 8.3 workload on 4,096-byte
# logical sectors and on 64 KiB clusters, compared in the guest and,
# after power-off, with mtools and fsck.fat -n.
. /vm/lib.sh
. /vm/files/rw-workload.sh
RW_FS="msdos rust_msdos" RW_NAMES=short RW_OPTS=dots RW_KINDS="fat12-4k-sectors fat12-64k-clusters"
# make check runs some of the kinds (every FAT type is in one of rw/01
# and rw/02), make soak all of them.
RW_RUN=$(reps fat12-64k-clusters "fat12-4k-sectors fat12-64k-clusters")
. /vm/files/rw-scenario.sh
