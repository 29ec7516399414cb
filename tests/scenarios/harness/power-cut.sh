# harness: no-ncr810
# harness: timeout=60
# The runner's power cut (scripts/vm-run.sh): a guest that prints
# "VM-CUT <ms>" is killed by the host that many milliseconds later, and
# the run passes (it declared its checks first). A runner that does not
# cut lets power_cut_now (/vm/lib.sh) wait 10 s, and the guest fails.
. /vm/lib.sh
check "the run number is there (runs= not set: none)" [ ! -e /vm/run ]
power_cut_now 300
