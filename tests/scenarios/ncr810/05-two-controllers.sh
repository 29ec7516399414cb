# harness: qemu-args=-device lsi53c810
# With a second controller both bind, each reporting its own BAR.
. /vm/lib.sh
set -- $(ncr810_devices)
check "expected 2 controllers, found $#" [ $# = 2 ]
dmesg_mark
coldplug_pci
for dev in "$@"; do
	readlink /sys/bus/pci/devices/$dev/driver | grep -q rust_ncr810 || fail "$dev not bound"
	dmesg_has "rust_ncr810 $dev: NCR 53C810 .* BAR1 MMIO 0x[0-9a-f]+"
done
bars=$(dmesg_new | sed -n 's/.*BAR1 MMIO \(0x[0-9a-f]*\).*/\1/p' | sort -u | wc -l)
check "the two controllers did not report two different BARs" [ "$bars" = 2 ]
scenario_done
