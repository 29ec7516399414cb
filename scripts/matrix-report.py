#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Joins the harness's result sets of the kernel matrix into one: OUT/junit.xml
(one <testsuite> per configuration and run), OUT/kcidb.json (the checkouts,
builds and tests of every set; the harness already gives each kernel tree
its own build id) and OUT/table.md (configuration x scenario family). With
--update-readme the table also replaces the matrix block of docs/testing.md.
Usage: matrix-report.py [--update-readme] OUT CONFIG=SET_DIR...
(a SET_DIR holds the harness's junit.xml and kcidb.json)"""
import json
import os
import re
import sys
import xml.etree.ElementTree as ET

args = sys.argv[1:]
update_readme = bool(args) and args[0] == '--update-readme'
if update_readme:
    args = args[1:]
if len(args) < 2 or any('=' not in a for a in args[1:]):
    sys.exit(__doc__)
out = args[0]
sets = [a.split('=', 1) for a in args[1:]]

root = ET.Element('testsuites', name='rust_modules-matrix')
submission = {'checkouts': [], 'builds': [], 'tests': []}
seen = {'checkouts': set(), 'builds': set(), 'tests': set()}
# (family, config) -> [passed, skipped, total]
cells = {}
configs = []
for config, set_dir in sets:
    if config not in configs:
        configs.append(config)
    junit = os.path.join(set_dir, 'junit.xml')
    kcidb = os.path.join(set_dir, 'kcidb.json')
    if not os.path.exists(junit) or not os.path.exists(kcidb):
        # A configuration whose run left no results counts as one error.
        cell = cells.setdefault(('(no results)', config), [0, 0, 0])
        cell[2] += 1
        continue
    for suite in ET.parse(junit).getroot().iter('testsuite'):
        suite.set('name', f"{suite.get('name')}.{config}")
        root.append(suite)
        for case in suite.iter('testcase'):
            family = case.get('name').split('::')[0]
            cell = cells.setdefault((family, config), [0, 0, 0])
            cell[2] += 1
            if case.find('skipped') is not None:
                cell[1] += 1
            elif case.find('failure') is None and case.find('error') is None:
                cell[0] += 1
    data = json.load(open(kcidb, encoding='utf-8'))
    submission.setdefault('version', data['version'])
    for kind in ('checkouts', 'builds', 'tests'):
        for obj in data.get(kind, []):
            if obj['id'] not in seen[kind]:
                seen[kind].add(obj['id'])
                submission[kind].append(obj)

for attr in ('tests', 'failures', 'errors', 'skipped'):
    root.set(attr, str(sum(int(s.get(attr, 0)) for s in root)))
ET.ElementTree(root).write(os.path.join(out, 'junit.xml'), encoding='UTF-8', xml_declaration=True)
with open(os.path.join(out, 'kcidb.json'), 'w', encoding='utf-8') as f:
    json.dump(submission, f, indent=1)


def cell_text(c):
    if c is None:
        return '–'
    passed, skipped, total = c
    verdict = 'pass' if passed + skipped == total else f'**FAIL {total - passed - skipped}**'
    return f"{verdict} {passed}/{total}" + (f" ({skipped} skipped)" if skipped else '')


families = sorted({f for f, _ in cells})
lines = ['| scenario family | ' + ' | '.join(configs) + ' |',
         '| --- |' + ' --- |' * len(configs)]
for family in families:
    lines.append(f'| {family} | ' + ' | '.join(cell_text(cells.get((family, c))) for c in configs) + ' |')
table = '\n'.join(lines) + '\n'
with open(os.path.join(out, 'table.md'), 'w', encoding='utf-8') as f:
    f.write(table)

if update_readme:
    readme = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'docs', 'testing.md')
    text = open(readme, encoding='utf-8').read()
    block = re.compile(r'(<!-- matrix-table: [^>]*-->\n).*?(<!-- /matrix-table -->)', re.S)
    if not block.search(text):
        sys.exit('docs/testing.md has no <!-- matrix-table: ... --> block')
    text = block.sub(lambda m: m.group(1) + table + m.group(2), text)
    open(readme, 'w', encoding='utf-8').write(text)
