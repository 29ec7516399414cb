// SPDX-License-Identifier: GPL-2.0
/*
 * rvbench: measurements taken inside the test VM, printed as
 * "BENCH <key> <value>" lines for bench/run.sh.
 *
 *   rvbench modcycle N NAME A.ko [A2.ko] -- NAME2 B.ko [B2.ko]
 *       N interleaved cycles of loading the stack A (finit_module in order)
 *       and unloading it (delete_module in reverse), then the same for B;
 *       median/min/max ns per cycle for each
 *   rvbench mount N DIR OPTS NAME FSTYPE DEV [NAME FSTYPE DEV]...
 *       N interleaved cycles of mount(2) of each DEV on DIR (read-only, the
 *       data string OPTS) and umount2(2); median/min/max ns of the mount
 *       and of the unmount for each NAME
 *   rvbench readdir NAME DIR   readdir of every entry of DIR (names and
 *                              types, no stat), ns
 *   rvbench findstat NAME DIR  what `find DIR | xargs stat` asks of the file
 *                              system: readdir of DIR and of every directory
 *                              below it, lstat of every entry, ns (on FAT a
 *                              lookup not in the dcache scans the directory)
 *   rvbench seqread NAME FILE [direct]
 *       reads FILE (or a block device) from start to end in 1 MiB reads,
 *       with O_DIRECT if asked; ns
 *   rvbench seqwrite NAME FILE BYTES [direct]
 *       writes BYTES of a non-zero pattern from the start of FILE (created
 *       if missing) in 1 MiB writes, with O_DIRECT if asked, then fsync;
 *       ns including the fsync
 *   rvbench randread NAME FILE N SEED [direct]
 *       N reads of 4 KiB at 4 KiB-aligned offsets of FILE drawn from a
 *       xorshift generator seeded with SEED, readahead off
 *       (POSIX_FADV_RANDOM, as fio does), with O_DIRECT if asked; ns
 *   rvbench randrw NAME FILE N SEED QD [direct]
 *       N random 4 KiB reads and writes (half each, drawn per operation)
 *       at 4 KiB-aligned offsets of FILE, from QD threads at once (queue
 *       depth QD), each with its own xorshift generator seeded from SEED;
 *       a write's bytes depend only on its offset, so the file ends the
 *       same whatever order the writes reach it; then fsync; ops, and ns
 *       including the fsync
 *   rvbench lookups NAME DIR PATTERN N STEP
 *       stat(2) of DIR/PATTERN%i for i = 0, STEP, 2*STEP, ... below N (the
 *       names scripts/make-big-dir-image.py writes); each one missing from
 *       the dcache scans DIR up to its record; ns, and how many were found
 *   rvbench mkfiles DIR N      creates N empty files with long names in DIR
 *   rvbench create NAME DIR DIRS N BYTES
 *       makes DIRS directories in DIR and N files with long names spread
 *       over them in turn (open O_CREAT|O_EXCL, write BYTES, close), then
 *       syncfs; ns including the syncfs
 *   rvbench rename NAME DIR DIRS N STEP
 *       renames N of the files `create` made (file 0, STEP, 2*STEP, ...)
 *       to other long names in their directories, then syncfs; ns
 *   rvbench unlink NAME DIR
 *       removes everything below DIR as `rm -r` does (each directory read,
 *       its files unlinked as they come, then the directory removed), then
 *       syncfs; files, and ns
 *   rvbench run NAME DIR CMD [ARG]...
 *       runs CMD (fork, exec, wait), then syncfs on DIR; ns
 *   rvbench now                CLOCK_MONOTONIC in ns (for a shell to time
 *                              what no other mode does)
 *   rvbench scatter DEV OFFSET
 *       not a measurement: O_DIRECT writes at OFFSET from 256 iovecs of
 *       512 bytes, each at another offset in its own page (a gap between
 *       every two), read back through other such iovecs, four times
 *       (128 KiB apart), then 1 MiB from a buffer at page offset 512 at
 *       OFFSET + 1 MiB, read back at another offset; exit status 0 when
 *       every byte read back is the one written (2 MiB from OFFSET used)
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static uint64_t now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000ull + t.tv_nsec;
}

static int cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static void stats(const char *key, uint64_t *v, int n)
{
	qsort(v, n, sizeof(*v), cmp);
	printf("BENCH %s.median_ns %llu\n", key, (unsigned long long)v[n / 2]);
	printf("BENCH %s.min_ns %llu\n", key, (unsigned long long)v[0]);
	printf("BENCH %s.max_ns %llu\n", key, (unsigned long long)v[n - 1]);
}

/* O_DIRECT if argv[i] is "direct"; 0 if it is absent. */
static int open_flags(int argc, char **argv, int i)
{
	if (argc <= i)
		return 0;
	if (strcmp(argv[i], "direct")) {
		fprintf(stderr, "rvbench: unknown flag %s\n", argv[i]);
		exit(2);
	}
	return O_DIRECT;
}

/*
 * Ends a timed run of `kind` called `name`: closes `fd` and prints what it
 * did (`amount` under `amount_key`) and how long it took.
 */
static int run_done(int fd, const char *kind, const char *name, const char *amount_key,
		    long long amount, uint64_t ns)
{
	close(fd);
	printf("BENCH %s.%s.%s %lld\n", kind, name, amount_key, amount);
	printf("BENCH %s.%s.ns %llu\n", kind, name, (unsigned long long)ns);
	return 0;
}

/* A buffer O_DIRECT accepts (page-aligned), or NULL. */
static char *aligned_buffer(size_t len)
{
	void *p;

	return posix_memalign(&p, 4096, len) ? NULL : p;
}

/* One thread of `randrw`: its share of the operations, on a shared fd. */
struct randrw {
	pthread_t thread;
	int fd;
	off_t pages;
	long n;
	uint64_t x;
	int failed;
};

static void *randrw_thread(void *arg)
{
	struct randrw *w = arg;
	uint64_t *buf = (uint64_t *)aligned_buffer(4096);

	if (!buf) {
		w->failed = 1;
		return NULL;
	}
	for (long i = 0; i < w->n; i++) {
		off_t off;

		w->x ^= w->x << 13;
		w->x ^= w->x >> 7;
		w->x ^= w->x << 17;
		off = (off_t)((w->x >> 1) % (uint64_t)w->pages) * 4096;
		if (w->x & 1) {
			for (int j = 0; j < 512; j++)
				buf[j] = ((uint64_t)off + j * 8) * 0x9e3779b97f4a7c15ull;
			if (pwrite(w->fd, buf, 4096, off) != 4096) {
				perror("pwrite");
				w->failed = 1;
				break;
			}
		} else if (pread(w->fd, buf, 4096, off) != 4096) {
			perror("pread");
			w->failed = 1;
			break;
		}
	}
	free(buf);
	return NULL;
}

static void modname(const char *path, char *out, size_t len)
{
	const char *b = strrchr(path, '/');

	snprintf(out, len, "%s", b ? b + 1 : path);
	for (char *p = out; *p; p++) {
		if (*p == '-')
			*p = '_';
		if (!strcmp(p, ".ko"))
			*p = 0;
	}
}

static int stack(char **kos, int n, int load)
{
	char name[64];

	for (int i = 0; i < n; i++) {
		int k = load ? i : n - 1 - i;

		if (load) {
			int fd = open(kos[k], O_RDONLY);

			if (fd < 0 || syscall(SYS_finit_module, fd, "", 0)) {
				perror(kos[k]);
				return 1;
			}
			close(fd);
		} else {
			modname(kos[k], name, sizeof(name));
			if (syscall(SYS_delete_module, name, O_NONBLOCK)) {
				perror(name);
				return 1;
			}
		}
	}
	return 0;
}

/*
 * Reads every entry of the directory @name (relative to @at) and lstats
 * it, descending into subdirectories; returns the number of entries, or -1.
 */
static long walk(int at, const char *name)
{
	int fd = openat(at, name, O_RDONLY | O_DIRECTORY);
	struct dirent *e;
	struct stat st;
	long n = 0;
	DIR *d;

	if (fd < 0 || !(d = fdopendir(fd))) {
		perror(name);
		return -1;
	}
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (fstatat(fd, e->d_name, &st, AT_SYMLINK_NOFOLLOW)) {
			perror(e->d_name);
			closedir(d);
			return -1;
		}
		n++;
		if (S_ISDIR(st.st_mode)) {
			long m = walk(fd, e->d_name);

			if (m < 0) {
				closedir(d);
				return -1;
			}
			n += m;
		}
	}
	closedir(d);
	return n;
}

/*
 * Removes everything below the directory @dfd the way `rm -r` does: reads
 * each directory and unlinks its files as it goes, descends into
 * subdirectories and removes them once empty. Returns the number of files
 * unlinked, or -1. Closes @dfd.
 */
static long remove_tree(int dfd)
{
	DIR *d = fdopendir(dfd);
	struct dirent *e;
	long n = 0;

	if (!d) {
		perror("fdopendir");
		return -1;
	}
	while ((e = readdir(d))) {
		long m;

		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (e->d_type != DT_DIR) {
			if (unlinkat(dfd, e->d_name, 0)) {
				perror(e->d_name);
				closedir(d);
				return -1;
			}
			n++;
			continue;
		}
		m = remove_tree(openat(dfd, e->d_name, O_RDONLY | O_DIRECTORY));
		if (m < 0 || unlinkat(dfd, e->d_name, AT_REMOVEDIR)) {
			perror(e->d_name);
			closedir(d);
			return -1;
		}
		n += m;
	}
	closedir(d);
	return n;
}

int main(int argc, char **argv)
{
	if (argc >= 6 && !strcmp(argv[1], "modcycle")) {
		int n = atoi(argv[2]), sep = 0, na, nb;
		char **a, **b, key[128];
		uint64_t *ta, *tb;

		for (int i = 4; i < argc; i++)
			if (!strcmp(argv[i], "--"))
				sep = i;
		if (!sep || sep + 2 >= argc)
			return 2;
		a = argv + 4;
		na = sep - 4;
		b = argv + sep + 2;
		nb = argc - sep - 2;
		ta = calloc(n, sizeof(*ta));
		tb = calloc(n, sizeof(*tb));
		for (int i = 0; i < n; i++) {
			uint64_t t = now();

			if (stack(a, na, 1) || stack(a, na, 0))
				return 1;
			ta[i] = now() - t;
			t = now();
			if (stack(b, nb, 1) || stack(b, nb, 0))
				return 1;
			tb[i] = now() - t;
		}
		snprintf(key, sizeof(key), "load_unload.%s", argv[3]);
		stats(key, ta, n);
		snprintf(key, sizeof(key), "load_unload.%s", argv[sep + 1]);
		stats(key, tb, n);
		return 0;
	}
	if (argc == 4 && !strcmp(argv[1], "readdir")) {
		uint64_t t = now();
		DIR *d = opendir(argv[3]);
		struct dirent *e;
		long n = 0;

		if (!d) {
			perror(argv[3]);
			return 1;
		}
		while ((e = readdir(d))) {
			if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
				continue;
			n++;
		}
		closedir(d);
		t = now() - t;
		printf("BENCH listing.%s.entries %ld\n", argv[2], n);
		printf("BENCH listing.%s.ns %llu\n", argv[2], (unsigned long long)t);
		return 0;
	}
	if (argc >= 8 && (argc - 5) % 3 == 0 && !strcmp(argv[1], "mount")) {
		int n = atoi(argv[2]), k = (argc - 5) / 3;
		const char *dir = argv[3], *opts = argv[4];
		uint64_t *tm = calloc((size_t)n * k, sizeof(*tm));
		uint64_t *tu = calloc((size_t)n * k, sizeof(*tu));
		char key[128];

		if (n < 1 || !tm || !tu)
			return 2;
		for (int i = 0; i < n; i++)
			for (int j = 0; j < k; j++) {
				char **a = argv + 5 + 3 * j;
				uint64_t t = now();

				if (mount(a[2], dir, a[1], MS_RDONLY, opts)) {
					perror(a[2]);
					return 1;
				}
				tm[j * n + i] = now() - t;
				t = now();
				if (umount2(dir, 0)) {
					perror(dir);
					return 1;
				}
				tu[j * n + i] = now() - t;
			}
		for (int j = 0; j < k; j++) {
			snprintf(key, sizeof(key), "mount.%s.mount", argv[5 + 3 * j]);
			stats(key, tm + j * n, n);
			snprintf(key, sizeof(key), "mount.%s.umount", argv[5 + 3 * j]);
			stats(key, tu + j * n, n);
		}
		return 0;
	}
	if (argc == 4 && !strcmp(argv[1], "findstat")) {
		uint64_t t = now();
		long n = walk(AT_FDCWD, argv[3]);

		t = now() - t;
		if (n < 0)
			return 1;
		printf("BENCH findstat.%s.entries %ld\n", argv[2], n);
		printf("BENCH findstat.%s.ns %llu\n", argv[2], (unsigned long long)t);
		return 0;
	}
	if ((argc == 4 || argc == 5) && !strcmp(argv[1], "seqread")) {
		int fd = open(argv[3], O_RDONLY | open_flags(argc, argv, 4));
		char *buf = aligned_buffer(1 << 20);
		long long bytes = 0;
		uint64_t t;
		ssize_t r;

		if (fd < 0 || !buf) {
			perror(argv[3]);
			return 1;
		}
		t = now();
		while ((r = read(fd, buf, 1 << 20)) > 0)
			bytes += r;
		t = now() - t;
		if (r < 0) {
			perror("read");
			return 1;
		}
		return run_done(fd, "seqread", argv[2], "bytes", bytes, t);
	}
	if ((argc == 5 || argc == 6) && !strcmp(argv[1], "seqwrite")) {
		int fd = open(argv[3], O_WRONLY | O_CREAT | open_flags(argc, argv, 5), 0644);
		char *buf = aligned_buffer(1 << 20);
		long long bytes = atoll(argv[4]), done = 0;
		uint64_t t;

		if (fd < 0 || !buf) {
			perror(argv[3]);
			return 1;
		}
		for (int i = 0; i < 1 << 20; i++)
			buf[i] = (char)(i * 7 + 1);
		t = now();
		while (done < bytes) {
			size_t n = bytes - done < (1 << 20) ? bytes - done : (1 << 20);

			if (write(fd, buf, n) != (ssize_t)n) {
				perror("write");
				return 1;
			}
			done += n;
		}
		if (fsync(fd)) {
			perror("fsync");
			return 1;
		}
		return run_done(fd, "seqwrite", argv[2], "bytes", done, now() - t);
	}
	if ((argc == 6 || argc == 7) && !strcmp(argv[1], "randread")) {
		int fd = open(argv[3], O_RDONLY | open_flags(argc, argv, 6));
		char *buf = aligned_buffer(4096);
		long n = atol(argv[4]);
		uint64_t x = strtoull(argv[5], NULL, 0) | 1, t;
		off_t pages;

		if (fd < 0 || !buf) {
			perror(argv[3]);
			return 1;
		}
		/* lseek, not fstat: a block device's st_size is 0. */
		pages = lseek(fd, 0, SEEK_END) / 4096;
		if (pages < 1 || n < 1)
			return 2;
		posix_fadvise(fd, 0, 0, POSIX_FADV_RANDOM);
		t = now();
		for (long i = 0; i < n; i++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			if (pread(fd, buf, 4096, (off_t)(x % pages) * 4096) != 4096) {
				perror("pread");
				return 1;
			}
		}
		return run_done(fd, "randread", argv[2], "reads", n, now() - t);
	}
	if ((argc == 7 || argc == 8) && !strcmp(argv[1], "randrw")) {
		int fd = open(argv[3], O_RDWR | open_flags(argc, argv, 7));
		long n = atol(argv[4]);
		uint64_t seed = strtoull(argv[5], NULL, 0), t;
		int qd = atoi(argv[6]), failed = 0;
		struct randrw *w;
		off_t pages;

		if (fd < 0) {
			perror(argv[3]);
			return 1;
		}
		pages = lseek(fd, 0, SEEK_END) / 4096;
		if (pages < 1 || n < 1 || qd < 1 || qd > 256)
			return 2;
		w = calloc(qd, sizeof(*w));
		if (!w)
			return 1;
		posix_fadvise(fd, 0, 0, POSIX_FADV_RANDOM);
		t = now();
		for (int i = 0; i < qd; i++) {
			w[i].fd = fd;
			w[i].pages = pages;
			w[i].n = n / qd + (i < n % qd);
			w[i].x = (seed + (uint64_t)i * 0x9e3779b97f4a7c15ull) | 1;
			if (pthread_create(&w[i].thread, NULL, randrw_thread, &w[i])) {
				perror("pthread_create");
				return 1;
			}
		}
		for (int i = 0; i < qd; i++) {
			pthread_join(w[i].thread, NULL);
			failed |= w[i].failed;
		}
		if (failed)
			return 1;
		if (fsync(fd)) {
			perror("fsync");
			return 1;
		}
		t = now() - t;
		free(w);
		return run_done(fd, "randrw", argv[2], "ops", n, t);
	}
	if (argc == 7 && !strcmp(argv[1], "lookups")) {
		long n = atol(argv[5]), step = atol(argv[6]), found = 0, tried = 0;
		char path[4096];
		struct stat st;
		uint64_t t;

		if (n <= 0 || step <= 0)
			return 2;
		t = now();
		for (long i = 0; i < n; i += step) {
			int len = snprintf(path, sizeof(path), "%s/", argv[3]);

			snprintf(path + len, sizeof(path) - len, argv[4], i);
			tried++;
			if (!stat(path, &st))
				found++;
		}
		t = now() - t;
		printf("BENCH lookups.%s.names %ld\n", argv[2], tried);
		printf("BENCH lookups.%s.found %ld\n", argv[2], found);
		printf("BENCH lookups.%s.ns %llu\n", argv[2], (unsigned long long)t);
		return found == tried ? 0 : 1;
	}
	if (argc == 4 && !strcmp(argv[1], "mkfiles")) {
		char path[4096];

		for (long i = 1, n = atol(argv[3]); i <= n; i++) {
			int fd;

			snprintf(path, sizeof(path), "%s/file number %ld with a long name.txt", argv[2], i);
			fd = open(path, O_CREAT | O_WRONLY | O_EXCL, 0644);
			if (fd < 0) {
				perror(path);
				return 1;
			}
			close(fd);
		}
		return 0;
	}
	if (argc == 4 && !strcmp(argv[1], "scatter")) {
		int fd = open(argv[2], O_RDWR | O_DIRECT);
		off_t base = atoll(argv[3]);
		char *pages = aligned_buffer(256 * 4096);
		char *back = aligned_buffer(256 * 4096);
		char *big = aligned_buffer(2 << 20);
		struct iovec iov[256];

		if (fd < 0 || !pages || !back || !big) {
			perror(argv[2]);
			return 1;
		}
		for (int round = 0; round < 4; round++) {
			off_t at = base + (off_t)round * 256 * 512;

			for (int i = 0; i < 256; i++) {
				iov[i].iov_base = pages + 4096 * i + 512 * ((i + round) % 8);
				iov[i].iov_len = 512;
				memset(iov[i].iov_base, i * 3 + round + 1, 512);
			}
			if (pwritev(fd, iov, 256, at) != 256 * 512) {
				perror("pwritev");
				return 1;
			}
			for (int i = 0; i < 256; i++)
				iov[i].iov_base = back + 4096 * i + 512 * ((i + 5 * round) % 8);
			if (preadv(fd, iov, 256, at) != 256 * 512) {
				perror("preadv");
				return 1;
			}
			for (int i = 0; i < 256; i++)
				for (int j = 0; j < 512; j++)
					if (((unsigned char *)iov[i].iov_base)[j] !=
					    (unsigned char)(i * 3 + round + 1)) {
						fprintf(stderr, "round %d iovec %d byte %d differs\n",
							round, i, j);
						return 1;
					}
		}
		for (int i = 0; i < 1 << 20; i++)
			big[512 + i] = (char)(i * 13 + 7);
		if (pwrite(fd, big + 512, 1 << 20, base + (1 << 20)) != 1 << 20) {
			perror("pwrite");
			return 1;
		}
		memset(big, 0, 2 << 20);
		if (pread(fd, big + 1024, 1 << 20, base + (1 << 20)) != 1 << 20) {
			perror("pread");
			return 1;
		}
		for (int i = 0; i < 1 << 20; i++)
			if (big[1024 + i] != (char)(i * 13 + 7)) {
				fprintf(stderr, "byte %d of the 1 MiB write differs\n", i);
				return 1;
			}
		close(fd);
		return 0;
	}
	if (argc == 7 && !strcmp(argv[1], "create")) {
		long dirs = atol(argv[4]), n = atol(argv[5]), bytes = atol(argv[6]);
		char path[4096], *buf = calloc(1, bytes > 0 ? bytes : 1);
		int dfd = open(argv[3], O_RDONLY | O_DIRECTORY);
		uint64_t t;

		if (dfd < 0 || !buf || dirs < 1 || n < 1 || bytes < 0)
			return 2;
		for (long i = 0; i < bytes; i++)
			buf[i] = (char)(i * 7 + 1);
		t = now();
		for (long i = 0; i < dirs; i++) {
			snprintf(path, sizeof(path), "directory %ld", i);
			if (mkdirat(dfd, path, 0755)) {
				perror(path);
				return 1;
			}
		}
		for (long i = 0; i < n; i++) {
			int fd;

			snprintf(path, sizeof(path), "directory %ld/file number %ld with a long name.txt", i % dirs, i);
			fd = openat(dfd, path, O_CREAT | O_WRONLY | O_EXCL, 0644);
			if (fd < 0 || write(fd, buf, bytes) != bytes) {
				perror(path);
				return 1;
			}
			close(fd);
		}
		if (syncfs(dfd)) {
			perror("syncfs");
			return 1;
		}
		return run_done(dfd, "create", argv[2], "files", n, now() - t);
	}
	if (argc == 7 && !strcmp(argv[1], "rename")) {
		long dirs = atol(argv[4]), n = atol(argv[5]), step = atol(argv[6]);
		char from[512], to[512];
		int dfd = open(argv[3], O_RDONLY | O_DIRECTORY);
		uint64_t t;

		if (dfd < 0 || dirs < 1 || n < 1 || step < 1)
			return 2;
		t = now();
		for (long i = 0; i < n * step; i += step) {
			snprintf(from, sizeof(from), "directory %ld/file number %ld with a long name.txt", i % dirs, i);
			snprintf(to, sizeof(to), "directory %ld/renamed file %ld, its name long too.dat", i % dirs, i);
			if (renameat(dfd, from, dfd, to)) {
				perror(from);
				return 1;
			}
		}
		if (syncfs(dfd)) {
			perror("syncfs");
			return 1;
		}
		return run_done(dfd, "rename", argv[2], "files", n, now() - t);
	}
	if (argc == 4 && !strcmp(argv[1], "unlink")) {
		int dfd = open(argv[3], O_RDONLY | O_DIRECTORY);
		uint64_t t;
		long n;

		if (dfd < 0)
			return 2;
		t = now();
		n = remove_tree(dup(dfd));
		if (n < 0)
			return 1;
		if (syncfs(dfd)) {
			perror("syncfs");
			return 1;
		}
		return run_done(dfd, "unlink", argv[2], "files", n, now() - t);
	}
	if (argc >= 5 && !strcmp(argv[1], "run")) {
		int dfd = open(argv[3], O_RDONLY | O_DIRECTORY), st;
		uint64_t t;
		pid_t pid;

		if (dfd < 0)
			return 2;
		t = now();
		pid = fork();
		if (pid == 0) {
			execvp(argv[4], argv + 4);
			perror(argv[4]);
			_exit(127);
		}
		if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st)) {
			fprintf(stderr, "rvbench: %s failed\n", argv[4]);
			return 1;
		}
		if (syncfs(dfd)) {
			perror("syncfs");
			return 1;
		}
		return run_done(dfd, "run", argv[2], "runs", 1, now() - t);
	}
	if (argc == 2 && !strcmp(argv[1], "now")) {
		printf("%llu\n", (unsigned long long)now());
		return 0;
	}
	fprintf(stderr, "usage: see the comment at the top of rvbench.c\n");
	return 2;
}
