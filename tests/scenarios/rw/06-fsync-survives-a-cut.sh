# harness: scsi-disks=$TEST_DATA/rw/fat32.img
# harness: files=$TEST_DATA/rw/pattern $TEST_DATA/rwtool
# harness: host-check=scripts/check-fsynced-image.sh target/test-data/rw/pattern synced.bin:65536,dir/synced2.bin:30000,SMALL.TXT:7000
# fsync makes data durable: files written through rust_vfat (a new one,
# one in a new directory, an existing one rewritten) are fsynced, more is
# written without fsync, then the disk is cut off (the SCSI device is
# deleted, so nothing else reaches it) while still mounted. After
# power-off the host repairs a copy of the image with fsck.fat -a and
# finds every fsynced file exactly (scripts/check-fsynced-image.sh).
. /vm/lib.sh
coldplug
host=$(ncr810_scsi_host) || fail "no SCSI host of rust_ncr810"
dev=$(scsi_disk "$host" 0) || fail "no disk at target 0"
t=/vm/files/rwtool
p=/vm/files/pattern
mkdir -p /mnt/w
must mount -t rust_vfat "$dev" /mnt/w
head -c 65536 $p >/mnt/w/synced.bin
must $t fsync /mnt/w/synced.bin
mkdir /mnt/w/dir
head -c 30000 $p >/mnt/w/dir/synced2.bin
must $t fsync /mnt/w/dir/synced2.bin
head -c 7000 $p >/mnt/w/SMALL.TXT
must $t fsync /mnt/w/SMALL.TXT
# Not fsynced: may or may not reach the disk before the cut.
head -c 40000 $p >/mnt/w/unsynced.bin
rm /mnt/w/big.bin
step "cut: the disk goes away with the volume mounted"
must sh -c "echo 1 >/sys/bus/scsi/devices/$host:0:0:0/delete"
check "the disk is still there" [ ! -e /sys/bus/scsi/devices/$host:0:0:0 ]
scenario_done
