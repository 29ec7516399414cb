# harness: files=$TEST_DATA/images/fat12-basic.img
# rust_fat's exports enter the kernel symbol table attributed to [rust_fat],
# rust_vfat's calls are fixed up to them at load, and they leave with it.
. /vm/lib.sh
sym=fat_disk6format12lfn_checksum
grep -q "$sym" /proc/kallsyms && fail "symbol present before loading"
must modprobe rust_vfat
step "exports in /proc/kallsyms"
grep "$sym" /proc/kallsyms | grep -E ' T .*\[rust_fat\]$' || fail "lfn_checksum not in kallsyms as [rust_fat]"
n=$(grep -c 'fat_disk\|rust_fat_core' /proc/kallsyms)
echo "rust_fat format symbols in kallsyms: $n"
step "the consumer's call reached the exporter"
dmesg | grep -E 'rust_vfat: loaded: file system rust_vfat registered over rust_fat \(lfn_checksum\("README  TXT"\) = 0x73\)' ||
	fail "rust_vfat's init call across the module boundary is not in dmesg"
step "a volume mounted through the exported API"
mkdir -p /mnt/r
losetup -r /dev/loop0 /vm/files/fat12-basic.img || fail "losetup failed"
must mount -t rust_vfat /dev/loop0 /mnt/r
ls -la /mnt/r
check "README.TXT not found in the mounted volume" [ -f /mnt/r/README.TXT ]
must umount /mnt/r
losetup -d /dev/loop0
step "exports gone after unload"
must modprobe -r rust_vfat
grep -q "$sym" /proc/kallsyms && fail "symbol still present after unload"
scenario_done
