# bench: files=$BENCH_DATA/images/fat12-basic.img
# rust_fat's exports enter the kernel symbol table attributed to [rust_fat],
# rust_vfat's calls are fixed up to them at load, and they leave with it.
. /bench/lib.sh
sym=rust_fat_core6format12lfn_checksum
grep -q "$sym" /proc/kallsyms && fail "symbol present before loading"
must modprobe rust_vfat
step "exports in /proc/kallsyms"
grep "$sym" /proc/kallsyms | grep -E ' T .*\[rust_fat\]$' || fail "lfn_checksum not in kallsyms as [rust_fat]"
n=$(grep -c 'rust_fat_core6format' /proc/kallsyms)
echo "rust_fat format symbols in kallsyms: $n"
step "the consumer's call reached the exporter"
dmesg | grep -E 'rust_vfat: loaded: using rust_fat.s exports \(lfn_checksum\("README  TXT"\) = 0x73\)' ||
	fail "rust_vfat's init call across the module boundary is not in dmesg"
step "an image listed through the exported API"
exec 3<>/dev/rust_vfat
cat /bench/files/fat12-basic.img >&3
cat <&3 >/tmp/listing || fail "listing failed"
exec 3<&-
cat /tmp/listing
grep -qx "$(printf 'label\tBASIC12')" /tmp/listing || fail "no label line"
step "exports gone after unload"
must modprobe -r rust_vfat
grep -q "$sym" /proc/kallsyms && fail "symbol still present after unload"
exit 0
