# SPDX-License-Identifier: GPL-2.0
# Shared helpers for the project scripts. Sourced, never executed.

# Everything expensive lives outside the clone, so a fresh clone reuses it.
CACHE_ROOT="${RFL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/rfl-modules}"
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
LLVM_SUFFIX="${LLVM_SUFFIX:--19}"
KERNEL_SERIES="7.3"

# cargo and what `cargo install` put there (bindgen): the one place every
# script gets them from (the Makefile exports the same for its recipes).
case ":$PATH:" in *":$HOME/.cargo/bin:"*) ;; *) export PATH="$HOME/.cargo/bin:$PATH" ;; esac

log() { printf '==> %s\n' "$*" >&2; }
warn() { printf 'warning: %s\n' "$*" >&2; }
die() {
	printf 'error: %s\n' "$1" >&2
	[ -n "${2:-}" ] && printf '  next step: %s\n' "$2" >&2
	exit 1
}

# Runs a command as root: directly when we are root, else through sudo.
as_root() {
	if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

# The mirror the machine already uses; read at run time so no registry
# host name is ever written into the repository.
debian_mirror_uri() {
	local f=/etc/apt/sources.list.d/debian.sources uri=""
	if [ -r "$f" ]; then
		uri=$(awk '/^URIs:/ {print $2; exit}' "$f")
	fi
	if [ -z "$uri" ] && [ -r /etc/apt/sources.list ]; then
		uri=$(awk '$1 == "deb" && $0 !~ /security/ {for (i = 2; i <= NF; i++) if ($i ~ /^https?:/) {print $i; exit}}' /etc/apt/sources.list)
	fi
	[ -n "$uri" ] || die "no Debian mirror found in /etc/apt/sources.list.d/debian.sources or /etc/apt/sources.list" \
		"configure apt with a Debian mirror, or set RUST_LIB_SRC and KERNEL_SRC_TARBALL by hand"
	echo "$uri"
}

# apt-get with a private source list for a suite the machine does not carry.
# Usage: private_apt SUITE apt-get|apt-cache args...
private_apt() {
	local suite=$1; shift
	local dir="$CACHE_ROOT/apt-$suite"
	mkdir -p "$dir/lists/partial"
	local uri
	uri=$(debian_mirror_uri)
	printf 'deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] %s %s main\n' "$uri" "$suite" >"$dir/sources.list"
	local opts=(-o "Dir::Etc::sourcelist=$dir/sources.list" -o "Dir::Etc::sourceparts=/dev/null"
		-o "Dir::State::Lists=$dir/lists" -o "Dir::Cache::archives=$dir/archives"
		-o "APT::Sandbox::User=root")
	mkdir -p "$dir/archives/partial"
	if [ ! -e "$dir/lists/.updated" ] || [ -n "$(find "$dir/lists/.updated" -mmin +1440 2>/dev/null)" ]; then
		log "apt: refreshing the package list of $suite"
		as_root apt-get "${opts[@]}" -qq update >&2 || die "apt-get update for $suite failed" "check the network and the mirror in /etc/apt/sources.list.d/debian.sources"
		touch "$dir/lists/.updated"
	fi
	local tool=$1; shift
	"$tool" "${opts[@]}" "$@"
}

# Prints the packages of "$@" that dpkg does not have installed, one per
# line, with one dpkg-query for all of them (every make check starts with
# this). dpkg-query exits 1 when dpkg has never heard of one of them, as on
# a fresh machine: that is the answer asked for, not a failure.
apt_missing() {
	local installed p
	installed=$({ dpkg-query -W -f='${Package} ${Status}\n' "$@" 2>/dev/null || true; } |
		awk '/ install ok installed$/ { print $1 }')
	for p in "$@"; do
		grep -qx "$p" <<<"$installed" || echo "$p"
	done
}

# What the toolchain answers the scripts ask on every run: `rustc
# --version`, `rustc --print sysroot`, `bindgen --version` and the first
# line of `clang --version`. Each is a start of rustup's proxy or of a
# compiler (40 to 90 ms), and a filtered `make check` asked six of them
# before its build began: they are kept under the cache root, keyed by
# the toolchain's identity (toolchain_identity), and asked again when it
# changes. Prints the answer file: "<question> <answer>" lines.
toolchain_identity() {
	local rh=${RUSTUP_HOME:-$HOME/.rustup} d=$PWD files=()
	# The rust-toolchain files rustup reads, from here up.
	while :; do
		[ -e "$d/rust-toolchain" ] && files+=("$d/rust-toolchain")
		[ -e "$d/rust-toolchain.toml" ] && files+=("$d/rust-toolchain.toml")
		[ -n "$d" ] && [ "$d" != / ] || break
		d=${d%/*}
	done
	{
		echo "RUSTUP_TOOLCHAIN=${RUSTUP_TOOLCHAIN:-} LLVM_SUFFIX=$LLVM_SUFFIX"
		# By path, size, inode and times: an update in place, another
		# default or override, another tool first on PATH all differ.
		stat -L -c '%n %s %i %Y %Z' "$(command -v rustc)" "$(command -v bindgen)" \
			"$(command -v "clang$LLVM_SUFFIX")" "$rh/settings.toml" "$rh"/toolchains/*/bin/rustc \
			"${files[@]}" 2>/dev/null || true
	} | sha256sum | cut -c1-16
}
tool_answers() {
	local dir="$CACHE_ROOT/tool-answers" file tmp
	file="$dir/$(toolchain_identity)"
	if [ ! -s "$file" ]; then
		mkdir -p "$dir"
		tmp=$(mktemp "$dir/.tmp.XXXXXX")
		{
			echo "rustc-version $(rustc --version 2>/dev/null)"
			echo "rustc-sysroot $(rustc --print sysroot 2>/dev/null)"
			echo "bindgen-version $(bindgen --version 2>/dev/null)"
			echo "clang-version $("clang$LLVM_SUFFIX" --version 2>/dev/null | head -1)"
		} >"$tmp"
		# A toolchain not yet installed answers nothing: asked again then.
		# (Its own temporary name: every subshell of a script has the
		# same $$, and the gates run in one beside the harness.)
		if grep -q '^[a-z-]* *$' "$tmp"; then
			file=$tmp
		else
			mv -f "$tmp" "$file"
		fi
	fi
	echo "$file"
}
# Usage: tool_answer rustc-version|rustc-sysroot|bindgen-version|clang-version
tool_answer() {
	local q a file
	file=$(tool_answers)
	while read -r q a; do
		[ "$q" = "$1" ] && echo "$a"
	done <"$file"
	case $file in */.tmp.*) rm -f "$file" ;; esac
}
rustc_version() { local v; v=$(tool_answer rustc-version); v=${v#rustc }; echo "${v%% *}"; }
clang_version() { tool_answer clang-version; }

# The library sources matching rustc exactly: the sysroot's own when rustup
# installed them, else Debian's rust-src unpacked into the cache.
rust_lib_src() {
	if [ -n "${RUST_LIB_SRC:-}" ]; then echo "$RUST_LIB_SRC"; return; fi
	local sys
	sys="$(tool_answer rustc-sysroot)/lib/rustlib/src/rust/library"
	if [ -f "$sys/core/src/lib.rs" ]; then echo "$sys"; return; fi
	echo "$CACHE_ROOT/rust-src-$(rustc_version)/usr/lib/rustlib/src/rust/library"
}

# The Kconfig fragment (RFL_KERNEL_FRAGMENT overrides it, for the build scripts'
# own tests).
KERNEL_FRAGMENT="${RFL_KERNEL_FRAGMENT:-$REPO_ROOT/kernel/config.fragment}"

# Lays out in STAGE what every guest has: busybox and kmod (the cached
# base), the module tree MODROOT (scripts/stage-modules.sh), /init, the
# demand-load wrapper and kmod-idled, and /vm's runner, helpers and list of
# kernel problems. lava.sh adds each run's own files; vm-run.sh boots the
# same from cached archives (scripts/make-initramfs-base.sh --cpio,
# scripts/stage-modules.sh --cpio).
# Usage: stage_guest STAGE MODROOT
stage_guest() {
	stage_guest_common "$1"
	cp -a "$2/lib" "$1/"
}

# stage_guest without the module tree.
# Usage: stage_guest_common STAGE
stage_guest_common() {
	local stage=$1 base
	base=$("$REPO_ROOT/scripts/make-initramfs-base.sh")
	mkdir -p "$stage"
	cp -a "$base/." "$stage/"
	mkdir -p "$stage/etc/modprobe.d" "$stage/sbin" "$stage/run" "$stage/vm/files"
	# /bench is the guest directory's earlier name; scripts may still use it.
	ln -s vm "$stage/bench"
	# sym53c8xx (the C twin) claims the same PCI ID as rust_ncr810: coldplug
	# must pick ours; scenarios that compare load the C driver by name.
	echo "blacklist sym53c8xx" >"$stage/etc/modprobe.d/vm.conf"
	cp "$REPO_ROOT/scripts/guest/init" "$stage/init"
	cp "$REPO_ROOT/scripts/guest/kmod-idled" "$REPO_ROOT/scripts/guest/modprobe-demand" "$stage/sbin/"
	chmod +x "$stage/init" "$stage/sbin/kmod-idled" "$stage/sbin/modprobe-demand"
	echo "IDLE_SECONDS=0" >"$stage/etc/kmod-idled.conf"
	cp "$REPO_ROOT/scripts/guest/run-script" "$REPO_ROOT/scripts/guest/lib.sh" "$stage/vm/"
	cp "$REPO_ROOT/scripts/kernel-problems" "$stage/vm/kernel-problems"
}

# The kernel variants: "main" is the fragment alone; any other is the
# fragment plus kernel/<variant>.fragment, whose lines override the main
# fragment's for the same options.
kernel_variants() {
	echo main
	for f in "$REPO_ROOT"/kernel/*.fragment; do
		[ "$f" = "$REPO_ROOT/kernel/config.fragment" ] || basename "$f" .fragment
	done
}

# The Kconfig fragment a variant is configured from: the main one with the
# options the variant's file sets replaced by its lines.
kernel_fragment() {
	local variant=${1:-main}
	if [ "$variant" = main ]; then
		cat "$KERNEL_FRAGMENT"
		return
	fi
	local extra="$REPO_ROOT/kernel/$variant.fragment"
	[ -f "$extra" ] || die "unknown kernel variant '$variant'" "use one of: $(kernel_variants | tr '\n' ' ')"
	awk '
		function opt(l) { if (match(l, /CONFIG_[A-Za-z0-9_]+/)) return substr(l, RSTART, RLENGTH); return "" }
		NR == FNR { if (opt($0) != "") over[opt($0)] = 1; next }
		!(opt($0) in over)
	' "$extra" "$KERNEL_FRAGMENT"
	cat "$extra"
}

# The key of the kernel build: everything that changes its result.
kernel_key() {
	local answers
	answers=$(tool_answers)
	{
		echo "series=$KERNEL_SERIES"
		cat "$CACHE_ROOT/downloads/linux-source.version" 2>/dev/null
		cat "$KERNEL_FRAGMENT"
		[ "${1:-main}" = main ] || cat "$REPO_ROOT/kernel/$1.fragment"
		cat "$REPO_ROOT/kernel/build-kernel.version"
		# rustc --version, bindgen --version, clang's first line.
		sed -n 's/^rustc-version //p; s/^bindgen-version //p; s/^clang-version //p' "$answers"
	} | sha256sum | cut -c1-16
	case $answers in */.tmp.*) rm -f "$answers" ;; esac
}

# The kernel build tree for a variant (kernel_variants).
kernel_build_dir() {
	local variant=${1:-main}
	echo "$CACHE_ROOT/kernel-$variant-$(kernel_key "$variant")"
}

# The common start of the top-level commands: installs what is missing,
# builds (or reuses) the kernel of the given variant and, for "main", the
# project's modules. Sets KDIR to the kernel build directory.
prepare() {
	cd "$REPO_ROOT"
	# With PREPARE_QUICK=1 (a filtered make check: the developer loop) the
	# toolchain is not looked over again when it was, in this clone, since
	# its script last changed: that look costs a tenth of a second of a
	# three-second loop, and a tool gone since fails the build anyway.
	if [ "${PREPARE_QUICK:-0}" = 1 ] && [ target/.toolchain-ok -nt scripts/setup-toolchain.sh ] &&
		[ target/.toolchain-ok -nt scripts/lib.sh ]; then
		log "toolchain: set up before in this clone (make setup looks again)"
	else
		scripts/setup-toolchain.sh
		mkdir -p target && touch target/.toolchain-ok
	fi
	KDIR=$(scripts/build-kernel.sh "${1:-main}")
	export KDIR
	if [ "${1:-main}" = main ]; then
		make -s KDIR="$KDIR"
	fi
}

# Runs a command in a chroot, in a private mount namespace: /proc, /dev
# and each --bind directory (at the same path inside as outside) exist
# only for that command, so nothing stays mounted when it ends, however it
# ends. The host's resolv.conf goes in first, for apt.
# With --overlay DIR the command sees a throw-away view of ROOT: its
# changes go to DIR (files put in DIR/upper beforehand appear in the view).
# Usage: in_chroot ROOT [--bind DIR]... [--ro-bind DIR]... [--overlay DIR] -- COMMAND...
in_chroot() {
	local root=$1; shift
	local binds=() ro=() overlay=""
	while [ $# -gt 0 ]; do
		case $1 in
		--bind) binds+=("$2"); shift 2 ;;
		--ro-bind) ro+=("$2"); shift 2 ;;
		--overlay) overlay=$2; shift 2 ;;
		--) shift; break ;;
		*) die "in_chroot: unknown option $1" "this is a bug in the calling script" ;;
		esac
	done
	[ -f /etc/resolv.conf ] && cp -L /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true
	# Mount points made here go again afterwards, so temporary directories
	# bound for one command do not pile up in the chroot.
	local d top made=()
	for d in "${binds[@]}" "${ro[@]}"; do
		if [ ! -d "$root$d" ]; then
			top=$d
			while [ ! -d "$root$(dirname "$top")" ]; do top=$(dirname "$top"); done
			made+=("$d" "$top")
		fi
		mkdir -p "$root$d"
	done
	[ -z "$overlay" ] || mkdir -p "$overlay/upper" "$overlay/work" "$overlay/view"
	# The mount list goes to the inner shell as arguments: "rw" or "ro",
	# then the path, for each.
	local spec=()
	for d in "${binds[@]}"; do spec+=(rw "$d"); done
	for d in "${ro[@]}"; do spec+=(ro "$d"); done
	local rc=0
	as_root unshare --mount --propagation private bash -c '
		set -e
		root=$1 overlay=$2 n=$3; shift 3
		if [ -n "$overlay" ]; then
			mount -t overlay overlay -o "lowerdir=$root,upperdir=$overlay/upper,workdir=$overlay/work" "$overlay/view"
			root=$overlay/view
		fi
		mount -t proc proc "$root/proc"
		mount --rbind /dev "$root/dev"
		while [ "$n" -gt 0 ]; do
			mount --bind "$2" "$root$2"
			[ "$1" = ro ] && mount -o remount,bind,ro "$root$2"
			shift 2; n=$((n - 1))
		done
		exec chroot "$root" env -i HOME=/root TERM="${TERM:-dumb}" LANG=C.UTF-8 \
			PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin "$@"
	' in-chroot "$root" "$overlay" $((${#spec[@]} / 2)) "${spec[@]}" "$@" || rc=$?
	# Last made first: a later mount point may sit inside an earlier one.
	local i
	for ((i = ${#made[@]} - 2; i >= 0; i -= 2)); do
		d=${made[i]} top=${made[i + 1]}
		while rmdir "$root$d" 2>/dev/null && [ "$d" != "$top" ]; do d=$(dirname "$d"); done
	done
	return $rc
}

# The chroot root of a distribution kernel tree made by
# scripts/distro-kdir.sh (KDIR is <root>/usr/src/linux-headers-<release>),
# or nothing for any other tree.
distro_root() {
	local r
	r=$(cd "$1/../../.." 2>/dev/null && pwd) || return 0
	[ -f "$r/.rfl-distro" ] && echo "$r"
	return 0
}

# The modules of a distribution kernel's tree (DIR, with its modules.dep)
# that the scenarios load by name, plus every module those need: the C
# twins of the project's modules, loop for the images, the SCSI stack of
# the NCR 810 (disks, CD-ROM drives, generic nodes), the code pages. One path (relative to DIR) a line.
# Usage: distro_module_closure DIR
distro_module_closure() {
	awk -F: '
		$1 ~ /^kernel\/fs\/(fat|nls)\// || $1 ~ /\/(loop|scsi_mod|scsi_common|sd_mod|sr_mod|sg|scsi_transport_spi|sym53c8xx)\.ko/ {
			want[$1] = 1
			n = split($2, d, " ")
			for (i = 1; i <= n; i++) want[d[i]] = 1
		}
		END { for (m in want) print m }
	' "$1/modules.dep" | sort
}
