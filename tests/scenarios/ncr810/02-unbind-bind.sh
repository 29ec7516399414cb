# Unbind and bind through sysfs: remove and probe (with its self-test) run
# each time; the interrupt count grows by what each probe's self-test and
# bus scan raise (one INT, one selection time-out per absent target), the
# same each time.
. /vm/lib.sh
must modprobe rust_ncr810
dev=$(ncr810_devices)
drv=/sys/bus/pci/drivers/rust_ncr810
n0=$(ncr810_irqs)
for i in 1 2 3; do
	dmesg_mark
	echo $dev >$drv/unbind || fail "unbind failed"
	dmesg_has "rust_ncr810 $dev: remove: chip reset; freeing IRQ [0-9]+, the [0-9]+-byte DMA buffer and BAR1"
	check "still bound after unbind" [ ! -e /sys/bus/pci/devices/$dev/driver ]
	grep -q rust_ncr810 /proc/interrupts && fail "IRQ line still registered after remove"
	echo $dev >$drv/bind || fail "bind failed"
	dmesg_has "rust_ncr810 $dev: self-test: SCRIPTS INT 0x810"
	readlink /sys/bus/pci/devices/$dev/driver | grep -q rust_ncr810 || fail "not bound again"
done
n1=$(ncr810_irqs)
echo "interrupts on the line: $n0 before, $n1 after 3 rebinds"
# The line's count survives free_irq; the first probe raised n0.
check "no interrupts from the first probe" [ "$n0" -gt 0 ]
[ "$n1" = $((n0 * 4)) ] || fail "want $((n0 * 4)) interrupts after 3 more probes of $n0 each, have $n1"
scenario_done
