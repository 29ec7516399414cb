# The hardware brings the driver: with the device present and nothing
# loaded, coldplug (modprobe of each device's modalias) loads rust_ncr810
# from its pci:v00001000d00000001 alias, and it binds.
. /vm/lib.sh
modinfo rust_ncr810 | grep -E '^alias:\s+pci:v00001000d00000001sv\*sd\*bc\*sc\*i\*$' || fail "no PCI alias"
loaded rust_ncr810 && fail "loaded before coldplug"
dev=$(ncr810_devices)
check "no NCR 53C810 present" [ -n "$dev" ]
echo "device $dev, modalias $(cat /sys/bus/pci/devices/$dev/modalias)"
dmesg_mark
coldplug_pci
loaded rust_ncr810 || fail "coldplug did not load rust_ncr810"
readlink /sys/bus/pci/devices/$dev/driver | grep -q '/rust_ncr810$' || fail "$dev not bound to rust_ncr810"
dmesg_has "rust_ncr810 $dev: NCR 53C810 rev 0x[0-9a-f]+ \(CTEST3 rev [0-9]+\), BAR1 MMIO 0x[0-9a-f]+, SCSI ID 7, IRQ [0-9]+"
dmesg_has "rust_ncr810 $dev: self-test: SCRIPTS INT 0x810 from DMA buffer 0x[0-9a-f]+ raised IRQ [0-9]+ \(DSTAT 0x[0-9a-f]+, DSPS 0x810\)"
step "state in debugfs"
cat /sys/kernel/debug/rust_ncr810-$dev/state | head -8
check "debugfs state lacks the SCSI ID" grep -q '^scsi_id: 7$' /sys/kernel/debug/rust_ncr810-$dev/state
check "debugfs state lacks the register dump" grep -q '^0x14 ISTAT ' /sys/kernel/debug/rust_ncr810-$dev/state
grep rust_ncr810 /proc/interrupts || fail "no rust_ncr810 line in /proc/interrupts"
scenario_done
