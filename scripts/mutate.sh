#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The mutation pass (make mutate; docs/testing-mutations.md): plants each
# defect of tests/mutations.list, one at a time, in a copy of the
# repository (target/mutate/tree: the files git tracks or would track, as
# they are in the working tree), builds it, and runs the scenarios and host
# commands the entry names: each must FAIL. A mutation is caught when all
# of them fail; one that does not apply, does not build or is not caught
# fails the pass. First the same tests run on the unmutated copy and must
# pass (else a "catch" would prove nothing); MUTATE_BASELINE=0 skips that.
#
# Usage: scripts/mutate.sh [NAME...]   (make mutate [M="NAME ..."])
#   NAME   run only these mutations (default: all)
# VM_JOBS=N: VMs at a time (default 1).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
list="$REPO_ROOT/tests/mutations.list"
tree="$REPO_ROOT/target/mutate/tree"
logs="$REPO_ROOT/target/mutate/logs"
start=$(date +%s)

# Parses the list into parallel arrays, one index per mutation: its name,
# its edits ("file<TAB>sed-expression" lines), the scenario filters and the
# host commands that must fail.
names=() edits=() scen=() hosts=()
parse_list() {
	local line key val n=-1 file="" lineno=0
	while IFS= read -r line || [ -n "$line" ]; do
		lineno=$((lineno + 1))
		case $line in '' | '#'*) continue ;; esac
		key=${line%%:*}
		val=${line#*: }
		[ "$key" != "$line" ] || die "$list:$lineno: not 'key: value': $line" "see the format at the top of $list"
		case $key in
		mutation)
			n=$((n + 1))
			names[n]=$val edits[n]="" scen[n]="" hosts[n]="" file=""
			;;
		file | sed | fails | host)
			[ $n -ge 0 ] || die "$list:$lineno: '$key:' before the first 'mutation:'" "start each block with 'mutation: NAME'"
			case $key in
			file) file=$val ;;
			sed)
				[ -n "$file" ] || die "$list:$lineno: 'sed:' before any 'file:' in ${names[n]}" "name the file first"
				edits[n]+="$file"$'\t'"$val"$'\n'
				;;
			fails) scen[n]+="$val"$'\n' ;;
			host) hosts[n]+="$val"$'\n' ;;
			esac
			;;
		*) die "$list:$lineno: unknown key '$key'" "use mutation:, file:, sed:, fails: or host:" ;;
		esac
	done <"$list"
	local i
	for i in "${!names[@]}"; do
		[ -n "${edits[i]}" ] || die "mutation ${names[i]} has no edit" "add 'file:' and 'sed:' lines"
		[ -n "${scen[i]}${hosts[i]}" ] || die "mutation ${names[i]} names no test that must fail" "add 'fails:' or 'host:' lines"
	done
}

# Brings the copy in line with the working tree: files whose content
# differs are copied (so they get a new mtime and make rebuilds from
# them), files gone from the list are removed; the copy's target/ stays.
sync_tree() {
	mkdir -p "$tree"
	local f
	(cd "$REPO_ROOT" && git ls-files -co --exclude-standard) | grep -v '^target/' | sort >"$tree.files.new"
	if [ -f "$tree.files" ]; then
		comm -23 "$tree.files" "$tree.files.new" | while IFS= read -r f; do rm -f "$tree/$f"; done
	fi
	while IFS= read -r f; do
		[ -e "$REPO_ROOT/$f" ] || continue
		if ! cmp -s "$REPO_ROOT/$f" "$tree/$f"; then
			mkdir -p "$(dirname "$tree/$f")"
			cp "$REPO_ROOT/$f" "$tree/$f"
		fi
	done <"$tree.files.new"
	mv "$tree.files.new" "$tree.files"
}

# Builds the copy (modules, with the modversions gate, and the harness).
build_tree() {
	make -s -C "$tree" KDIR="$KDIR" >"$1" 2>&1 &&
		(cd "$tree" && cargo build --quiet --release -p harness) >>"$1" 2>&1
}

# Runs the scenarios of filters $1 (one a line) in the copy; the harness's
# report goes to $2. Prints the scenarios that FAILED, one a line.
run_scenarios() {
	local -a f
	mapfile -t f <<<"${1%$'\n'}"
	(cd "$tree" && ./target/release/harness --jobs "${VM_JOBS:-1}" --kdir "$KDIR" "${f[@]}") >"$2" 2>&1 || true
	sed -n 's/^test \(.*\) \.\.\. FAILED.*/\1/p' "$2"
}

# Whether a FAILED test named in $2 (one a line) belongs to filter $1.
failed_for() {
	local t
	while IFS= read -r t; do
		case $t in kunit::*) continue ;; *"$1"*) return 0 ;; esac
	done <<<"$2"
	return 1
}

# Whether the harness ran a scenario for filter $1 (its report $2).
ran_for() { grep -q "^test [^ ]*$1[^ ]* \.\.\. " "$2"; }

# Runs host command $1 in the copy, output to $2; its exit status.
run_host() { (cd "$tree" && bash -c "$1") >"$2" 2>&1; }

parse_list
want=("$@")
if [ ${#want[@]} -gt 0 ]; then
	for w in "${want[@]}"; do
		printf '%s\n' "${names[@]}" | grep -qx -- "$w" ||
			die "no mutation named '$w' in $list" "the names: $(printf '%s ' "${names[@]}")"
	done
fi
selected() {
	[ ${#want[@]} = 0 ] && return 0
	printf '%s\n' "${want[@]}" | grep -qx -- "$1"
}

log "mutate: toolchain, kernel, the working tree's modules and test data"
# The toolchain, the cached kernel ($KDIR) and the working tree's own
# build, which the test data's module variants start from.
prepare main
# The guest's data come from the working tree's sources, unchanged by any
# mutation: made once, there.
TEST_DATA=$("$REPO_ROOT/scripts/test-data.sh" --variants "$KDIR")
export TEST_DATA
rm -rf "$logs"
mkdir -p "$logs"
sync_tree
log "mutate: copy in $tree; logs in $logs"

if [ "${MUTATE_BASELINE:-1}" != 0 ]; then
	log "mutate: baseline: the tests the mutations name, on the unmutated copy"
	build_tree "$logs/baseline.build" ||
		{ tail -30 "$logs/baseline.build" >&2; die "the unmutated copy does not build" "see $logs/baseline.build"; }
	all_scen="" all_hosts=""
	for i in "${!names[@]}"; do
		selected "${names[i]}" || continue
		all_scen+=${scen[i]}
		all_hosts+=${hosts[i]}
	done
	all_scen=$(printf '%s' "$all_scen" | sort -u)
	all_hosts=$(printf '%s' "$all_hosts" | sort -u)
	if [ -n "$all_scen" ]; then
		bad=$(run_scenarios "$all_scen" "$logs/baseline.harness")
		[ -z "$bad" ] || { cat "$logs/baseline.harness" >&2; die "on the unmutated tree these fail already: $(echo $bad)" "fix them first; a mutation they 'catch' would prove nothing"; }
	fi
	k=0
	while IFS= read -r h; do
		[ -n "$h" ] || continue
		k=$((k + 1))
		run_host "$h" "$logs/baseline.host$k" ||
			{ cat "$logs/baseline.host$k" >&2; die "on the unmutated tree this host test fails already: $h" "fix it first"; }
	done <<<"$all_hosts"
	log "mutate: baseline passes"
fi

passed=0 failed=0 results=()
for i in "${!names[@]}"; do
	name=${names[i]}
	selected "$name" || continue
	log "mutate: $name"
	why=""
	touched=()
	while IFS=$'\t' read -r file expr; do
		[ -n "$file" ] || continue
		[ -f "$tree/$file" ] || { why="$file does not exist"; break; }
		cp "$tree/$file" "$logs/$name.orig"
		sed -i -e "$expr" "$tree/$file" || { why="sed failed on $file: $expr"; break; }
		touched+=("$file")
		if cmp -s "$tree/$file" "$logs/$name.orig"; then
			why="did not apply: '$expr' changes nothing in $file (the code moved? update $list)"
			break
		fi
		diff -u --label "a/$file" --label "b/$file" "$logs/$name.orig" "$tree/$file" >>"$logs/$name.diff" || true
	done <<<"${edits[i]}"
	if [ -z "$why" ] && [ -n "${scen[i]}" ]; then
		if ! build_tree "$logs/$name.build"; then
			why="the mutant does not build (see $logs/$name.build): a mutation must compile"
		else
			got=$(run_scenarios "${scen[i]}" "$logs/$name.harness")
			while IFS= read -r f; do
				[ -n "$f" ] || continue
				if ! ran_for "$f" "$logs/$name.harness"; then
					why="${why:+$why; }no scenario ran for '$f' (see $logs/$name.harness)"
				elif ! failed_for "$f" "$got"; then
					why="${why:+$why; }$f passed"
				fi
			done <<<"${scen[i]}"
		fi
	fi
	if [ -z "$why" ]; then
		k=0
		while IFS= read -r h; do
			[ -n "$h" ] || continue
			k=$((k + 1))
			if run_host "$h" "$logs/$name.host$k"; then
				why="${why:+$why; }host test passed: $h"
			fi
		done <<<"${hosts[i]}"
	fi
	# Back to the working tree's content, with a new mtime: the next build
	# must not reuse what was built from the mutant.
	for f in "${touched[@]}"; do cp "$REPO_ROOT/$f" "$tree/$f"; done
	if [ -z "$why" ]; then
		passed=$((passed + 1))
		results+=("caught      $name")
	else
		failed=$((failed + 1))
		results+=("NOT CAUGHT  $name: $why")
	fi
	log "mutate: ${results[-1]}"
done
echo
echo "mutations:"
printf '  %s\n' "${results[@]}"
echo "mutate: $passed passed, $failed failed ($(($(date +%s) - start))s; logs in $logs)"
[ $failed = 0 ]
