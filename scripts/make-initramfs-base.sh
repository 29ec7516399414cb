#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Builds (once, cached) the part of the guest's root file system that does
# not change between runs: busybox-static, the real kmod tools, dosfstools'
# mkfs.fat and fsck.fat, the common SCSI pass-through tools of sg3-utils
# (what a user's script reaches for to check a volume or probe a disk with
# SG_IO) and the shared libraries they need. Prints the directory.
#
# With --cpio: prints a cpio archive (cached in target/vm/, keyed by its
# content) of everything every guest has (lib.sh's stage_guest_common: this
# base plus /init and the guest helpers), the first part of each VM's
# initramfs; scripts/vm-run.sh appends the module tree and the run's own
# files as further archives.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

busybox=$(command -v busybox || true)
kmod=$(command -v kmod || echo /usr/bin/kmod)
# (Whether busybox is the static one is asked only when an archive or tree
# is made: `file` costs 30 ms, and every VM run asks for the archive.)
static_busybox() {
	[ -x "$busybox" ] && file -L "$busybox" 2>/dev/null | grep -q 'statically linked' || [ -x /bin/busybox ] ||
		die "busybox-static is not installed" "run scripts/setup-toolchain.sh"
}
[ -x "$busybox" ] || [ -x /bin/busybox ] || die "busybox-static is not installed" "run scripts/setup-toolchain.sh"
[ -x "$kmod" ] || die "kmod is not installed" "run scripts/setup-toolchain.sh"
# The host's dosfstools and sg3-utils, by path (scripts/setup-toolchain.sh
# installs both). Of sg3-utils' 79 tools, the ones that answer the common
# questions: the whole package would add 2.2 MB to every boot's archive.
fat_tools="/sbin/mkfs.fat /sbin/fsck.fat /sbin/fatlabel"
sg_tools=""
for t in inq vpd readcap turs requests modes logs luns raw reset sync verify start prevent \
	senddiag opcodes write_same unmap dd scan map26; do
	sg_tools="$sg_tools /usr/bin/sg_$t"
done
for t in $fat_tools $sg_tools; do
	[ -x "$t" ] || die "$t is not installed" "run scripts/setup-toolchain.sh (it installs dosfstools and sg3-utils)"
done
# The libraries they link: ldd of each is 25 starts of the dynamic
# loader, over a tenth of a second, and every VM run asks. The list is
# kept in target/vm/, keyed by the programs by path, size and time.
mkdir -p "$REPO_ROOT/target/vm"
libs_list="$REPO_ROOT/target/vm/libs-$(stat -L -c '%n %s %Y' "$kmod" $fat_tools $sg_tools | sha256sum | cut -c1-16)"
if [ ! -s "$libs_list" ]; then
	for b in "$kmod" $fat_tools $sg_tools; do ldd "$b"; done | awk '/=>/ {print $3} /ld-linux/ {print $1}' |
		sort -u >"$libs_list.$$"
	mv -f "$libs_list.$$" "$libs_list"
fi
libs=$(<"$libs_list")
if [ "${1:-}" = --cpio ]; then
	g="$REPO_ROOT/scripts/guest"
	# Every VM asks: the programs by name, size and time, not by content
	# (hashing 9 MB cost more than the rest of this script).
	key=$({
		stat -L -c '%n %s %Y' "$busybox" "$kmod" $fat_tools $sg_tools $libs
		cat "$0" "$REPO_ROOT/scripts/lib.sh" "$g/init" "$g/kmod-idled" "$g/modprobe-demand" "$g/run-script" "$g/lib.sh" \
			"$REPO_ROOT/scripts/kernel-problems"
	} | sha256sum | cut -c1-16)
	cache="$REPO_ROOT/target/vm"
	file="$cache/base-$key.cpio"
	if [ -f "$file" ]; then
		touch "$file"
		echo "$file"
		exit 0
	fi
	static_busybox
	mkdir -p "$cache"
	tmp=$(mktemp -d "$cache/base-tmp.XXXXXX")
	trap 'rm -rf "$tmp"' EXIT
	stage_guest_common "$tmp/root"
	(cd "$tmp/root" && find . -mindepth 1 -print0 | LC_ALL=C sort -z | cpio --null -o -H newc --quiet) >"$tmp/base.cpio"
	mv -f "$tmp/base.cpio" "$file"
	find "$cache" -maxdepth 1 -name 'base-*.cpio' -mmin +60 -delete 2>/dev/null || true
	echo "$file"
	exit 0
fi

key=$({ sha256sum "$busybox" "$kmod" $fat_tools $sg_tools $libs; cat "$0"; } | sha256sum | cut -c1-16)
dir="$CACHE_ROOT/initramfs-base-$key"
if [ -f "$dir/.complete" ]; then echo "$dir"; exit 0; fi
static_busybox

# Built aside and renamed into place: parallel VMs may all find it missing.
final=$dir
dir=$(mktemp -d "$CACHE_ROOT/initramfs-base-tmp.XXXXXX")
trap 'rm -rf "$dir"' EXIT
chmod 755 "$dir"
mkdir -p "$dir"/{bin,sbin,usr/bin,usr/sbin,lib,lib64,proc,sys,dev,tmp,etc,mnt,root,vm}
cp "$busybox" "$dir/bin/busybox"
skip=" insmod rmmod lsmod modprobe modinfo depmod "
for applet in $("$dir/bin/busybox" --list); do
	case $skip in *" $applet "*) continue ;; esac
	[ "$applet" = busybox ] || ln -sf busybox "$dir/bin/$applet"
done
cp "$kmod" "$dir/usr/bin/kmod"
for t in insmod rmmod lsmod modprobe modinfo depmod; do
	ln -sf ../usr/bin/kmod "$dir/sbin/$t"
done
# dosfstools under its names and Debian's aliases (busybox's own mkdosfs,
# which scenarios use, stays).
for t in $fat_tools; do cp "$t" "$dir/usr/sbin/"; done
for a in mkfs.vfat mkfs.msdos; do ln -sf mkfs.fat "$dir/usr/sbin/$a"; done
for a in fsck.vfat fsck.msdos dosfsck; do ln -sf fsck.fat "$dir/usr/sbin/$a"; done
for t in $sg_tools; do cp "$t" "$dir/usr/bin/"; done
for l in $libs; do
	mkdir -p "$dir/$(dirname "$l")"
	cp -L "$l" "$dir/$l"
done
# Things a script may expect: /etc/passwd for id/ls, mtab for mount.
echo 'root:x:0:0:root:/root:/bin/sh' >"$dir/etc/passwd"
echo 'root:x:0:' >"$dir/etc/group"
ln -sf /proc/mounts "$dir/etc/mtab"
touch "$dir/.complete"
# A run that lost the race keeps the winner's copy (same key, same content).
if ! mv -T "$dir" "$final" 2>/dev/null; then
	[ -f "$final/.complete" ] || die "cannot create $final" "remove it and run again"
fi
echo "$final"
