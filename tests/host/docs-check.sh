#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The documentation names only what exists: every fenced code block of
# README.md and docs/*.md is read for `make` commands and repository paths,
# and fails its file's test when it names
#   - a make target the Makefile has no rule for (rule names and .PHONY
#     names; pattern rules do not count),
#   - a VAR= option (on the make command line, or in the environment
#     before make) that neither the Makefile nor the scripts reference,
#   - a path under scripts/, bench/, tests/, kernel/ or .ci/ that
#     does not exist in the repository.
# Before that, the checker is run on a planted bad document and must reject
# each of the three, so a checker that accepts everything fails too.
# `make check` runs it with the other host gates (scripts/check.sh).
#
# Usage: tests/host/docs-check.sh [FILE.md...]   (default: README.md docs/*.md)
set -uo pipefail
REPORT_PREFIX=host::docs::
. "$(dirname "$0")/lib.sh"

pending_targets="" # WHITELIST: targets being added elsewhere, allowed until merged (none now)

# check_docs FILE...: one line per problem, "FILE:LINE: what".
check_docs() {
	PENDING="$pending_targets" python3 - "$root" "$@" <<'EOF'
import os
import re
import shlex
import sys

root, files = sys.argv[1], sys.argv[2:]

# The Makefile's targets: rule names outside recipes and define blocks,
# and everything .PHONY lists.
targets = set(os.environ.get('PENDING', '').split())
in_define = False
for line in open(os.path.join(root, 'Makefile'), encoding='utf-8'):
    if re.match(r'^define\b', line):
        in_define = True
    elif re.match(r'^endef\b', line):
        in_define = False
    if in_define or line.startswith(('\t', '#')):
        continue
    m = re.match(r'^([^\s:=#][^:=]*?)\s*::?(?!=)(.*)$', line)
    if not m:
        continue
    names = m.group(1).split()
    if names == ['.PHONY']:
        targets.update(m.group(2).split('#')[0].split())
    else:
        targets.update(n for n in names if '%' not in n and '$' not in n)

# What the Makefile and the scripts reference: a variable named anywhere
# there is one the build can read.
sources = []
for top in ('Makefile', 'scripts', 'bench', 'tests/harness/src', 'tests/host', '.ci'):
    p = os.path.join(root, top)
    if os.path.isfile(p):
        sources.append(p)
    for d, _, names in os.walk(p):
        sources += [os.path.join(d, n) for n in names]
corpus = ''
for p in sources:
    if os.path.basename(p) == 'docs-check.sh':
        continue  # this checker names made-up options in its own test
    try:
        corpus += open(p, encoding='utf-8', errors='replace').read() + '\n'
    except OSError:
        pass
known_vars = {}


def var_known(v):
    if v not in known_vars:
        known_vars[v] = re.search(r'(?<![A-Za-z0-9_])' + re.escape(v) + r'(?![A-Za-z0-9_])', corpus) is not None
    return known_vars[v]


make_at = re.compile(r'(?:^|[;&|(]|\$\(|\bthen\b|\bdo\b|\bsudo\b)\s*((?:[A-Za-z_][A-Za-z0-9_]*=\S*\s+)*)make(?=\s|$)(.*)')
path_re = re.compile(r'(?<![\w/.$~-])((?:\./)?(?:scripts|bench|tests|kernel|\.ci)/[\w./+-]*[\w+-])')
problems = []
for f in files:
    rel = os.path.relpath(f, root)
    fence = None
    output = False
    for n, line in enumerate(open(f, encoding='utf-8'), 1):
        s = line.rstrip('\n')
        m = re.match(r'^\s*(```+|~~~+)\s*(\S*)', s)
        if m:
            if not fence:
                # A ```text block is what a program printed, not commands.
                output = m.group(2) == 'text'
            fence = None if fence and m.group(1).startswith(fence) else (fence or m.group(1))
            continue
        if not fence or output:
            continue
        where = f'{rel}:{n}'
        # The command part of the line: a comment starts at a '#' after blank.
        cmd = re.split(r'\s#', s, maxsplit=1)[0]
        cmd = re.sub(r'^\s*\$ ', '', cmd)
        for m in make_at.finditer(cmd):
            env, rest = m.group(1), m.group(2)
            rest = re.split(r'\|\||&&|[;|)]', rest, maxsplit=1)[0]
            try:
                words = shlex.split(rest)
            except ValueError:
                words = rest.split()
            if '-C' in words or any(w.startswith('-C') and len(w) > 2 for w in words):
                continue  # another tree's make (the kernel's)
            for w in env.split() + words:
                w = w.strip('[]')
                if not w or w.startswith('-') or '<' in w or '...' in w or w.startswith('$'):
                    continue
                if '=' in w:
                    v = w.split('=', 1)[0]
                    if re.fullmatch(r'[A-Za-z_][A-Za-z0-9_]*', v) and not var_known(v):
                        problems.append(f'{where}: option {v}= is referenced by neither the Makefile nor the scripts: {s.strip()}')
                elif re.fullmatch(r'[\w.+-]+', w) and w not in targets:
                    problems.append(f'{where}: make target "{w}" does not exist in the Makefile: {s.strip()}')
        for m in path_re.finditer(s):
            p = m.group(1)
            after = s[m.end():m.end() + 2]
            if after[:1] in ('*', '<', '$', '{') or after == '.{' or '...' in p:
                continue
            if not os.path.exists(os.path.join(root, p)):
                problems.append(f'{where}: path {p} does not exist in the repository')
print('\n'.join(problems))
EOF
}

# The checker on a document that names a missing target, option and script.
cat >"$tmp/bad.md" <<'EOF'
Prose may say make no-such-target; only code blocks are read.
```sh
make check T=vfat::03        # fine
VM_JOBS=1 make check         # fine
make no-such-target          # a target that does not exist
make bench NO_SUCH_OPTION=1  # an option nothing reads
scripts/no-such-script.sh    # a script that does not exist
make -C /lib/modules/x/build M=$PWD   # the kernel's make: not ours to check
```
EOF
got=$(check_docs "$tmp/bad.md" 2>&1)
if [ "$(grep -c . <<<"$got")" = 3 ] && grep -q 'no-such-target' <<<"$got" &&
	grep -q 'NO_SUCH_OPTION' <<<"$got" && grep -q 'no-such-script.sh' <<<"$got"; then
	report checker-rejects-a-bad-document ok
else
	report checker-rejects-a-bad-document FAILED "expected exactly the three planted problems, got:"$'\n'"$got"
fi

if [ $# -gt 0 ]; then
	docs=("$@")
else
	docs=("$root/README.md" "$root"/docs/*.md)
fi
for f in "${docs[@]}"; do
	[ -f "$f" ] || { report "$(basename "$f")" FAILED "no such file: $f"; continue; }
	got=$(check_docs "$f" 2>&1)
	rc=$?
	if [ $rc = 0 ] && [ -z "$got" ]; then
		report "${f#"$root"/}" ok
	else
		report "${f#"$root"/}" FAILED "$got"
	fi
done
exit $failed
