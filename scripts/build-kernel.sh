#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Fetches Debian's linux-source-7.3, configures it from kernel/config.fragment
# (plus kernel/<variant>.fragment for another variant), checks that every
# option landed, and builds it out of tree with LLVM. The tree is cached under
# the cache root, keyed by everything that changes the result; a cached tree
# is reused at once. Prints the build directory on stdout.
#
# Usage: scripts/build-kernel.sh [--dry-run] [--config-only DIR] [main|debug|nomodversions]
#   --dry-run         say whether the tree is cached or would be built, and where
#   --config-only DIR configure into DIR and check the fragment, build nothing
set -euo pipefail
. "$(dirname "$0")/lib.sh"

dry_run=0 config_only=""
while [ $# -gt 0 ]; do
	case $1 in
	--dry-run) dry_run=1; shift ;;
	--config-only) config_only=$2; shift 2 ;;
	*) break ;;
	esac
done
variant=${1:-main}
kernel_variants | grep -xF "$variant" >/dev/null ||
	die "unknown kernel variant '$variant'" "use one of: $(kernel_variants | tr '\n' ' ')"

command -v "clang$LLVM_SUFFIX" >/dev/null && command -v bindgen >/dev/null ||
	die "the toolchain is not installed" "run scripts/setup-toolchain.sh"
RUST_LIB_SRC=$(rust_lib_src)
[ -f "$RUST_LIB_SRC/core/src/lib.rs" ] || die "no Rust library sources at $RUST_LIB_SRC" "run scripts/setup-toolchain.sh"
export RUST_LIB_SRC

dl="$CACHE_ROOT/downloads"
mkdir -p "$dl"
# The source package version is pinned the first time it is fetched, so the
# cache key is stable and computable offline; delete the .version to update.
if [ ! -f "$dl/linux-source.version" ]; then
	log "kernel source: fetching Debian's linux-source-$KERNEL_SERIES (~170 MB)"
	(cd "$dl" && private_apt trixie-backports apt-get -q download "linux-source-$KERNEL_SERIES" >&2) ||
		die "downloading linux-source-$KERNEL_SERIES failed" "check the network, then re-run $0"
	deb=$(ls -t "$dl"/linux-source-"$KERNEL_SERIES"_*_all.deb | head -1)
	basename "$deb" >"$dl/linux-source.version"
fi
deb="$dl/$(cat "$dl/linux-source.version")"
if [ ! -f "$deb" ]; then
	rm -f "$dl/linux-source.version"
	die "the pinned source package $deb is gone" "re-run $0 to fetch it again"
fi

build=$(kernel_build_dir "$variant")
if [ $dry_run = 1 ]; then
	if [ -f "$build/.build-complete" ]; then echo "cached $build"; else echo "would build $build"; fi
	exit 0
fi
[ -n "$config_only" ] && build=$config_only
if [ -z "$config_only" ] && [ -f "$build/.build-complete" ]; then
	log "kernel ($variant): cached tree $build"
	echo "$build"
	exit 0
fi

src="$CACHE_ROOT/src/$(basename "$deb" .deb)"
if [ ! -f "$src/.unpacked" ]; then
	log "kernel source: unpacking $(basename "$deb")"
	rm -rf "$src" "$src.deb"
	mkdir -p "$src" "$src.deb"
	dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$src.deb" --wildcards '*/linux-source-*.tar.xz'
	tarball=$(find "$src.deb" -name "linux-source-*.tar.xz" | head -1)
	tar -xJf "$tarball" -C "$src" --strip-components=1
	rm -rf "$src.deb"
	touch "$src/.unpacked"
fi

# A cache tree is made from scratch; a --config-only directory is the
# caller's, so it is only reconfigured.
[ -n "$config_only" ] || rm -rf "$build"
mkdir -p "$build"
frag="$build/kernel.fragment"
kernel_fragment "$variant" >"$frag"

mk=(make -C "$src" O="$build" LLVM="$LLVM_SUFFIX" RUST_LIB_SRC="$RUST_LIB_SRC")
# A configuration alone (--config-only) is a function of what the cache key
# holds (sources, fragment, toolchain): kept, by that key, so the build
# scripts' self-tests in make check do not run Kconfig's compiler probes
# (about 5 CPU seconds a configuration) again on every run.
cfgcache=""
[ -z "$config_only" ] || cfgcache="$CACHE_ROOT/config-cache/$variant-$(kernel_key "$variant")"
if [ -n "$cfgcache" ] && [ -f "$cfgcache/.config" ]; then
	log "kernel ($variant): configuration from $cfgcache (allnoconfig + fragment, cached)"
	cp "$cfgcache/.config" "$cfgcache/config.log" "$build/"
else
	log "kernel ($variant): configuring (allnoconfig + fragment)"
	"${mk[@]}" -s KCONFIG_ALLCONFIG="$frag" allnoconfig >"$build/config.log" 2>&1 ||
		{ tail -20 "$build/config.log" >&2; die "kernel configuration failed" "see $build/config.log"; }
	if [ -n "$cfgcache" ]; then
		mkdir -p "$(dirname "$cfgcache")"
		tmp=$(mktemp -d "$cfgcache.tmp.XXXXXX")
		cp "$build/.config" "$build/config.log" "$tmp/"
		mv -T "$tmp" "$cfgcache" 2>/dev/null || rm -rf "$tmp"
	fi
fi

# Kconfig drops options whose dependencies fail without a word: check each.
dropped=0
while IFS= read -r line; do
	case $line in
	CONFIG_*=*)
		opt=${line%%=*}
		if ! grep -qxF "$line" "$build/.config"; then
			have=$(grep -E "^$opt=|^# $opt is not set" "$build/.config" || echo "absent")
			printf 'error: fragment option %s did not land (final .config: %s)\n' "$line" "$have" >&2
			dropped=1
		fi
		;;
	"# CONFIG_"*" is not set")
		opt=${line#\# }
		opt=${opt%% *}
		if grep -qE "^$opt=" "$build/.config"; then
			printf 'error: fragment says %s is not set, but the final .config has %s\n' "$opt" "$(grep -E "^$opt=" "$build/.config")" >&2
			dropped=1
		fi
		;;
	esac
done <"$frag"
[ $dropped = 0 ] || die "Kconfig dropped options of the fragment (named above)" \
	"add the options they depend on to kernel/config.fragment (see 'make -C $src O=$build menuconfig', search with /)"
log "kernel ($variant): every fragment option is in .config"
if [ -n "$config_only" ]; then
	echo "$build"
	exit 0
fi

jobs=$(nproc)
log "kernel ($variant): building with $jobs jobs (about 5-6 minutes cold); log: $build/build.log"
start=$(date +%s)
set +e
"${mk[@]}" -j"$jobs" all 2>&1 | tee "$build/build.log" |
	awk -v start="$start" '{ n++ } n % 150 == 0 { printf "  ... %d build steps, %ds, last: %s\n", n, systime() - start, $0 > "/dev/stderr"; fflush("/dev/stderr") }'
rc=${PIPESTATUS[0]}
set -e
if [ "$rc" != 0 ]; then
	grep -E 'error|Error' "$build/build.log" | head -20 >&2
	die "kernel build failed (exit $rc)" "read $build/build.log; fix the toolchain or fragment and re-run $0"
fi
log "kernel ($variant): built in $(($(date +%s) - start))s"

"${mk[@]}" -s INSTALL_MOD_PATH="$build/mod-install" modules_install >"$build/modules_install.log" 2>&1 ||
	die "installing the kernel's own modules failed" "see $build/modules_install.log"

kernel_key "$variant" >"$build/.build-complete"
echo "$build"
