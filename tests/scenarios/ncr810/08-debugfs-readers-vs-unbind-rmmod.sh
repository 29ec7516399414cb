# Background readers of the debugfs state file while the driver is unbound
# and bound again, then while the module is removed and loaded again, three
# times each in make check and five in make soak (the readers spin all the
# while: each cycle costs about 0.3 s of emulated CPU). One reader opens, reads and closes in a loop (cat);
# the other holds the file open across two reads. A read gives the whole
# state or fails cleanly: no such file once it is removed, EIO through a
# file open across the removal. The file holds nothing, so rmmod succeeds
# at once whatever the readers do, and nothing may warn: with an owner in
# the file_operations, an open racing rmmod warned in
# full_proxy_open_regular ("debugfs file owner did not clean up at exit").
. /vm/lib.sh
must modprobe rust_ncr810
dev=$(ncr810_devices)
f=/sys/kernel/debug/rust_ncr810-$dev/state
drv=/sys/bus/pci/drivers/rust_ncr810
# The errors of a clean failure, as cat and the shell ("no such file") word them.
clean='No such file or directory|no such file|Input/output error'
rm -f /tmp/stop
: >/tmp/cat.log
: >/tmp/held.log
: >/tmp/held.err

# One line per read in /tmp/cat.log: "ok", "bad ..." or "fail <cat's error>".
reader_cat() {
	while [ ! -e /tmp/stop ]; do
		if cat "$f" >/tmp/cat.out 2>/tmp/cat.err; then
			if grep -q '^scsi_id: 7$' /tmp/cat.out; then echo ok; else echo "bad: read $(wc -c </tmp/cat.out) bytes without the state"; fi
		else
			echo "fail $(cat /tmp/cat.err)"
		fi >>/tmp/cat.log
	done
}
# Opens, reads, waits 20 ms, reads again (at the end: nothing, or EIO once
# the file is removed), closes, waits 10 ms. Errors (the shell's for the
# open) go to /tmp/held.err.
reader_held() {
	while [ ! -e /tmp/stop ]; do
		if { cat >/dev/null && usleep 20000 && cat >/dev/null; } 2>>/tmp/held.err <"$f"; then
			echo ok
		else
			echo fail
		fi >>/tmp/held.log
		usleep 10000
	done
}
cat_fails() { grep -c '^fail' /tmp/cat.log; }
# Waits (up to 5 s) until the cat reader has failed once more than $1 times.
wait_cat_fail() {
	_n=0
	while [ "$(cat_fails)" -le "$1" ]; do
		_n=$((_n + 1))
		[ $_n -le 100 ] || fail "the background reader read nothing that failed in 5 s"
		usleep 50000
	done
}

N=$(reps 3 5)
reader_cat &
p1=$!
reader_held &
p2=$!
sleep 1

step "unbind and bind $N times under the readers"
for i in $(seq $N); do
	n=$(cat_fails)
	echo $dev >$drv/unbind || fail "unbind $i failed"
	check "still bound after unbind $i" [ ! -e /sys/bus/pci/devices/$dev/driver ]
	must_fail cat "$f"
	echo "$OUT" | grep -q 'No such file or directory' || fail "read after unbind $i did not fail cleanly: $OUT"
	wait_cat_fail "$n"
	echo $dev >$drv/bind || fail "bind $i failed"
	check "state after bind $i lacks the SCSI ID" grep -q '^scsi_id: 7$' "$f"
	usleep 200000
done

step "rmmod and modprobe $N times under the readers"
for i in $(seq $N); do
	must rmmod rust_ncr810
	loaded rust_ncr810 && fail "still loaded after rmmod $i"
	n=$(cat_fails)
	wait_cat_fail "$n"
	must modprobe rust_ncr810
	check "not bound after modprobe $i" [ -e /sys/bus/pci/devices/$dev/driver ]
	usleep 200000
done

touch /tmp/stop
wait $p1 $p2

step "what the readers saw"
echo "cat reader: $(grep -c '^ok$' /tmp/cat.log) whole reads, $(cat_fails) failed reads:"
sed -n 's/^fail .*: //p' /tmp/cat.log | sort | uniq -c
echo "holding reader: $(grep -c '^ok$' /tmp/held.log) clean, $(grep -c '^fail$' /tmp/held.log) failed opens or reads:"
sed 's/.*: //' /tmp/held.err | sort | uniq -c
grep '^bad' /tmp/cat.log | head -3 | grep . && fail "a successful read lacked the state"
grep '^fail' /tmp/cat.log | grep -Ev "$clean" | head -3 | grep . && fail "a read failed other than cleanly"
grep -Ev "$clean" /tmp/held.err | head -3 | grep . && fail "a held read failed other than cleanly"
check "the cat reader never read the state" [ "$(grep -c '^ok$' /tmp/cat.log)" -gt 0 ]

step "afterwards"
[ "$(refcount rust_ncr810)" = 0 ] || fail "use count $(refcount rust_ncr810) with no reader left, want 0"
check "state lacks the SCSI ID" grep -q '^scsi_id: 7$' "$f"
must rmmod rust_ncr810
loaded rust_ncr810 && fail "still loaded after the last rmmod"
no_kernel_problems
scenario_done
