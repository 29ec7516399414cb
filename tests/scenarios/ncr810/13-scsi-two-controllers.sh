# harness: scsi-disks=$TEST_DATA/scsi/blank-64m.img $TEST_DATA/scsi/random-16m.img + $TEST_DATA/scsi/blank-64m.img
# harness: timeout=180
# Two disks on one controller and a second controller with a disk: all
# four combinations at once (two disks of one host, disks of two hosts)
# write and read back correctly while the others are busy.
. /vm/lib.sh
coldplug
set -- $(ncr810_devices)
check "expected 2 controllers, found $#" [ $# = 2 ]
h0=$(ncr810_scsi_host "$1") || fail "no SCSI host on $1"
h1=$(ncr810_scsi_host "$2") || fail "no SCSI host on $2"
a=$(scsi_disk "$h0" 0) || fail "no disk at $h0:0:0"
b=$(scsi_disk "$h0" 1) || fail "no disk at $h0:0:1"
c=$(scsi_disk "$h1" 0) || fail "no disk at $h1:0:0"
echo "disks: $a $b (host $h0), $c (host $h1)"
dd if=/dev/urandom of=/tmp/p1 bs=1M count=8 2>/dev/null
dd if=/dev/urandom of=/tmp/p2 bs=1M count=8 2>/dev/null
want1=$(sha256sum </tmp/p1 | cut -c1-64)
want2=$(sha256sum </tmp/p2 | cut -c1-64)
# At once: writes to both blank disks, a full read of the random one.
dd if=/tmp/p1 of="$a" bs=64k oflag=direct 2>/dev/null &
w1=$!
dd if=/tmp/p2 of="$c" bs=128k oflag=direct 2>/dev/null &
w2=$!
sha256sum <"$b" | cut -c1-64 >/tmp/b.sum &
r=$!
wait $w1 || fail "writing $a failed"
wait $w2 || fail "writing $c failed"
wait $r || fail "reading $b failed"
check "$b read differently while the others wrote" [ "$(cat /tmp/b.sum)" = "$(scsi_image_sha 1)" ]
echo 3 >/proc/sys/vm/drop_caches
dd if="$a" bs=1M count=8 iflag=direct 2>/dev/null | sha256sum | cut -c1-64 >/tmp/a.sum &
dd if="$c" bs=1M count=8 iflag=direct 2>/dev/null | sha256sum | cut -c1-64 >/tmp/c.sum &
wait
check "$a reads back differently" [ "$(cat /tmp/a.sum)" = "$want1" ]
check "$c reads back differently" [ "$(cat /tmp/c.sum)" = "$want2" ]
echo "host $h0: two disks, host $h1: one disk; written, read back and read at once: equal"
scenario_done
