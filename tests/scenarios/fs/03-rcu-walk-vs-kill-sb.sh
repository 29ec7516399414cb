# harness: files=$TEST_DATA/rcuwalk $TEST_DATA/images/fat12-basic.img
# harness: qemu-args=-smp 2
# harness: timeout=300
# Path walks in RCU mode call d_hash/d_compare without holding a reference
# to the mount or the super block: a walk started from a directory fd of a
# lazily unmounted volume keeps going after path_init dropped its
# reference to the file, while another thread closes the last reference
# and so runs kill_sb. The C fat frees its sbi after an RCU grace period
# (fat_put_super: call_rcu(&sbi->rcu, delayed_free)); rust_fat's kill_sb
# drops its FatSb at once, and the walk's next d_hash reads the freed
# FatSb (sbi.ns) and calls through it: general protection fault in
# vfs::Tables::<FatFs>::d_hash. rcuwalk (tests/guest/rcuwalk.c) repeats
# mount, open a directory, umount -l, walks from the fd in three threads,
# close. The C vfat first, as the control; the harness fails on the oops.
. /vm/lib.sh
F=/vm/files
mkdir -p /mnt/r
cp $F/fat12-basic.img /tmp/i
losetup -r /dev/loop0 /tmp/i || fail "losetup"
must modprobe vfat
step "C vfat: $(reps 30 300) cycles"
must $F/rcuwalk /dev/loop0 vfat /mnt/r docs sub "$(reps 30 300)" 3
for t in rust_vfat rust_msdos; do
	step "$t: $(reps 100 1000) cycles"
	must modprobe $t
	must $F/rcuwalk /dev/loop0 $t /mnt/r docs sub "$(reps 100 1000)" 3
	must modprobe -r $t
done
loaded rust_fat && fail "rust_fat still loaded after every user went"
losetup -d /dev/loop0
scenario_done
