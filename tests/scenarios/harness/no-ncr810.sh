# harness: no-ncr810
# The documented switch leaves the default controller out.
. /vm/lib.sh
if grep -l 'PCI_ID=1000:0001' /sys/bus/pci/devices/*/uevent; then
	fail "a 1000:0001 device is present although no-ncr810 was given"
fi
exit 0
