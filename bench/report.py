#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Turns the BENCH lines of one benchmark run into bench/results.json and
bench/results.md. Usage: report.py GUEST_LOG KDIR REPO KERNEL_KEY"""
import datetime
import json
import os
import re
import statistics
import subprocess
import sys

log, kdir, repo, key = sys.argv[1:5]
v = {}
for line in open(log, encoding='utf-8', errors='replace'):
    m = re.match(r'^BENCH (\S+) (\S+)$', line.strip())
    if m:
        v[m.group(1)] = float(m.group(2))


def runs(pattern):
    return [val for k, val in v.items() if re.fullmatch(pattern, k)]


def summary(xs):
    return {'median': statistics.median(xs), 'min': min(xs), 'max': max(xs), 'n': len(xs)}


def ratio(a, b):
    return {k: a[k] / b[k] for k in ('median', 'min', 'max')}


release = open(os.path.join(kdir, 'include/config/kernel.release')).read().strip()
mods = os.path.join(kdir, 'mod-install/lib/modules', release, 'kernel/fs/fat')
kos = {
    'rust_fat': os.path.join(repo, 'rust_vfat_demo/rust_fat.ko'),
    'rust_vfat': os.path.join(repo, 'rust_vfat_demo/rust_vfat.ko'),
    'fat': os.path.join(mods, 'fat.ko'),
    'vfat': os.path.join(mods, 'vfat.ko'),
}


def sections(path):
    out = subprocess.run(['llvm-readelf-19', '-S', '-W', path], capture_output=True, text=True).stdout
    sums = {'text': 0, 'rodata': 0, 'data': 0, 'bss': 0}
    for line in out.splitlines():
        m = re.match(r'\s*\[\s*\d+\]\s+(\S+)\s+\S+\s+[0-9a-f]+\s+[0-9a-f]+\s+([0-9a-f]+)\s+\S+\s+(\S*)', line)
        if not m or 'A' not in m.group(3):
            continue
        name, size = m.group(1), int(m.group(2), 16)
        for kind, prefixes in (('text', ('.text', '.init.text', '.exit.text')), ('rodata', ('.rodata',)),
                               ('data', ('.data', '.init.data', '.exit.data')), ('bss', ('.bss',))):
            if name.startswith(prefixes):
                sums[kind] += size
    return sums


memory = {}
for m, path in kos.items():
    memory[m] = {'ko_bytes': os.path.getsize(path), **sections(path), 'core_size': int(v.get(f'core_size.{m}', 0))}
rust_mem = {k: memory['rust_fat'][k] + memory['rust_vfat'][k] for k in memory['fat']}
c_mem = {k: memory['fat'][k] + memory['vfat'][k] for k in memory['fat']}

lu_rust = {k: v[f'load_unload.rust.{k}_ns'] for k in ('median', 'min', 'max')}
lu_c = {k: v[f'load_unload.c.{k}_ns'] for k in ('median', 'min', 'max')}
cross = summary(runs(r'call\.run\d+\.cross_module_ns_per_call'))
inmod = summary(runs(r'call\.run\d+\.in_module_ns_per_call'))
entries = int(v.get('listing.rust.run1.entries', 0))
rust_list = summary(runs(r'listing\.rust\.run\d+\.ns'))
rust_write = summary(runs(r'listing\.rust\.run\d+\.write_ns'))
c_cold = summary(runs(r'listing\.c_cold\.run\d+\.ns'))
c_warm = summary(runs(r'listing\.c_warm\.run\d+\.ns'))


def eps(pattern):
    """Entries per second of each run matching `pattern`, summarized."""
    return summary([entries / (ns / 1e9) for ns in runs(pattern)])


rust_eps = eps(r'listing\.rust\.run\d+\.ns')
c_warm_eps = eps(r'listing\.c_warm\.run\d+\.ns')
c_cold_eps = eps(r'listing\.c_cold\.run\d+\.ns')


boot_wall = summary(runs(r'boot\.run\d+\.wall_ms'))
boot_init = summary(runs(r'boot\.run\d+\.kernel_to_init_ms'))
inner = summary(runs(r'inner_loop\.run\d+\.total_ms'))
inner_build = summary(runs(r'inner_loop\.run\d+\.build_ms'))
inner_vm = summary(runs(r'inner_loop\.run\d+\.vm_ms'))

res = {
    'taken': datetime.datetime.now(datetime.timezone.utc).isoformat(timespec='seconds'),
    'kernel': release,
    'kernel_key': key,
    'machine': {'cpus': os.cpu_count(), 'accel': 'tcg'},
    'load_unload_ns': {'rust': lu_rust, 'c': lu_c, 'ratio_rust_over_c': ratio(lu_rust, lu_c), 'cycles': 100},
    'memory_bytes': {'modules': memory, 'rust_pair': rust_mem, 'c_pair': c_mem,
                     'ratio_rust_over_c': {k: rust_mem[k] / c_mem[k] if c_mem[k] else None for k in c_mem}},
    'call_ns_per_call': {'cross_module': cross, 'in_module': inmod,
                         'ratio_cross_over_in': ratio(cross, inmod), 'calls_per_run': int(v.get('call.run1.calls', 0))},
    'listing_10k': {'entries': entries,
                    'rust_vfat_entries_per_s': rust_eps, 'rust_vfat_image_write_ns': rust_write,
                    'c_vfat_cold_entries_per_s': c_cold_eps, 'c_vfat_warm_entries_per_s': c_warm_eps,
                    'ratio_rust_over_c_warm': ratio(rust_eps, c_warm_eps),
                    'ratio_rust_over_c_cold': ratio(rust_eps, c_cold_eps)},
    'bench': {'kernel_cold_build_s': v.get('kernel.cold_build_s'), 'suite_warm_s': v.get('suite.warm_s'),
              'boot_wall_ms': boot_wall, 'boot_kernel_to_init_ms': boot_init,
              'inner_loop_ms': inner, 'inner_loop_build_ms': inner_build, 'inner_loop_vm_ms': inner_vm,
              'targets': {'inner_loop_ms': 5000, 'suite_warm_s': 60}},
}
os.makedirs(os.path.join(repo, 'bench'), exist_ok=True)
json.dump(res, open(os.path.join(repo, 'bench/results.json'), 'w'), indent=2)


def f3(s, unit=1.0, fmt='{:.0f}'):
    return ' / '.join(fmt.format(s[k] / unit) for k in ('median', 'min', 'max'))


md = [f"# Benchmark results\n",
      f"Taken {res['taken']} on Linux {release} under QEMU TCG ({os.cpu_count()} host CPUs), "
      f"Rust and C in the same VM boot. Cells are median / min / max over the runs (a ratio column divides medians by medians, minima by minima, maxima by maxima); TCG inflates absolute times, "
      f"the ratios are what carries over. Command: `make bench`.\n",
      "| measure | Rust | C | Rust / C |", "| --- | --- | --- | --- |",
      f"| insmod+rmmod of the pair, µs (100 interleaved cycles) | {f3(lu_rust, 1e3)} | {f3(lu_c, 1e3)} | {f3(res['load_unload_ns']['ratio_rust_over_c'], 1, '{:.2f}')} |"]
for k in ('ko_bytes', 'text', 'rodata', 'data', 'bss', 'core_size'):
    r = res['memory_bytes']['ratio_rust_over_c'][k]
    md.append(f"| {k.replace('_', ' ')} of the pair, bytes | {rust_mem[k]} | {c_mem[k]} | {r:.2f} |" if r else
              f"| {k} of the pair, bytes | {rust_mem[k]} | {c_mem[k]} | – |")
md += [f"| listing 10,000 entries, entries/s (Rust: parse + walk of the image written to the device; C: readdir, warm page cache) | {f3(rust_eps)} | {f3(c_warm_eps)} | {f3(res['listing_10k']['ratio_rust_over_c_warm'], 1, '{:.2f}')} |",
       f"| listing 10,000 entries, C cold (caches dropped, fresh mount) | – | {f3(c_cold_eps)} | {f3(res['listing_10k']['ratio_rust_over_c_cold'], 1, '{:.2f}')} |",
       "", "| call of `lfn_checksum` (10^6 calls, 5 runs) | ns per call |", "| --- | --- |",
       f"| across the module boundary (rust_vfat → rust_fat) | {f3(cross, 1, '{:.2f}')} |",
       f"| inside rust_vfat (the same code compiled in) | {f3(inmod, 1, '{:.2f}')} |",
       f"| ratio | {f3(res['call_ns_per_call']['ratio_cross_over_in'], 1, '{:.2f}')} |",
       "", "| the bench | measured | target |", "| --- | --- | --- |",
       f"| cold kernel build | {v.get('kernel.cold_build_s', 0):.0f} s | – |",
       f"| warm full suite (`make check`) | {v.get('suite.warm_s', 0):.0f} s | ≤ 60 s |",
       f"| VM boot to /init (kernel clock) | {f3(boot_init)} ms | – |",
       f"| VM run of an empty script, wall | {f3(boot_wall)} ms | – |",
       f"| inner loop: touch a .rs, rebuild, boot, its scenario | {f3(inner)} ms (build {f3(inner_build)}, VM {f3(inner_vm)}) | ≤ 5000 ms |",
       ""]
open(os.path.join(repo, 'bench/results.md'), 'w').write('\n'.join(md) + '\n')
print('\n'.join(md))

# Keep the README's copy of the table current.
readme = os.path.join(repo, 'README.md')
text = open(readme).read()
m = re.search(r'(<!-- bench-table:[^\n]*-->\n).*?(\n<!-- /bench-table -->)', text, re.S)
if m:
    table = '\n'.join(md[2:]).strip()
    text = text[:m.start()] + m.group(1) + table + m.group(2) + text[m.end():]
    open(readme, 'w').write(text)
