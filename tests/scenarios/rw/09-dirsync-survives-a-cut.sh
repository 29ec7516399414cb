# harness: scsi-disks=$TEST_DATA/rw/fat16.img
# harness: files=$TEST_DATA/rw/pattern
# harness: host-check=scripts/check-fsynced-image.sh target/test-data/rw/pattern made.txt:0,newdir/inner.txt:0,renamed.bin:3000
# With dirsync, directory changes are on the disk when the call returns
# (fs/fat syncs the directory's blocks and the inode when IS_DIRSYNC):
# files created, a directory made, a file (synced before) renamed, then
# the disk is cut off while mounted; after power-off the host repairs a
# copy with fsck.fat -a and finds every name
# (scripts/check-fsynced-image.sh).
. /vm/lib.sh
coldplug
host=$(ncr810_scsi_host) || fail "no SCSI host of rust_ncr810"
dev=$(scsi_disk "$host" 0) || fail "no disk at target 0"
mkdir -p /mnt/w
must mount -t rust_vfat -o dirsync "$dev" /mnt/w
head -c 3000 /vm/files/pattern >/mnt/w/tomove.bin
sync
: >/mnt/w/made.txt
mkdir /mnt/w/newdir
: >/mnt/w/newdir/inner.txt
mv /mnt/w/tomove.bin /mnt/w/renamed.bin
step "cut: the disk goes away with the volume mounted"
must sh -c "echo 1 >/sys/bus/scsi/devices/$host:0:0:0/delete"
check "the disk is still there" [ ! -e /sys/bus/scsi/devices/$host:0:0:0 ]
scenario_done
