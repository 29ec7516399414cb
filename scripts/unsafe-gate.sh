#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The unsafe gate: counts `unsafe` (in code, not comments) per crate or
# module file set and fails when
#  - it appears in the FAT modules (the FAT core, the namespace layers, the
#    on-disk logic crate, the bench consumer): they sit on the vfs layer
#    and must need none;
#  - a `// SAFETY:` comment only refers elsewhere ("As above", "See above",
#    "As the caller guarantees", "As for `X`" with nothing more): every
#    SAFETY comment must stand on its own.
# Usage: unsafe-gate.sh [--counts]  (--counts: print the table only)
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$REPO_ROOT"

# name|files (globs, relative to the repository)|the most allowed (empty: no limit)
sets=(
	"fat modules (rust_fat_core, fat_fs, rust_vfat, rust_msdos, ns/, rust_fat_callbench)|rust_vfat_demo/rust_fat_core.rs rust_vfat_demo/fat_fs.rs rust_vfat_demo/rust_vfat.rs rust_vfat_demo/rust_msdos.rs rust_vfat_demo/ns/*.rs rust_vfat_demo/rust_fat_callbench.rs|0"
	"fat_disk (on-disk logic, host-tested)|rust_vfat_demo/fat_disk/*.rs|0"
	"vfs (file system layer)|rust_vfat_demo/vfs/*.rs|"
	"rust_ncr810_stub (SCSI)|rust_ncr810_stub/*.rs rust_ncr810_stub/*/*.rs|"
)

# Prints the number of `unsafe` tokens outside comments and strings.
count_unsafe() {
	awk '
		{
			line = $0
			sub(/\/\/.*/, "", line)            # line comments
			gsub(/"([^"\\]|\\.)*"/, "", line)  # string literals
			n += gsub(/(^|[^A-Za-z0-9_])unsafe([^A-Za-z0-9_]|$)/, "&", line)
		}
		END { print n + 0 }
	' "$@"
}

# Prints file:line: text of SAFETY comments that only refer elsewhere.
lone_references() {
	awk '
		function flush() {
			if (text != "") {
				t = tolower(text)
				gsub(/[`*_.,:;()]/, " ", t)
				gsub(/[ \t]+/, " ", t); sub(/^ /, "", t); sub(/ $/, "", t)
				r = t
				sub(/^(as|see) (above|below|before|earlier)/, "", r)
				sub(/^as the caller guarantees/, "", r)
				sub(/^per the caller/, "", r)
				sub(/^as (for|in|with) [a-z0-9_:<>]+/, "", r)
				sub(/^see [a-z0-9_:<>]+/, "", r)
				if (r != t) {
					# What is left once the reference is taken away.
					w = split(r, words, " ")
					if (w < 3) print where ": " text
				}
			}
			text = ""
		}
		FNR == 1 { flush() }
		/^[ \t]*\/\/ SAFETY:/ {
			flush()
			where = FILENAME ":" FNR
			text = $0; sub(/^[ \t]*\/\/ SAFETY:[ \t]*/, "", text)
			insafety = 1; next
		}
		insafety && /^[ \t]*\/\/[^\/!]/ {
			l = $0; sub(/^[ \t]*\/\/[ \t]*/, "", l); text = text " " l; next
		}
		{ insafety = 0; flush() }
		END { flush() }
	' "$@"
}

status=0
printf '%-70s %8s %8s\n' "crate / module set" "unsafe" "allowed"
for s in "${sets[@]}"; do
	IFS='|' read -r name globs max <<<"$s"
	# shellcheck disable=SC2086 # the globs are meant to expand
	mapfile -t files < <(ls $globs 2>/dev/null || true)
	if [ ${#files[@]} -eq 0 ]; then
		n=0
	else
		n=$(count_unsafe "${files[@]}")
	fi
	printf '%-70s %8s %8s\n' "$name" "$n" "${max:-any}"
	if [ -n "$max" ] && [ "$n" -gt "$max" ]; then
		echo "unsafe-gate: '$name' has $n unsafe (allowed: $max):" >&2
		grep -nE '(^|[^A-Za-z0-9_])unsafe([^A-Za-z0-9_]|$)' "${files[@]}" | grep -vE '^[^:]+:[0-9]+:[[:space:]]*//' >&2 || true
		status=1
	fi
done
[ "${1:-}" = --counts ] && exit 0

mapfile -t all < <(git ls-files --cached --others --exclude-standard '*.rs' 2>/dev/null || find . -name '*.rs' -not -path './target/*')
refs=$(lone_references "${all[@]}")
if [ -n "$refs" ]; then
	echo "unsafe-gate: SAFETY comments that only refer elsewhere (each must stand on its own):" >&2
	echo "$refs" >&2
	status=1
fi
[ $status = 0 ] || die "the unsafe gate failed (above)" "move the unsafe into the vfs layer / say why it is sound right there"
log "unsafe gate: clean"
