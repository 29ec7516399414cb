#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Coverage-guided fuzzing of the shared FAT logic with cargo fuzz
# (libFuzzer), seeded with the generator's images.
# Usage: scripts/fuzz.sh [SECONDS]   (default 600; writes fuzz/<date>.log)
set -euo pipefail
. "$(dirname "$0")/lib.sh"
secs=${1:-600}
command -v cargo-fuzz >/dev/null || { log "installing cargo-fuzz"; cargo install --locked cargo-fuzz; }
fuzz="$REPO_ROOT/rust_vfat_demo/host/fuzz"
corpus="$REPO_ROOT/target/fuzz-corpus"
mkdir -p "$corpus" "$fuzz/artifacts"
if [ -z "$(ls -A "$corpus")" ]; then
	log "seeding the corpus: small FAT12/FAT16 images made by mkfs.fat + mtools"
	tmp=$(mktemp -d)
	export MTOOLS_SKIP_CHECK=1 LC_ALL=C.UTF-8
	seed() { # name KiB mkfs-args...
		local img="$corpus/$1.img" kib=$2
		shift 2
		mkfs.fat -C "$img" "$kib" "$@" >/dev/null
		head -c 700 /dev/urandom >"$tmp/f"
		mcopy -i "$img" "$tmp/f" "::README.TXT"
		mcopy -i "$img" "$tmp/f" "::A long name, with ünïcödé.txt"
		mmd -i "$img" ::dir ::dir/sub
		mcopy -i "$img" "$tmp/f" "::dir/sub/lower.txt"
		mcopy -i "$img" "$tmp/f" "::dir/MiXeD Case.Txt"
	}
	seed fat12-small 128 -F 12 -n SEED12
	seed fat12-2k 256 -F 12 -S 2048 -s 1
	seed fat16-small 2200 -F 16 -s 1 -n SEED16
	rm -rf "$tmp"
fi
# cargo fuzz needs nightly flags (sanitizers); the stable toolchain allows
# them with RUSTC_BOOTSTRAP.
log "fuzzing for ${secs}s"
cd "$fuzz"
RUSTC_BOOTSTRAP=1 cargo fuzz run listing "$corpus" -- -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -max_len=1048576 2>&1 |
	tee "$REPO_ROOT/target/fuzz-$(date +%Y%m%d-%H%M%S).log" | grep -E '^#[0-9]+.*(pulse|DONE|NEW.*cov)|Done|crash|panic|timeout' | tail -n 40
