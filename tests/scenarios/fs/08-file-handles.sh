# harness: files=$TEST_DATA/rw/fat16.img $TEST_DATA/rwtool
# File handles (name_to_handle_at, open_by_handle_at; what NFS export and
# fanotify's FIDs stand on), on each driver, C's as the control:
# - a file's handle opens the same file again;
# - a directory's handle opens it again after the dentry cache was
#   dropped while an inotify watch kept its inode in memory: the kernel
#   finds the inode from the handle, then must reconnect its dentry
#   through the parents (->get_parent), which are no longer in memory.
#   rust_fat reads them from the volume (the `..` entries and the
#   grandparent's directory); fs/fat finds a parent only in memory (and
#   only with the nfs option), so vfat and msdos answer ESTALE there
#   (docs/differences-from-c.md);
# - a handle whose file was removed is stale (ESTALE) on every driver.
. /vm/lib.sh
F=/vm/files
mkdir -p /mnt/t
for fs in vfat rust_vfat msdos rust_msdos; do
	step "$fs"
	cp $F/fat16.img /tmp/t.img
	losetup /dev/loop0 /tmp/t.img
	must mount -t $fs /dev/loop0 /mnt/t
	mkdir -p /mnt/t/ADIR/BDIR/CDIR
	echo x >/mnt/t/ADIR/BDIR/FILE.TXT
	$F/rwtool handles /mnt/t /mnt/t/ADIR/BDIR/FILE.TXT /mnt/t/ADIR/BDIR/CDIR >/tmp/h.$fs 2>&1
	sed "s/^/$fs: /" /tmp/h.$fs
	check "$fs: a file's handle did not open it again" grep -q '^file: .*: same inode$' /tmp/h.$fs
	check "$fs: a removed file's handle was not stale" grep -q '^file removed: Stale file handle$' /tmp/h.$fs
	case $fs in
	rust_*) check "$fs: a directory's handle did not open it again through its parents" \
		grep -q '^directory, reconnected: .*: same inode$' /tmp/h.$fs ;;
	esac
	must umount /mnt/t
	losetup -d /dev/loop0
done
no_kernel_problems
scenario_done
