#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Turns the BENCH lines of one benchmark run into results.json and
results.md in OUT_DIR; with --update-readme also rewrites the table block of
docs/benchmark.md. Usage: report.py [--update-readme] GUEST_LOG KDIR REPO MODULES_DIR KERNEL_KEY OUT_DIR
(MODULES_DIR: where the build put the project's modules, `make modules-dir`)"""
import datetime
import json
import os
import re
import statistics
import subprocess
import sys

args = sys.argv[1:]
update_readme = bool(args) and args[0] == '--update-readme'
if update_readme:
    args = args[1:]
if len(args) != 6:
    sys.exit(__doc__)
log, kdir, repo, built, key, out_dir = args
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
    'rust_fat': os.path.join(built, 'rust_vfat_demo/rust_fat.ko'),
    'rust_vfat': os.path.join(built, 'rust_vfat_demo/rust_vfat.ko'),
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


scsi_kos = {
    'rust_ncr810': os.path.join(built, 'rust_ncr810_stub/rust_ncr810.ko'),
    'sym53c8xx': os.path.join(kdir, 'mod-install/lib/modules', release,
                              'kernel/drivers/scsi/sym53c8xx_2/sym53c8xx.ko'),
}
def module_memory(m, path):
    """A module's .ko size, section sizes and the core size the guest read."""
    return {'ko_bytes': os.path.getsize(path), **sections(path), 'core_size': int(v.get(f'core_size.{m}', 0))}


memory = {m: module_memory(m, path) for m, path in kos.items()}
scsi_memory = {m: module_memory(m, path) for m, path in scsi_kos.items()}
rust_mem = {k: memory['rust_fat'][k] + memory['rust_vfat'][k] for k in memory['fat']}
c_mem = {k: memory['fat'][k] + memory['vfat'][k] for k in memory['fat']}

lu_rust = {k: v[f'load_unload.rust.{k}_ns'] for k in ('median', 'min', 'max')}
lu_c = {k: v[f'load_unload.c.{k}_ns'] for k in ('median', 'min', 'max')}
cross = summary(runs(r'call\.run\d+\.cross_module_ns_per_call'))
inmod = summary(runs(r'call\.run\d+\.in_module_ns_per_call'))


def triple(prefix):
    """The median/min/max an rvbench stats() call printed under `prefix`."""
    return {k: v[f'{prefix}.{k}_ns'] for k in ('median', 'min', 'max')}


mount = {d: triple(f'mount.{d}.mount') for d in ('rust', 'c')}
umount = {d: triple(f'mount.{d}.umount') for d in ('rust', 'c')}


CP_TREE_FILES = 500  # the tree bench/guest.sh copies with cp -r


def rate(kind, name, amount_key, scale=1.0):
    """Per-run amount/s of the runs `kind.name.runN`, summarized: `amount_key`
    is the BENCH key holding what each run did (entries, bytes, reads)."""
    xs = []
    for k, ns in v.items():
        m = re.fullmatch(rf'{kind}\.{name}\.(run\d+)\.ns', k)
        if m:
            xs.append(v[f'{kind}.{name}.{m.group(1)}.{amount_key}'] / (ns / 1e9) / scale)
    return summary(xs)


rates = {
    'readdir_cold_entries_per_s': {d: rate('listing', f'{d}_cold', 'entries') for d in ('rust', 'c')},
    'readdir_warm_entries_per_s': {d: rate('listing', f'{d}_warm', 'entries') for d in ('rust', 'c')},
    'findstat_cold_entries_per_s': {d: rate('findstat', f'{d}_cold', 'entries') for d in ('rust', 'c')},
    'findstat_warm_entries_per_s': {d: rate('findstat', f'{d}_warm', 'entries') for d in ('rust', 'c')},
    'seqread_cold_mb_per_s': {d: rate('seqread', d, 'bytes', 1e6) for d in ('rust', 'c')},
    'randread_cold_iops': {d: rate('randread', d, 'reads') for d in ('rust', 'c')},
    'bigdir_lookup_cold_per_s': {d: rate('lookups', f'{d}_cold', 'names') for d in ('rust', 'c')},
    'bigdir_lookup_warm_per_s': {d: rate('lookups', f'{d}_warm', 'names') for d in ('rust', 'c')},
    # The write rows (read-write mounts of fresh copies of one empty image).
    'seqwrite_fsync_mb_per_s': {d: rate('seqwrite', d, 'bytes', 1e6) for d in ('rust', 'c')},
    'create_files_per_s': {d: rate('create', d, 'files') for d in ('rust', 'c')},
    'rename_per_s': {d: rate('rename', d, 'files') for d in ('rust', 'c')},
    'unlink_files_per_s': {d: rate('unlink', d, 'files') for d in ('rust', 'c')},
    # `cp -r` of the 500-file tree: one copy per run, shown as files/s.
    'cp_tree_files_per_s': {d: rate('run', f'cp_{d}', 'runs', 1 / CP_TREE_FILES) for d in ('rust', 'c')},
}
for r in rates.values():
    r['ratio_rust_over_c'] = ratio(r['rust'], r['c'])

# The SCSI rows: "c" is sym53c8xx as it loads (tagged, queue depth 16),
# "c_qd1" the same with cmd_per_lun=1 (one command at a time; rust_ncr810 queues 16, tagged).
SCSI = ('rust', 'c', 'c_qd1')
scsi_rates = {
    'seqread_direct_mb_per_s': {d: rate('seqread', f'scsi_{d}', 'bytes', 1e6) for d in SCSI},
    'seqwrite_direct_mb_per_s': {d: rate('seqwrite', f'scsi_{d}', 'bytes', 1e6) for d in SCSI},
    'randread_direct_iops': {d: rate('randread', f'scsi_{d}', 'reads') for d in SCSI},
    'randrw_qd16_direct_iops': {d: rate('randrw', f'scsi_{d}', 'ops') for d in SCSI},
}
for r in scsi_rates.values():
    r['ratio_rust_over_c'] = ratio(r['rust'], r['c'])
    r['ratio_rust_over_c_qd1'] = ratio(r['rust'], r['c_qd1'])
scsi_probe = {d: summary(runs(rf'scsi_probe\.{d}\.run\d+\.ns')) for d in ('rust', 'c')}
scsi_probe['ratio_rust_over_c'] = ratio(scsi_probe['rust'], scsi_probe['c'])
scsi_disk_bytes = int(v.get('seqread.scsi_rust.run11.bytes', 0))
scsi_randreads = int(v.get('randread.scsi_rust.run11.reads', 0))
scsi_randrw = int(v.get('randrw.scsi_rust.run11.ops', 0))
slab = {c: int(v.get(f'slab.{c}.objsize', 0)) for c in ('rust_fat_inode_cache', 'fat_inode_cache')}
entries = int(v.get('findstat.rust_warm.run1.entries', 0))
dir_entries = int(v.get('listing.rust_cold.run1.entries', 0))
randreads = int(v.get('randread.rust.run1.reads', 0))

boot_wall = summary(runs(r'boot\.run\d+\.wall_ms'))
boot_init = summary(runs(r'boot\.run\d+\.kernel_to_init_ms'))
boot_cpu = summary(runs(r'boot\.run\d+\.cpu_ms') or [0])
inner = summary(runs(r'inner_loop\.run\d+\.total_ms'))
inner_build = summary(runs(r'inner_loop\.run\d+\.build_ms'))
inner_vm = summary(runs(r'inner_loop\.run\d+\.vm_ms'))

res = {
    # When the run ended: the guest log's last write (a report made again
    # from the same log keeps the run's date).
    'taken': datetime.datetime.fromtimestamp(os.path.getmtime(log), datetime.timezone.utc).isoformat(timespec='seconds'),
    'kernel': release,
    'kernel_key': key,
    'machine': {'cpus': os.cpu_count(), 'accel': 'tcg'},
    'load_unload_ns': {'rust': lu_rust, 'c': lu_c, 'ratio_rust_over_c': ratio(lu_rust, lu_c), 'cycles': 100},
    'memory_bytes': {'modules': memory, 'rust_pair': rust_mem, 'c_pair': c_mem,
                     'ratio_rust_over_c': {k: rust_mem[k] / c_mem[k] if c_mem[k] else None for k in c_mem}},
    'call_ns_per_call': {'cross_module': cross, 'in_module': inmod,
                         'ratio_cross_over_in': ratio(cross, inmod), 'calls_per_run': int(v.get('call.run1.calls', 0))},
    'inode_object_bytes': {**slab, 'ratio_rust_over_c': slab['rust_fat_inode_cache'] / slab['fat_inode_cache']
                           if slab['fat_inode_cache'] else None},
    'mount_ns': {'mount': {**mount, 'ratio_rust_over_c': ratio(mount['rust'], mount['c'])},
                 'umount': {**umount, 'ratio_rust_over_c': ratio(umount['rust'], umount['c'])},
                 'cycles': 100, 'options': 'ro,utf8'},
    'scsi': {'disk_bytes': scsi_disk_bytes, 'random_reads_per_run': scsi_randreads, 'random_rw_ops_per_run': scsi_randrw,
             'modprobe_to_disk_ns': scsi_probe, 'memory_bytes': scsi_memory, **scsi_rates},
    'file_system': {'directory_entries': dir_entries, 'findstat_entries': entries,
                    'random_reads_per_run': randreads, **rates},
    'bench': {'kernel_cold_build_s': v.get('kernel.cold_build_s'), 'suite_warm_s': v.get('suite.warm_s'),
              'boot_wall_ms': boot_wall, 'boot_cpu_ms': boot_cpu, 'boot_kernel_to_init_ms': boot_init,
              'inner_loop_ms': inner, 'inner_loop_build_ms': inner_build, 'inner_loop_vm_ms': inner_vm,
              'inner_loop_command': 'touch rust_vfat_demo/rust_vfat.rs; make check T=vfat::02-modprobe-stack',
              'targets': {'inner_loop_ms': 3000, 'suite_warm_s': 60, 'boot_wall_ms': 1500}},
}
os.makedirs(out_dir, exist_ok=True)
json.dump(res, open(os.path.join(out_dir, 'results.json'), 'w'), indent=2)


def f3(s, unit=1.0, fmt='{:.0f}'):
    return ' / '.join(fmt.format(s[k] / unit) for k in ('median', 'min', 'max'))


def fr(s):
    """Median/min/max of a ratio: two decimals, three below 0.1."""
    return ' / '.join(('{:.2f}' if s[k] >= 0.1 else '{:.3f}').format(s[k]) for k in ('median', 'min', 'max'))


def row(measure, rust, c, r, unit=1.0, fmt='{:.0f}'):
    """A table row of median/min/max cells for Rust, C and their ratio."""
    return f"| {measure} | {f3(rust, unit, fmt)} | {f3(c, unit, fmt)} | {fr(r)} |"


def rate_row(measure, name, fmt='{:.0f}'):
    r = rates[name]
    return row(measure, r['rust'], r['c'], r['ratio_rust_over_c'], 1, fmt)


fs = res['file_system']
n_warm = fs['bigdir_lookup_warm_per_s']['rust']['n']
n_write = fs['seqwrite_fsync_mb_per_s']['rust']['n']
small_files = int(v.get('create.rust.run1.files', 0))
renames = int(v.get('rename.rust.run1.files', 0))
n_cold = fs['findstat_cold_entries_per_s']['rust']['n']
n_rand = fs['randread_cold_iops']['rust']['n']
md = [f"# Benchmark results\n",
      f"Taken {res['taken']} on Linux {release} under QEMU TCG ({os.cpu_count()} host CPUs), "
      f"Rust and C in the same VM boot, the file system rows on the same FAT32 image (512-byte clusters) "
      f"through two read-only loop devices, mounted `ro,utf8`. Cells are median / min / max over the runs "
      f"(a ratio column divides medians by medians, minima by minima, maxima by maxima); TCG inflates "
      f"absolute times, the ratios are what carries over. \"Cold\": caches dropped (`drop_caches` 3) and "
      f"a fresh mount before the run. Command: `make bench{' UPDATE_README=1' if update_readme else ''}`.\n",
      "| measure | Rust | C | Rust / C |", "| --- | --- | --- | --- |",
      row("insmod+rmmod of the pair, µs (100 interleaved cycles; lower is better)", lu_rust, lu_c,
          res['load_unload_ns']['ratio_rust_over_c'], 1e3)]
for k in ('ko_bytes', 'text', 'rodata', 'data', 'bss', 'core_size'):
    r = res['memory_bytes']['ratio_rust_over_c'][k]
    md.append(f"| {k.replace('_', ' ')} of the pair, bytes | {rust_mem[k]} | {c_mem[k]} | {r:.2f} |" if r else
              f"| {k.replace('_', ' ')} of the pair, bytes | {rust_mem[k]} | {c_mem[k]} | – |")
r = res['inode_object_bytes']['ratio_rust_over_c']
md += [f"| inode object, bytes (`/proc/slabinfo` objsize: `rust_fat_inode_cache`, `fat_inode_cache`) | "
       f"{slab['rust_fat_inode_cache']} | {slab['fat_inode_cache']} | {f'{r:.2f}' if r else '–'} |",
       row("mount(2), µs (100 interleaved cycles; lower is better)", mount['rust'], mount['c'],
           res['mount_ns']['mount']['ratio_rust_over_c'], 1e3),
       row("umount2(2), µs (the same cycles; lower is better)", umount['rust'], umount['c'],
           res['mount_ns']['umount']['ratio_rust_over_c'], 1e3),
       rate_row(f"readdir of {dir_entries:,} entries, cold, entries/s (higher is better)", 'readdir_cold_entries_per_s'),
       rate_row(f"readdir of {dir_entries:,} entries, warm, entries/s", 'readdir_warm_entries_per_s'),
       rate_row(f"find+stat (readdir + lstat of each of {entries:,} entries), cold, entries/s "
                f"({n_cold} run{'s' if n_cold != 1 else ''})", 'findstat_cold_entries_per_s'),
       rate_row(f"find+stat, warm (dcache hits), entries/s", 'findstat_warm_entries_per_s'),
       rate_row("sequential read of a 32 MiB file, cold, MB/s", 'seqread_cold_mb_per_s', '{:.1f}'),
       rate_row(f"random 4 KiB reads of it, cold, IOPS ({randreads} reads, fixed seed, {n_rand} runs)",
                'randread_cold_iops'),
       rate_row(f"lookups of every 35th name of a 70,000-entry directory, cold, lookups/s "
                f"({int(v.get('lookups.rust_cold.run1.names', 0)):,} stat(2), 1 run)", 'bigdir_lookup_cold_per_s', '{:.1f}'),
       rate_row(f"the same lookups, warm (dcache hits), lookups/s ({n_warm} runs, Rust and C in turn)",
                'bigdir_lookup_warm_per_s'),
       "",
       f"The write rows: each driver mounts its own fresh copy of one empty FAT32 image (512-byte clusters) "
       f"read-write (`utf8`), once per run ({n_write} runs, Rust and C in turn), and runs the steps below in "
       f"this order; every step ends with its data on the device (`fsync` of the file, `syncfs` of the "
       f"volume), included in its time.\n",
       "| measure | Rust | C | Rust / C |", "| --- | --- | --- | --- |",
       rate_row("sequential write of a 32 MiB file (1 MiB writes) plus `fsync`, MB/s (higher is better)",
                'seqwrite_fsync_mb_per_s', '{:.1f}'),
       rate_row(f"creating {small_files:,} files of 100 bytes in 100 new directories, files/s",
                'create_files_per_s'),
       rate_row(f"renaming {renames:,} of them within their directories, renames/s", 'rename_per_s'),
       rate_row(f"deleting them all (`rm -r`: readdir, unlink, rmdir), files/s", 'unlink_files_per_s'),
       rate_row(f"`cp -r` of a {CP_TREE_FILES}-file tree (20 directories, 1 byte to 16 KiB a file) "
                f"onto the volume, files/s", 'cp_tree_files_per_s'),
       "",
       f"The SCSI rows: `rust_ncr810` and the kernel's `sym53c8xx` in one boot, each driving one of two "
       f"emulated NCR 53C810s with a copy of one {scsi_disk_bytes >> 20} MiB disk image; reads and writes "
       f"with `O_DIRECT` on the whole disk (1 MiB requests). \"C, queue depth 1\" is `sym53c8xx` loaded "
       f"with `cmd_per_lun=1` (its own boot): one command at a time (`rust_ncr810` queues up to 16 commands, tagged, as `sym53c8xx` does by default).\n",
       "| measure | Rust | C | Rust / C | C, queue depth 1 | Rust / C qd1 |", "| --- | --- | --- | --- | --- | --- |",
       f"| `modprobe` to the disk's block device, ms (`scsi_mod`, `sd_mod` loaded before; lower is better) | "
       f"{f3(scsi_probe['rust'], 1e6)} | {f3(scsi_probe['c'], 1e6)} | {fr(scsi_probe['ratio_rust_over_c'])} | – | – |"]
for key, what, fmt in (('seqread_direct_mb_per_s', 'sequential read, MB/s (higher is better)', '{:.0f}'),
                       ('seqwrite_direct_mb_per_s', 'sequential write, MB/s', '{:.0f}'),
                       ('randread_direct_iops', f'random 4 KiB reads, IOPS ({scsi_randreads} reads, fixed seed)', '{:.0f}'),
                       ('randrw_qd16_direct_iops', f'random 4 KiB reads and writes at queue depth 16, IOPS '
                        f'({scsi_randrw} operations, 16 threads, fixed seed, with the final `fsync`)', '{:.0f}')):
    r = scsi_rates[key]
    md.append(f"| {what} | {f3(r['rust'], 1, fmt)} | {f3(r['c'], 1, fmt)} | {fr(r['ratio_rust_over_c'])} | "
              f"{f3(r['c_qd1'], 1, fmt)} | {fr(r['ratio_rust_over_c_qd1'])} |")
for k in ('ko_bytes', 'text', 'core_size'):
    a, b = scsi_memory['rust_ncr810'][k], scsi_memory['sym53c8xx'][k]
    md.append(f"| {k.replace('_', ' ')} of `rust_ncr810` / `sym53c8xx`, bytes | {a} | {b} | "
              f"{f'{a / b:.2f}' if b else '–'} | – | – |")
md += ["", "| call of `lfn_checksum` (10^6 calls, 5 runs) | ns per call |", "| --- | --- |",
       f"| across the module boundary (rust_fat_callbench → rust_fat) | {f3(cross, 1, '{:.2f}')} |",
       f"| inside rust_fat_callbench (the same code compiled in) | {f3(inmod, 1, '{:.2f}')} |",
       f"| ratio | {fr(res['call_ns_per_call']['ratio_cross_over_in'])} |",
       "", "| the project's own speed | measured | target |", "| --- | --- | --- |",
       f"| cold kernel build | {v.get('kernel.cold_build_s', 0):.0f} s | – |",
       f"| warm full suite (`make check`) | {v.get('suite.warm_s', 0):.0f} s | ≤ 60 s |",
       f"| VM boot to /init (kernel clock) | {f3(boot_init)} ms | – |",
       f"| VM run of an empty script (`make vm-run`'s path), wall | {f3(boot_wall)} ms (CPU {f3(boot_cpu)}) | ≤ 1500 ms |",
       f"| inner loop: touch a .rs, `make check T=vfat::02-modprobe-stack` | {f3(inner)} ms "
       f"(to the modules built {f3(inner_build)}, VM {f3(inner_vm)}) | ≤ 3000 ms |",
       ""]
open(os.path.join(out_dir, 'results.md'), 'w').write('\n'.join(md) + '\n')
print('\n'.join(md))

# docs/benchmark.md's copy of the table, only when asked (make bench UPDATE_README=1).
if update_readme:
    readme = os.path.join(repo, 'docs', 'benchmark.md')
    text = open(readme).read()
    m = re.search(r'(<!-- bench-table:[^\n]*-->\n).*?(\n<!-- /bench-table -->)', text, re.S)
    if not m:
        sys.exit('report.py: no bench-table block in docs/benchmark.md')
    # The run's context (when, which kernel, how many CPUs) goes with its table.
    table = '\n'.join(md[1:]).strip()
    text = text[:m.start()] + m.group(1) + table + m.group(2) + text[m.end():]
    open(readme, 'w').write(text)
