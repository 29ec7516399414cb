// SPDX-License-Identifier: GPL-2.0
/*
 * rvbench: measurements taken inside the bench VM, printed as
 * "BENCH <key> <value>" lines for bench/run.sh.
 *
 *   rvbench modcycle N NAME A.ko [A2.ko] -- NAME2 B.ko [B2.ko]
 *       N interleaved cycles of loading the stack A (finit_module in order)
 *       and unloading it (delete_module in reverse), then the same for B;
 *       median/min/max ns per cycle for each
 *   rvbench callbench N     rust_vfat's RUST_VFAT_IOC_CALLBENCH: ns per call
 *                           across the module boundary and inside the module
 *   rvbench readdir NAME DIR   readdir of every entry of DIR (names and
 *                              types, no stat: a vfat lookup scans the whole
 *                              directory, which would measure that instead), ns
 *   rvbench rvlist NAME IMAGE  /dev/rust_vfat: write IMAGE, then read the
 *                              listing; ns for each and the entry count
 *   rvbench mkfiles DIR N      creates N empty files with long names in DIR
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
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
	if (argc == 3 && !strcmp(argv[1], "callbench")) {
		uint64_t v[3] = { strtoull(argv[2], NULL, 0), 0, 0 };
		/* _IOWR('V', 1, u64[3]) */
		unsigned long cmd = (3ul << 30) | (sizeof(v) << 16) | ('V' << 8) | 1;
		int fd = open("/dev/rust_vfat", O_RDWR);

		if (fd < 0 || ioctl(fd, cmd, v)) {
			perror("RUST_VFAT_IOC_CALLBENCH");
			return 1;
		}
		printf("BENCH call.cross_module_ns_per_call %.3f\n", (double)v[1] / v[0]);
		printf("BENCH call.in_module_ns_per_call %.3f\n", (double)v[2] / v[0]);
		printf("BENCH call.calls %llu\n", (unsigned long long)v[0]);
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
	if (argc == 4 && !strcmp(argv[1], "rvlist")) {
		int in = open(argv[3], O_RDONLY), fd = open("/dev/rust_vfat", O_RDWR);
		static char buf[1 << 20];
		uint64_t t, tw;
		long lines = 0;
		ssize_t r;

		if (in < 0 || fd < 0) {
			perror("open");
			return 1;
		}
		t = now();
		while ((r = read(in, buf, sizeof(buf))) > 0)
			if (write(fd, buf, r) != r) {
				perror("write");
				return 1;
			}
		tw = now() - t;
		t = now();
		while ((r = read(fd, buf, sizeof(buf))) > 0)
			for (ssize_t i = 0; i < r; i++)
				lines += buf[i] == '\n';
		t = now() - t;
		if (r < 0) {
			perror("read");
			return 1;
		}
		printf("BENCH listing.%s.entries %ld\n", argv[2], lines - 1);
		printf("BENCH listing.%s.write_ns %llu\n", argv[2], (unsigned long long)tw);
		printf("BENCH listing.%s.ns %llu\n", argv[2], (unsigned long long)t);
		return 0;
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
	fprintf(stderr, "usage: see the comment at the top of rvbench.c\n");
	return 2;
}
