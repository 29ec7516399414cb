# harness: scsi-disks=$TEST_DATA/rw/fat32.img $TEST_DATA/rw/fat16.img $TEST_DATA/scsi/blank-64m.img
# harness: files=$TEST_DATA/rw/pattern $TEST_DATA/rwtool $TEST_DATA/rvbench tests/guest/rw-workload.sh
# harness: timeout=900
# On the debug kernel (KASAN, kmemleak, lockdep), the write side and the
# tagged queue: the rw workload through rust_vfat and rust_msdos on disks
# behind rust_ncr810 (creates, writes, truncates, renames, unlinks of
# open files, O_DIRECT, mmap), a remount read-only and back, random
# 4 KiB I/O at queue depth 16 on a third disk, the disks deleted and
# rust_ncr810 unbound under I/O, every module unloaded; then kmemleak must
# report nothing our modules allocated. KASAN and lockdep reports fail
# the run through the harness's BUG:/WARNING: check of the console log.
. /vm/lib.sh
. /vm/files/rw-workload.sh
F=/vm/files
kmemleak_start
coldplug
host=$(ncr810_scsi_host) || fail "no SCSI host of rust_ncr810"
d0=$(scsi_disk "$host" 0) || fail "no disk at target 0"
d1=$(scsi_disk "$host" 1) || fail "no disk at target 1"
d2=$(scsi_disk "$host" 2) || fail "no disk at target 2"
mkdir -p /mnt/w

step "the rw workload on rust_vfat (FAT32), with a remount read-only and back"
must mount -t rust_vfat -o utf8 "$d0" /mnt/w
rw_workload /mnt/w long /tmp/vfat.log
must mount -o remount,ro /mnt/w
must_fail touch /mnt/w/refused
must mount -o remount,rw /mnt/w
must touch /mnt/w/after-remount
must umount /mnt/w

step "the rw workload on rust_msdos (FAT16)"
must mount -t rust_msdos "$d1" /mnt/w
rw_workload /mnt/w short /tmp/msdos.log
must umount /mnt/w

step "random 4 KiB I/O at queue depth 16 on $d2, then the disks go away under I/O"
must $F/rvbench randrw debug "$d2" 2000 3 16 direct
(while dd if="$d2" of=/dev/null bs=64k iflag=direct 2>/dev/null; do :; done) &
reader=$!
sleep 1
echo 1 >/sys/block/${d0#/dev/}/device/delete
pci=$(ncr810_devices)
echo "$pci" >/sys/bus/pci/drivers/rust_ncr810/unbind
wait $reader
echo "$pci" >/sys/bus/pci/drivers/rust_ncr810/bind
host=$(ncr810_scsi_host) || fail "no SCSI host after bind"
d=$(scsi_disk "$host" 2) || fail "no disk at target 2 after bind"
must dd if="$d" of=/dev/null bs=1M count=4 iflag=direct

step "every module unloaded"
for m in rust_vfat rust_msdos; do ! loaded $m || must modprobe -r $m; done
# sd holds rust_ncr810 through the disks: unbind first.
echo "$pci" >/sys/bus/pci/drivers/rust_ncr810/unbind
must rmmod rust_ncr810
loaded rust_fat && fail "rust_fat still loaded after its users went"

kmemleak_check
scenario_done
