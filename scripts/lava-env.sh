#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Debian's LAVA, for `make lava` (lava-common's job schema) and `make
# lava-run` (lava-dispatcher's lava-run): installed in a Debian bookworm
# chroot made by debootstrap in the cache, never on the host. lava-dispatcher
# depends on libguestfs, libvirt and systemd-sysv, which have no place on a
# build machine, and its Python code imports guestfs at load time, so a venv
# with PyPI packages cannot run it. Each stage is done once and marked; a
# second run does nothing. Prints the chroot's directory.
#
# Usage: scripts/lava-env.sh [--dispatcher]
#          create the chroot with lava-common (with --dispatcher also
#          lava-dispatcher, QEMU and the device-type templates)
#        scripts/lava-env.sh --run [--bind DIR]... -- COMMAND...
#          run COMMAND as root in the chroot, in a private mount namespace
#          (/dev, /proc, /sys and each DIR, at the same path, are mounted for
#          it alone and vanish with it)
set -euo pipefail
. "$(dirname "$0")/lib.sh"

SUITE=bookworm
root="$CACHE_ROOT/lava-$SUITE"

stage_done() { [ -f "$root/.stage-$1" ]; }
mark() { touch "$root/.stage-$1"; }

# apt inside the chroot needs /proc and /dev; they are mounted in a private
# namespace so nothing is left mounted on the host if we are interrupted.
chroot_apt() {
	unshare --mount --propagation private -- bash -c '
		set -e
		mount -t proc proc "$0/proc"
		mount --rbind /dev "$0/dev"
		shift
		exec chroot "$0" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 \
			DEBIAN_FRONTEND=noninteractive "$@"' "$root" - "$@"
}

create() {
	local dispatcher=$1
	[ "$(id -u)" = 0 ] || die "the LAVA chroot needs root (debootstrap, chroot, mounts)" "run as root, or with sudo"
	if ! stage_done base; then
		command -v debootstrap >/dev/null || {
			log "lava: installing debootstrap (host)"
			as_root apt-get install -y -qq debootstrap >&2
		}
		local mirror
		mirror=$(debian_mirror_uri)
		log "lava: creating a Debian $SUITE chroot in $root (debootstrap minbase, about a minute)"
		rm -rf "$root"
		mkdir -p "$root"
		debootstrap --variant=minbase "$SUITE" "$root" "$mirror" >&2 ||
			die "debootstrap of $SUITE into $root failed" "check the mirror in /etc/apt/sources.list.d/debian.sources, then re-run $0"
		printf 'deb %s %s main\n' "$mirror" "$SUITE" >"$root/etc/apt/sources.list"
		# Package scripts must not start services (lava-worker) in a chroot.
		printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
		chmod +x "$root/usr/sbin/policy-rc.d"
		chroot_apt apt-get -qq update >&2
		mark base
	fi
	if ! stage_done common; then
		log "lava: installing lava-common (the job schema) in the chroot"
		chroot_apt apt-get install -y --no-install-recommends lava-common >&2 ||
			die "apt-get install lava-common in $root failed" "re-run $0 (remove $root to start over)"
		mark common
	fi
	if [ "$dispatcher" = 1 ] && ! stage_done dispatcher; then
		log "lava: installing lava-dispatcher and QEMU in the chroot (a few hundred MB, a few minutes the first time)"
		chroot_apt apt-get install -y --no-install-recommends lava-dispatcher qemu-system-x86 cpio gzip >&2 ||
			die "apt-get install lava-dispatcher in $root failed" "re-run $0 --dispatcher (remove $root to start over)"
		# The QEMU device type's template ships in lava-server, whose
		# dependencies (Django, PostgreSQL client, ...) serve only the
		# web server: take its device-type directory, install nothing.
		log "lava: unpacking the device-type templates of lava-server in the chroot"
		chroot_apt bash -c 'set -e; d=$(mktemp -d); cd "$d"; apt-get download lava-server >/dev/null;
			dpkg-deb -x lava-server_*.deb x; mkdir -p /usr/share/lava-server;
			rm -rf /usr/share/lava-server/device-types;
			cp -a x/usr/share/lava-server/device-types /usr/share/lava-server/;
			dpkg-deb -f lava-server_*.deb Version >/usr/share/lava-server/device-types/.version; rm -rf "$d"' >&2 ||
			die "unpacking lava-server's device types failed" "re-run $0 --dispatcher"
		mark dispatcher
	fi
}

if [ "${1:-}" = --run ]; then
	shift
	binds=()
	while [ $# -gt 0 ]; do
		case $1 in
		--bind) binds+=("$(realpath "$2")"); shift 2 ;;
		--) shift; break ;;
		*) die "unknown option $1" "scripts/lava-env.sh --run [--bind DIR]... -- COMMAND..." ;;
		esac
	done
	[ $# -gt 0 ] || die "--run needs a command" "scripts/lava-env.sh --run -- lava-run --help"
	stage_done common || die "no LAVA chroot at $root" "run scripts/lava-env.sh first (make lava does)"
	[ "$(id -u)" = 0 ] || die "running in the LAVA chroot needs root (chroot, mounts)" "run as root, or with sudo"
	exec unshare --mount --propagation private -- bash -c '
		set -e
		root=$0; n=$1; shift
		mount -t proc proc "$root/proc"
		mount --rbind /dev "$root/dev"
		mount --rbind /sys "$root/sys"
		while [ "$n" -gt 0 ]; do
			mkdir -p "$root$1"
			mount --bind "$1" "$root$1"
			shift; n=$((n - 1))
		done
		exec chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 "$@"' \
		"$root" "${#binds[@]}" "${binds[@]}" "$@"
fi

dispatcher=0
case ${1:-} in
--dispatcher) dispatcher=1 ;;
"") ;;
-h | --help) sed -n '3,18p' "$0"; exit 0 ;;
*) die "unknown option $1" "see scripts/lava-env.sh --help" ;;
esac
create "$dispatcher"
echo "$root"
