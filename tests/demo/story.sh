# The demonstration, told in order in the kernel log: the Rust stack and
# its C twin side by side.
. /vm/lib.sh
say() { echo "$*"; echo "demo: $*" >/dev/kmsg; }
img=/vm/files/fat12-basic.img

say "1. insmod links code into the running kernel; the symbol table fixes up references at load"
insmod "$(modinfo -n rust_vfat)" 2>&1 | sed 's/^/   /'
say "   rust_vfat alone cannot load: rust_fat's exports are missing"
say "2. modules stack: modprobe loads rust_fat first (depends: $(modinfo -F depends rust_vfat))"
modprobe rust_vfat
lsmod | grep -E '^(rust_fat|rust_vfat) ' | sed 's/^/   /'
say "   the C twin: modprobe vfat loads fat first (depends: $(modinfo -F depends vfat))"
modprobe vfat
lsmod | grep -E '^(fat|vfat) ' | sed 's/^/   /'
say "3. rust_fat's exports in /proc/kallsyms: $(grep -Ec '(fat_disk|rust_fat_core).*\[rust_fat\]' /proc/kallsyms) symbols of [rust_fat]"
modprobe -r rust_vfat
modprobe -r vfat
say "4. demand loading: mount -t rust_vfat with nothing loaded makes the kernel run modprobe fs-rust_vfat"
mkdir -p /mnt/r /mnt/c
losetup -r /dev/loop0 $img
losetup -r /dev/loop1 $img
lsmod | grep -cE '^rust_(v?fat) ' | sed 's/^/   Rust FAT modules loaded before the mount: /'
mount -t rust_vfat -o utf8 /dev/loop0 /mnt/r
lsmod | grep -E '^rust_' | sed 's/^/   /'
say "   the C twin: mount -t vfat loads vfat and fat"
mount -t vfat -o ro,utf8 /dev/loop1 /mnt/c
lsmod | grep -E '^v?fat ' | sed 's/^/   /'
say "5. real work: the same files through both drivers"
(cd /mnt/r && find . -type f -exec sha256sum {} +) >/tmp/r.sum
(cd /mnt/c && find . -type f -exec sha256sum {} +) >/tmp/c.sum
sed 's/^/   /' /tmp/r.sum
cmp -s /tmp/r.sum /tmp/c.sum && say "   rust_vfat and vfat show the same $(wc -l </tmp/r.sum) files with the same bytes"
say "6. a module in use cannot be unloaded"
rmmod rust_vfat 2>&1 | sed 's/^/   /'
rmmod rust_fat 2>&1 | sed 's/^/   /'
rmmod fat 2>&1 | sed 's/^/   /'
say "7. unmounting: once unused for 2 s, kmod-idled removes what the kernel loaded on demand (as kerneld did)"
echo IDLE_SECONDS=2 >/etc/kmod-idled.conf
kill -HUP "$(cat /run/kmod-idled.pid)"
umount /mnt/r
umount /mnt/c
lsmod | grep -E '^(rust_)?v?fat ' | sed 's/^/   just after the unmount: /'
i=0
while [ $i -lt 20 ] && grep -qE '^(rust_)?v?fat ' /proc/modules; do sleep 0.5; i=$((i + 1)); done
lsmod | grep -cE '^(rust_)?v?fat ' | sed 's/^/   FAT modules loaded 2 s later: /'
echo IDLE_SECONDS=0 >/etc/kmod-idled.conf
kill -HUP "$(cat /run/kmod-idled.pid)"
say "8. version checks: a module built for another ABI or kernel is refused"
V=/vm/files/variants
insmod $V/abi/rust_fat.ko
insmod "$(modinfo -n rust_vfat)" 2>&1 | sed 's/^/   /'
rmmod rust_fat
insmod $V/vermagic/rust_fat.ko 2>&1 | sed 's/^/   /'
rmmod rust_fat 2>/dev/null
say "9. hardware brings its driver: coldplug runs modprobe for each PCI device's modalias, then for each SCSI device's"
coldplug
for d in /sys/bus/pci/devices/*; do
	[ "$(readlink $d/driver 2>/dev/null | sed 's|.*/||')" = rust_ncr810 ] && echo "   $(basename $d) -> rust_ncr810 ($(cat $d/modalias))"
done
grep rust_ncr810 /proc/interrupts | sed 's/^/   /'
host=$(ncr810_scsi_host) && disk=$(scsi_disk "$host" 0) || fail "the NCR 810's disk did not appear"
say "   rust_ncr810's bus scan found a disk: $disk, $(blockdev --getsize64 $disk) bytes, read through the SCRIPTS processor"
say "10. the classic story on one line of hardware: mount -t rust_vfat $disk loads rust_vfat and rust_fat"
lsmod | grep -cE '^rust_v?fat ' | sed 's/^/   Rust FAT modules loaded before the mount: /'
echo IDLE_SECONDS=2 >/etc/kmod-idled.conf
kill -HUP "$(cat /run/kmod-idled.pid)"
mount -t rust_vfat -o ro,utf8 $disk /mnt/r || fail "mount -t rust_vfat $disk failed"
lsmod | grep -E '^(rust_|sd_mod)' | sed 's/^/   /'
(cd /mnt/r && find . -type f -exec sha256sum {} + | sort -k2) >/tmp/r.sum
umount /mnt/r
mount -t vfat -o ro,utf8 $disk /mnt/c || fail "mount -t vfat $disk failed"
(cd /mnt/c && find . -type f -exec sha256sum {} + | sort -k2) >/tmp/c.sum
umount /mnt/c
cmp -s /tmp/r.sum /tmp/c.sum && say "   rust_vfat and vfat read the same $(wc -l </tmp/r.sum) files from the disk behind rust_ncr810"
say "   the write half: rust_vfat writes a file there, vfat reads it back after remounting"
mount -t rust_vfat -o utf8 $disk /mnt/r || fail "mount -t rust_vfat $disk (read-write) failed"
head -c 262144 /dev/urandom >/tmp/w.bin
cp /tmp/w.bin "/mnt/r/Written by rust_vfat.bin"
umount /mnt/r
mount -t vfat -o ro,utf8 $disk /mnt/c || fail "mount -t vfat $disk failed"
cmp -s /tmp/w.bin "/mnt/c/Written by rust_vfat.bin" || fail "vfat does not read what rust_vfat wrote"
say "   vfat reads the $(stat -c %s "/mnt/c/Written by rust_vfat.bin") bytes rust_vfat wrote, byte for byte (fsck.fat checks the disk on the host after power-off)"
umount /mnt/c
wait_unloaded 10 rust_vfat rust_fat
say "   unmounted and idle for 2 s: kmod-idled removed rust_vfat and rust_fat; rust_ncr810 stays, its disk is open to nobody"
echo IDLE_SECONDS=0 >/etc/kmod-idled.conf
kill -HUP "$(cat /run/kmod-idled.pid)"
say "11. unloading the driver takes its SCSI host down and gives back the IRQ, the DMA buffer and the BAR"
rmmod rust_ncr810
[ -e "$disk" ] || say "   $disk is gone with it"
say "--- the story in the kernel log ---"
dmesg | grep -E 'demo:|rust_fat|rust_vfat|rust_ncr810|kmod-idled|version magic|Unknown symbol|disagrees|scsi host|sd [0-9:]+: \[sd' | grep -vE 'KTAP|# |ok [0-9]|Subtest' | cut -c1-170
exit 0
