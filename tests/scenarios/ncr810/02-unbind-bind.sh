# Unbind and bind through sysfs: remove and probe (with its self-test) run
# each time; the interrupt count grows by the self-tests' interrupts.
. /bench/lib.sh
must modprobe rust_ncr810
dev=$(ncr810_devices)
drv=/sys/bus/pci/drivers/rust_ncr810
n0=$(ncr810_irqs)
for i in 1 2 3; do
	dmesg_mark
	echo $dev >$drv/unbind || fail "unbind failed"
	dmesg_has "rust_ncr810 $dev: remove: chip reset; freeing IRQ [0-9]+, the [0-9]+-byte DMA buffer and BAR1"
	[ -e /sys/bus/pci/devices/$dev/driver ] && fail "still bound after unbind"
	grep -q rust_ncr810 /proc/interrupts && fail "IRQ line still registered after remove"
	echo $dev >$drv/bind || fail "bind failed"
	dmesg_has "rust_ncr810 $dev: self-test: SCRIPTS INT 0x810"
	readlink /sys/bus/pci/devices/$dev/driver | grep -q rust_ncr810 || fail "not bound again"
done
n1=$(ncr810_irqs)
echo "interrupts on the line: $n0 before, $n1 after 3 rebinds"
# The line's count survives free_irq: each probe's self-test adds one.
[ "$n1" = $((n0 + 3)) ] || fail "want $((n0 + 3)) interrupts after 3 self-tests, have $n1"
exit 0
