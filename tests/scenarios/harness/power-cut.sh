# harness: no-ncr810
# harness: timeout=60
# The runner's power cut (scripts/vm-run.sh): a guest that prints
# "VM-CUT <ms>" is killed by the host that many milliseconds later, and
# the run passes (it declared its checks first). A runner that does not
# cut lets the loop below run out, and the guest fails.
. /vm/lib.sh
check "the run number is there (runs= not set: none)" [ ! -e /vm/run ]
echo "scenario-done: $CHECKS checks"
echo "VM-CUT 300"
i=0
while [ $i -lt 200 ]; do
	usleep 50000
	i=$((i + 1))
done
fail "still running 10 s after asking for a power cut at 300 ms"
