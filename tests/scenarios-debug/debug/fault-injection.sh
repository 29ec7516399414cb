# harness: files=$TEST_DATA/rw/fat16.img $TEST_DATA/rw/fat32.img $TEST_DATA/rw/fat12.img $TEST_DATA/failnth
# harness: no-ncr810
# harness: timeout=900
# Memory pressure and a failing disk, on the debug kernel (KASAN,
# kmemleak, lockdep, fault injection): each driver, ours and C's as the
# control, mounts and works on its own copy of a volume while a share of
# the kernel's allocations fails (failslab and fail_page_alloc, for the
# workload's tasks only: make-it-fail), then while a share of the loop
# device's requests fails (fail_make_request). Any step may fail, with an
# errno; none may oops, warn, leak or leave a reference: after the faults
# stop, the volume unmounts (or is still mounted and unmounts), and the
# modules unload. After the allocation failures it mounts again and reads
# back; after lost writes it may be damaged, for C as for us.
. /vm/lib.sh
F=/vm/files
D=/sys/kernel/debug
check "this kernel has no fault injection: run it with make check-debug" [ -d $D/failslab ]

# Allocation failures (failslab, fail_page_alloc) at PERCENT, sleeping
# and highmem allocations included; for the tasks that ask for them
# (make-it-fail) when TASKS is Y; with START and END, only allocations
# made from code between those addresses count (the stack trace filter).
# A task's fail-nth (tests/guest/failnth.c) fails its N-th allocation
# whatever the PERCENT and the task filter, but only one the filter lets
# through.
alloc_faults() { # PERCENT TASKS [START END]
	for a in failslab fail_page_alloc; do
		echo "$1" >$D/$a/probability
		echo 1 >$D/$a/interval
		echo -1 >$D/$a/times
		echo 0 >$D/$a/space
		echo 0 >$D/$a/verbose
		echo "$2" >$D/$a/task-filter
		echo N >$D/$a/ignore-gfp-wait
		echo 32 >$D/$a/stacktrace-depth
		echo "0x${3:-0}" >$D/$a/require-start
		echo "0x${4:-ffffffffffffffff}" >$D/$a/require-end
	done
	echo N >$D/fail_page_alloc/ignore-gfp-highmem
}
# Request failures at PERCENT for the devices that ask for them.
io_faults() { # PERCENT
	a=fail_make_request
	echo "$1" >$D/$a/probability
	echo 1 >$D/$a/interval
	echo -1 >$D/$a/times
	echo 0 >$D/$a/verbose
}

# What a user does on a volume (sh /tmp/workload DIR ROUND); under
# faults any command may fail.
cat >/tmp/workload <<'EOS'
for i in 1 2 3 4 5 6; do
	mkdir -p "$1/d$2$i"
	echo "data $2 $i" >"$1/d$2$i/file$i.txt"
	dd if=/dev/urandom of="$1/d$2$i/big" bs=4k count=6 2>/dev/null
	cat "$1/d$2$i/file$i.txt" >/dev/null
	mv "$1/d$2$i/file$i.txt" "$1/d$2$i/A long name $i.txt"
	ls -laR "$1" >/dev/null
	truncate -s 1000 "$1/d$2$i/big"
	echo more >>"$1/d$2$i/big"
	[ $i = 3 ] && rm -rf "$1/d$2$((i - 1))"
	sync
done
find "$1" -type f -exec cat {} + >/dev/null
EOS

# Runs the commands in a shell whose tasks (it and all it starts) get
# the injected allocation failures; the shell's own failures (a fork
# refused) end it early, which is fine.
under_alloc_faults() {
	sh -c 'echo 1 >/proc/self/make-it-fail && exec "$@"' faulty "$@" >/dev/null 2>&1
}

# Reads every file of the volume mounted at DIR; prints "ok" or the
# first error.
read_all() { # DIR
	if out=$(find "$1" -type f -exec cat {} + 2>&1 >/dev/null) && ls -laR "$1" >/dev/null 2>&1; then
		echo ok
	else
		echo "error: $(echo "$out" | head -1)"
	fi
}

# The mount, if any, the faults left at DIR: unmounted; anything else
# that fails here is a defect.
settle() { # DIR
	grep -q " $1 " /proc/mounts || return 0
	umount "$1" || fail "unmount after the faults failed"
}

mkdir -p /mnt/w
kmemleak_start
must modprobe rust_vfat
must modprobe rust_msdos
must modprobe vfat
must modprobe msdos

# Every allocation a mount makes, failed one at a time (the task's
# fail-nth, counting only allocations made from the driver's code: the
# stack trace filter: the core's and the namespace module's code, from
# the lowest to the highest address of their functions): each refused
# mount must leave the volume as it was, its boot sector's dirty flag
# clear (fs/fat sets it last, once nothing can fail), and nothing behind.
echo 0 >/proc/sys/kernel/kptr_restrict
code_range() { # AWK-CONDITION on the kallsyms name ($3) and module ($4)
	awk '($2 == "t" || $2 == "T") && ('"$1"') { print $1 }' /proc/kallsyms | sort | sed -n '1p;$p'
}
# The FAT state byte: offset 37 (FAT12/16) or 65 (FAT32).
state_byte() { # IMAGE
	o=37
	[ "$(dd if="$1" bs=1 skip=82 count=5 2>/dev/null)" = FAT32 ] && o=65
	dd if="$1" bs=1 skip=$o count=1 2>/dev/null | od -An -tx1 | tr -d ' '
}
# The calls of one operation, the N-th allocation failed for N = 1, 2,
# ... until the N-th is never reached (tests/guest/failnth.c). SETUP and
# UNDO run without faults before and after each call.
sweep() { # FS SETUP UNDO OP ARGS...
	_fs=$1 _setup=$2 _undo=$3
	shift 3
	_n=1 _failed=0
	while [ $_n -le 500 ]; do
		eval "$_setup"
		_r=$($F/failnth $_n "$@") || fail "failnth $*: $_r"
		eval "$_undo"
		case $_r in
		*not-reached) break ;;
		ok*) ;;
		ENOMEM* | EIO*) _failed=$((_failed + 1)) ;;
		*) fail "$_fs: $1 with allocation $_n failed: $_r (want ENOMEM, or EIO where the volume's blocks could not be read)" ;;
		esac
		if [ "$1" = mount ]; then
			s=$(state_byte /dev/loop0)
			[ "$s" = 00 ] || fail "$_fs: a mount refused at allocation $_n left the volume's state byte $s"
		fi
		_n=$((_n + 1))
	done
	echo "$_fs $1: $((_n - 1)) allocations, each failed once: $_failed calls refused"
	# (A truncation or an unlink may allocate nothing; a mount must.)
	[ "$1" != mount ] || check "$_fs: mount reached no allocation: the filter missed its code" [ $_n -gt 1 ]
}
for img in fat16 fat32; do
	for fs in vfat rust_vfat msdos rust_msdos; do
		step "$fs on $img: every allocation of a call failed in turn"
		core=fat
		case $fs in rust_*) core=rust_fat ;; esac
		alloc_faults 0 N $(code_range '$4 == "['$core']" || $4 == "['$fs']"')
		cp $F/$img.img /tmp/w.img
		losetup /dev/loop0 /tmp/w.img || fail "losetup failed"
		m=/mnt/w
		sweep $fs "" "umount $m 2>/dev/null" mount /dev/loop0 $m $fs
		must mount -t $fs /dev/loop0 $m
		mkdir -p $m/sub && echo x >$m/sub/x && echo data >$m/data && sync
		drop='echo 3 >/proc/sys/vm/drop_caches'
		sweep $fs "$drop" "" stat $m/sub/x
		sweep $fs "$drop" "" readdir $m/sub
		sweep $fs "" "rm -f $m/new.txt" create $m/new.txt
		sweep $fs "" "rmdir $m/newdir 2>/dev/null" mkdir $m/newdir
		sweep $fs "echo data >$m/w" "rm -f $m/w" write $m/w 70000
		sweep $fs "head -c 70000 $m/data >$m/t" "rm -f $m/t" truncate $m/t 0
		sweep $fs "echo u >$m/u" "rm -f $m/u" unlink $m/u
		sweep $fs "mkdir -p $m/d" "rmdir $m/d 2>/dev/null" rmdir $m/d
		sweep $fs "echo r >$m/r" "rm -f $m/r $m/R2" rename $m/r $m/R2
		sweep $fs "echo r >$m/r" "rm -f $m/r $m/Renamed_long_name.txt" rename $m/r $m/Renamed_long_name.txt
		must umount $m
		losetup -d /dev/loop0
		v=$(fsck.fat -n /tmp/w.img 2>&1 | grep -iv 'codepage\|CP850\|^fsck.fat\|^/tmp/w.img')
		echo "$fs $img after the sweeps: fsck.fat -n: $v" | tr '\n' ' '
		echo
		fsck.fat -n /tmp/w.img >/dev/null 2>&1 || echo "$fs $img" >>/tmp/unclean
	done
done
if [ -e /tmp/unclean ]; then
	grep -q rust_ /tmp/unclean && fail "fsck.fat found damage after the sweeps: $(cat /tmp/unclean | tr '\n' ' ')"
fi
for img in fat16 fat32 fat12; do
	for pair in "vfat rust_vfat" "msdos rust_msdos"; do
		for fs in $pair; do
			step "$fs on $img: allocations failing"
			cp $F/$img.img /tmp/w.img
			losetup /dev/loop0 /tmp/w.img || fail "losetup failed"
			dmesg_mark
			for pct in 2 10 30; do
				alloc_faults $pct Y
				# Mounts and unmounts under the faults, then work on a
				# mount made without them.
				for _ in 1 2 3; do
					under_alloc_faults mount -t $fs /dev/loop0 /mnt/w
					settle /mnt/w
				done
				must mount -t $fs /dev/loop0 /mnt/w
				under_alloc_faults sh /tmp/workload /mnt/w $pct
				alloc_faults 0 Y
				settle /mnt/w
			done
			alloc_faults 0 Y
			must mount -t $fs /dev/loop0 /mnt/w
			echo "$fs $img after allocation failures: read back $(read_all /mnt/w)" | tee -a /tmp/alloc.$fs
			must umount /mnt/w
			losetup -d /dev/loop0
			echo "$fs $img fsck.fat: $(fsck.fat -n /tmp/w.img >/tmp/fsck.out 2>&1 && echo clean || echo "exit $?: $(grep -v '^fsck.fat\|^/tmp' /tmp/fsck.out | head -2 | tr '\n' ' ')")"

			step "$fs on $img: requests of the disk failing"
			cp $F/$img.img /tmp/w.img
			losetup /dev/loop0 /tmp/w.img || fail "losetup failed"
			must mount -t $fs /dev/loop0 /mnt/w
			io_faults 10
			echo 1 >/sys/block/loop0/make-it-fail
			sh /tmp/workload /mnt/w io >/dev/null 2>&1
			for _ in 1 2 3; do
				umount /mnt/w 2>/dev/null
				mount -t $fs /dev/loop0 /mnt/w 2>/dev/null
			done
			echo 0 >/sys/block/loop0/make-it-fail
			io_faults 0
			settle /mnt/w
			# Writes were lost: the volume may be damaged past mounting,
			# for either driver (C's vfat refused a FAT32 one with EIO).
			if mount -t $fs /dev/loop0 /mnt/w 2>/tmp/merr; then
				echo "$fs $img after request failures: read back $(read_all /mnt/w)"
				must umount /mnt/w
			else
				echo "$fs $img after request failures: mount refused: $(cat /tmp/merr)"
			fi
			losetup -d /dev/loop0
			dmesg_new | grep -E 'rust_fat|rust_vfat|rust_msdos|FAT-fs' | sort | uniq -c | sort -rn | head -5 | sed 's/^/  /'
		done
	done
done
no_kernel_problems
step "the modules unload: no reference left behind"
must modprobe -r rust_vfat
must modprobe -r rust_msdos
wait_unloaded 10 rust_fat
kmemleak_check
scenario_done
