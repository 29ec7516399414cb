# The demonstration, told in order in the kernel log: the Rust stack and
# its C twin side by side.
. /bench/lib.sh
say() { echo "$*"; echo "demo: $*" >/dev/kmsg; }
img=/bench/files/fat12-basic.img

say "1. insmod links code into the running kernel; the symbol table fixes up references at load"
insmod "$(modinfo -n rust_vfat)" 2>&1 | sed 's/^/   /'
say "   rust_vfat alone cannot load: rust_fat's exports are missing"
say "2. modules stack: modprobe loads rust_fat first (depends: $(modinfo -F depends rust_vfat))"
modprobe rust_vfat
lsmod | grep -E '^(rust_fat|rust_vfat) ' | sed 's/^/   /'
say "   the C twin: modprobe vfat loads fat first (depends: $(modinfo -F depends vfat))"
modprobe vfat
lsmod | grep -E '^(fat|vfat) ' | sed 's/^/   /'
say "3. rust_fat's exports in /proc/kallsyms: $(grep -c 'rust_fat_core6format.*\[rust_fat\]' /proc/kallsyms) symbols of [rust_fat]"
say "4. real work: listing a FAT12 image through /dev/rust_vfat, and through the C vfat driver"
exec 3<>/dev/rust_vfat
cat $img >&3
cat <&3 | sed 's/^/   /'
exec 3<&-
mkdir -p /mnt/c
loop_mount $img /mnt/c ro,utf8
ls -a /mnt/c | sed 's/^/   C vfat: /'
loop_umount /mnt/c
say "5. a module in use cannot be unloaded"
rmmod rust_fat 2>&1 | sed 's/^/   /'
rmmod fat 2>&1 | sed 's/^/   /'
say "6. unloading: each module is told to clean up"
modprobe -r rust_vfat
modprobe -r vfat
say "7. demand loading: opening 10:243 with nothing loaded makes the kernel run modprobe"
mknod /tmp/rust_vfat c 10 243
exec 3<>/tmp/rust_vfat
exec 3<&-
lsmod | grep -E '^rust_' | sed 's/^/   /'
modprobe -r rust_vfat
say "   the C twin: mount -t vfat loads vfat and fat"
loop_mount $img /mnt/c ro
lsmod | grep -E '^v?fat ' | sed 's/^/   /'
loop_umount /mnt/c
modprobe -r vfat
say "8. version checks: a module built for another ABI or kernel is refused"
V=/bench/files/variants
insmod $V/abi/rust_fat.ko
insmod "$(modinfo -n rust_vfat)" 2>&1 | sed 's/^/   /'
rmmod rust_fat
insmod $V/vermagic/rust_fat.ko 2>&1 | sed 's/^/   /'
rmmod rust_fat 2>/dev/null
say "9. hardware brings its driver: coldplug runs modprobe for each PCI device's modalias"
for m in /sys/bus/pci/devices/*/modalias; do modprobe -q "$(cat $m)" 2>/dev/null; done
for d in /sys/bus/pci/devices/*; do
	[ "$(readlink $d/driver 2>/dev/null | sed 's|.*/||')" = rust_ncr810 ] && echo "   $(basename $d) -> rust_ncr810 ($(cat $d/modalias))"
done
grep rust_ncr810 /proc/interrupts | sed 's/^/   /'
say "10. unbinding and unloading give back the IRQ, the DMA buffer and the BAR"
rmmod rust_ncr810
say "--- the story in the kernel log ---"
dmesg | grep -E 'demo:|rust_fat|rust_vfat|rust_ncr810|version magic|Unknown symbol|disagrees' | grep -vE 'KTAP|# |ok [0-9]|Subtest' | cut -c1-170
exit 0
