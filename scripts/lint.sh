#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Lint gates: rustfmt on every Rust file, the unsafe gate
# (scripts/unsafe-gate.sh), clippy on every kernel module (Kbuild's
# CLIPPY=1) and on the host crates. Any finding fails.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$REPO_ROOT"
kdir=${KDIR:-$(scripts/kdir.sh)}
[ -n "$kdir" ] || die "no kernel tree for clippy" "run 'make kernel' or pass KDIR="

mapfile -t files < <(git ls-files '*.rs' 2>/dev/null || find . -name '*.rs' -not -path './target/*')
log "lint: rustfmt --check on ${#files[@]} files"
rustfmt --check --config-path .rustfmt.toml "${files[@]}" || die "rustfmt found unformatted code (diff above)" "run: rustfmt --config-path .rustfmt.toml ${files[*]}"

log "lint: the unsafe gate (no unsafe in the FAT modules, SAFETY comments that stand on their own)"
scripts/unsafe-gate.sh

log "lint: clippy on the kernel modules (CLIPPY=1)"
# Into its own output directory, so the normal build's objects stay valid
# and a lint of unchanged sources recompiles nothing. Clippy speaks only
# when a unit compiles, so after any finding that directory is dropped: the
# next lint recompiles (and re-checks) everything.
out="$REPO_ROOT/target/kbuild/clippy-$(basename "$kdir")"
if ! found=$(make -s -C "$REPO_ROOT" KDIR="$kdir" MO="$out" CLIPPY=1 2>&1) || grep -qE '^(warning|error)' <<<"$found"; then
	echo "$found" >&2
	rm -rf "$out"
	die "clippy reported findings in the kernel modules (above)" "fix them; the build must be clippy clean"
fi

log "lint: cargo clippy on the host crates"
cargo clippy --quiet --workspace --all-targets -- -D warnings || die "cargo clippy found problems (above)"
log "lint: clean"
