# harness: timeout=120
# A directory has several names on vfat: its long name, its 8.3 alias and
# every spelling that differs only in case. Looking it up through another
# of them must not rename the dentry it already has: the C vfat's
# vfat_lookup returns the existing alias of a directory as it is (it moves
# only files' dentries), so the working directory of a process inside it
# and the mount points on it keep their names whatever other processes
# look up. rust_fat's lookup hands every inode to d_splice_alias, whose
# __d_unalias moves the directory's dentry to the name just looked up.
# Compared with the C vfat on the same image. First, on a fresh mount
# (nothing of the volume in the dentry cache), the directory and a file in
# it are looked up by another case: these lookups reach the directory on
# disk, not a cached name that d_compare matches without case.
. /vm/lib.sh
mkdir -p /mnt/w /mnt/x /tmp/target
step "an image with a long-named directory, made by the C vfat"
dd if=/dev/zero of=/tmp/a.img bs=1k count=1440 2>/dev/null
must mkdosfs /tmp/a.img
loop_mount /tmp/a.img /mnt/w rw,utf8
must mkdir "/mnt/w/Long Directory Name"
echo hello >"/mnt/w/Long Directory Name/inside.txt"
loop_umount /mnt/w
status=0
probe() { # fs type
	losetup -r /dev/loop0 /tmp/a.img || fail "losetup"
	step "$1: lookups by another case on a fresh mount"
	must mount -t "$1" -o ro,utf8 /dev/loop0 /mnt/x
	check "$1: no directory 'long directory name' on a fresh mount" [ -d "/mnt/x/long directory name" ]
	check "$1: no file 'LONG DIRECTORY NAME/INSIDE.TXT' on a fresh mount" [ -f "/mnt/x/LONG DIRECTORY NAME/INSIDE.TXT" ]
	must umount /mnt/x
	must mount -t "$1" -o ro,utf8 /dev/loop0 /mnt/x
	d="/mnt/x/Long Directory Name"
	check "$1: $d/inside.txt missing" [ -f "$d/inside.txt" ]
	# The 8.3 alias as this driver resolves it (the C driver names it LONGDI~1).
	a=LONGDI~1
	check "$1: no directory /mnt/x/$a" [ -d "/mnt/x/$a" ]
	step "$1: the working directory keeps its name when others look the directory up by another name"
	cwd=$(cd "$d" && ls /mnt/x/$a >/dev/null && ls "/mnt/x/long directory name" >/dev/null &&
		ls "/mnt/x/LONG DIRECTORY NAME/inside.txt" >/dev/null && readlink /proc/self/cwd)
	echo "$1: cwd $cwd"
	[ "$cwd" = "$d" ] || { echo "FAIL $1: a process in '$d' now has the working directory '$cwd'"; status=1; }
	step "$1: a mount point on the directory keeps its path"
	must mount -o bind /tmp/target "$d"
	ls /mnt/x/$a >/dev/null
	ls "/mnt/x/long directory name" >/dev/null
	mp=$(awk '$2 ~ /^\/mnt\/x\// { print $2 }' /proc/mounts)
	echo "$1: mount point $mp"
	[ "$mp" = '/mnt/x/Long\040Directory\040Name' ] || { echo "FAIL $1: the bind mount on '$d' is now listed as '$mp'"; status=1; }
	umount "$d" || umount "$mp" || umount -l "/mnt/x/$a"
	must umount /mnt/x
	losetup -d /dev/loop0
}
must modprobe vfat
probe vfat
check "the C vfat itself fails this check: the scenario is wrong" [ $status = 0 ]
probe rust_vfat
check "rust_vfat renamed the directory's dentry (the FAIL lines above)" [ $status = 0 ]
scenario_done
