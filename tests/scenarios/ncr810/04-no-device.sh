# harness: no-ncr810
# Without the hardware the module loads, binds nothing and unloads cleanly.
. /vm/lib.sh
check "an NCR 53C810 is present" [ -z "$(ncr810_devices)" ]
dmesg_mark
must modprobe rust_ncr810
ls /sys/bus/pci/drivers/rust_ncr810/ | grep -q ':' && fail "bound to something"
dmesg_new | grep -q 'self-test' && fail "probe ran without a device"
must rmmod rust_ncr810
loaded rust_ncr810 && fail "still loaded"
scenario_done
