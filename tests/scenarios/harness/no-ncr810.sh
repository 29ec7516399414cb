# harness: no-ncr810
# The documented switch leaves the default controller out.
. /vm/lib.sh
n=$(grep -l 'PCI_ID=1000:0001' /sys/bus/pci/devices/*/uevent | wc -l)
check_eq "1000:0001 devices present with no-ncr810" "$n" 0
scenario_done
