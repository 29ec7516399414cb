// SPDX-License-Identifier: GPL-2.0
/*
 * fatstress: drives mounts of a FAT file system type from the test VM and
 * reports what the kernel answered, by errno name.
 *
 *   fatstress mutate N SEED TYPE IMAGE...
 *       N images mutated from IMAGEs (bit flips concentrated in the
 *       metadata, truncations, splices of another image, random 32-byte
 *       slots), each attached to a loop device, mounted read-only as TYPE,
 *       walked (readdir, lstat, every file read; bounded), unmounted and
 *       detached. Prints a count per outcome; exits 1 on an errno the file
 *       system has no business returning, or when a mount is left behind.
 *   fatstress parallel K DIR
 *       K processes at once each read the whole tree under DIR (names,
 *       sizes, contents) 10 times; all must see the same tree.
 *   fatstress sums FILE...
 *       "<file> <read> <mmap> <sendfile>": a checksum of FILE's bytes read
 *       with read(2), through a shared mapping and through sendfile(2).
 *   fatstress btime PATH...
 *       "<path> <birth time>" from statx, or "<path> -" when the file
 *       system does not report one.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/loop.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define MNT "/tmp/fatstress.mnt"
#define IMG "/tmp/fatstress.img"
#define MAX_DEPTH 16
#define MAX_ENTRIES 5000
#define MAX_FILE_BYTES (1 << 20)

static unsigned char *slurp(const char *path, size_t *len)
{
	struct stat st;
	unsigned char *b;
	int fd = open(path, O_RDONLY);

	if (fd < 0 || fstat(fd, &st)) {
		perror(path);
		exit(2);
	}
	b = malloc(st.st_size ? st.st_size : 1);
	if (!b || read(fd, b, st.st_size) != st.st_size) {
		perror(path);
		exit(2);
	}
	close(fd);
	*len = st.st_size;
	return b;
}

static unsigned long long rng = 88172645463325252ULL;
static unsigned long long next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* What a walk met: entries seen, and the errors by errno. */
struct walk {
	int entries;
	int errors[160];
	unsigned long long sum;
};

static void note(struct walk *w, int e)
{
	w->errors[e > 0 && e < 159 ? e : 159]++;
}

static void walk(const char *dir, int depth, struct walk *w)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	static char buf[65536];

	if (!d) {
		note(w, errno);
		return;
	}
	for (;;) {
		char path[4096];
		struct stat st;

		errno = 0;
		de = readdir(d);
		if (!de) {
			if (errno)
				note(w, errno);
			break;
		}
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (++w->entries > MAX_ENTRIES)
			break;
		if (snprintf(path, sizeof(path), "%s/%s", dir, de->d_name) >= (int)sizeof(path)) {
			note(w, ENAMETOOLONG);
			continue;
		}
		for (const char *c = de->d_name; *c; c++)
			w->sum = w->sum * 131 + (unsigned char)*c;
		if (lstat(path, &st)) {
			note(w, errno);
			continue;
		}
		w->sum = w->sum * 131 + st.st_size;
		if (S_ISDIR(st.st_mode)) {
			if (depth < MAX_DEPTH)
				walk(path, depth + 1, w);
		} else {
			int fd = open(path, O_RDONLY);
			long total = 0, n;

			if (fd < 0) {
				note(w, errno);
				continue;
			}
			while (total < MAX_FILE_BYTES && (n = read(fd, buf, sizeof(buf))) > 0) {
				total += n;
				for (long i = 0; i < n; i += 97)
					w->sum = w->sum * 31 + buf[i];
			}
			if (n < 0)
				note(w, errno);
			close(fd);
		}
	}
	closedir(d);
}

/* Attaches IMG to a free loop device; returns its fd and name. */
static int attach(char *name, size_t len)
{
	int ctl = open("/dev/loop-control", O_RDWR), n, fd, img;
	struct loop_config cfg = { 0 };

	if (ctl < 0 || (n = ioctl(ctl, LOOP_CTL_GET_FREE)) < 0) {
		perror("loop-control");
		exit(2);
	}
	close(ctl);
	snprintf(name, len, "/dev/loop%d", n);
	/* Read-only: a writer of a block device keeps it from being mounted. */
	fd = open(name, O_RDONLY);
	img = open(IMG, O_RDONLY);
	if (fd < 0 || img < 0) {
		perror(name);
		exit(2);
	}
	cfg.fd = img;
	cfg.info.lo_flags = LO_FLAGS_READ_ONLY;
	if (ioctl(fd, LOOP_CONFIGURE, &cfg)) {
		perror("LOOP_CONFIGURE");
		exit(2);
	}
	close(img);
	return fd;
}

static int mutate(int argc, char **argv)
{
	int n = atoi(argv[2]), nimg = argc - 5, bad = 0;
	const char *type = argv[4];
	unsigned char **imgs = calloc(nimg, sizeof(*imgs));
	size_t *lens = calloc(nimg, sizeof(*lens));
	int mount_errs[160] = { 0 }, mounted = 0;
	struct walk total = { 0 };

	rng ^= strtoull(argv[3], NULL, 0) * 0x9e3779b97f4a7c15ULL;
	for (int i = 0; i < nimg; i++)
		imgs[i] = slurp(argv[5 + i], &lens[i]);
	mkdir(MNT, 0755);
	for (int i = 0; i < n; i++) {
		int k = next() % nimg, out, loop;
		size_t len = lens[k];
		unsigned char *m = malloc(len);
		char dev[64];

		memcpy(m, imgs[k], len);
		switch (next() % 4) {
		case 0: /* bit flips, concentrated in the metadata */
			for (int f = 1 + next() % 16; f; f--) {
				size_t at = next() % (len < 65536 ? len : 65536);

				m[at] ^= 1 << (next() % 8);
			}
			break;
		case 1: /* truncation, to at least one sector */
			len = 512 + next() % (len - 512);
			break;
		case 2: { /* splice another image's bytes in */
			int o = next() % nimg;
			size_t at = next() % len, from = next() % lens[o];
			size_t cnt = 1 + next() % 4096;

			if (at + cnt > len)
				cnt = len - at;
			if (from + cnt > lens[o])
				cnt = lens[o] - from;
			memcpy(m + at, imgs[o] + from, cnt);
			break;
		}
		default: /* random bytes over a random 32-byte slot */
			for (size_t at = (next() % (len / 32)) * 32, j = 0; j < 32 && at + j < len; j++)
				m[at + j] = next();
		}
		/* Loop devices work in 512-byte sectors. */
		len &= ~(size_t)511;
		out = open(IMG, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (out < 0 || write(out, m, len) != (ssize_t)len) {
			perror(IMG);
			exit(2);
		}
		close(out);
		free(m);
		loop = attach(dev, sizeof(dev));
		if (mount(dev, MNT, type, MS_RDONLY, NULL)) {
			int e = errno;

			mount_errs[e < 159 ? e : 159]++;
			if (e != EINVAL && e != EIO && e != ENOMEM) {
				printf("mutation %d: mount failed with unexpected errno %d (%s)\n", i, e, strerror(e));
				bad = 1;
			}
		} else {
			mounted++;
			walk(MNT, 0, &total);
			if (umount2(MNT, 0)) {
				printf("mutation %d: umount failed: %s\n", i, strerror(errno));
				bad = 1;
				break;
			}
		}
		ioctl(loop, LOOP_CLR_FD, 0);
		close(loop);
	}
	printf("%d images: %d mounted, %d entries walked\n", n, mounted, total.entries);
	for (int e = 1; e < 160; e++) {
		if (mount_errs[e])
			printf("mount %s: %d\n", strerrorname_np(e) ? strerrorname_np(e) : "other", mount_errs[e]);
		if (total.errors[e])
			printf("walk %s: %d\n", strerrorname_np(e) ? strerrorname_np(e) : "other", total.errors[e]);
		/*
		 * What reading a damaged but mounted volume may give: EIO from
		 * the file system; ENOENT for a listed name that does not look
		 * up (the C driver has those too); ENAMETOOLONG and ENOTDIR from
		 * path walks; ELOOP from the dcache when two directory entries
		 * share a cluster so that a directory contains itself
		 * (d_splice_alias refuses the loop).
		 */
		if (total.errors[e] && e != EIO && e != ENOENT && e != ENAMETOOLONG &&
		    e != ENOTDIR && e != ELOOP) {
			printf("unexpected errno %d (%s) while walking\n", e, strerror(e));
			bad = 1;
		}
	}
	return bad;
}

static int parallel(char **argv)
{
	int k = atoi(argv[2]), failed = 0;
	struct walk ref = { 0 };

	walk(argv[3], 0, &ref);
	for (int i = 0; i < k; i++) {
		if (fork() == 0) {
			for (int r = 0; r < 10; r++) {
				struct walk w = { 0 };

				walk(argv[3], 0, &w);
				if (w.sum != ref.sum || w.entries != ref.entries)
					_exit(1);
			}
			_exit(0);
		}
	}
	for (int i = 0; i < k; i++) {
		int st;

		wait(&st);
		failed += !WIFEXITED(st) || WEXITSTATUS(st);
	}
	printf("%d readers, %d entries each: %d saw another tree\n", k, ref.entries, failed);
	return failed != 0;
}

static unsigned long long sum_bytes(const unsigned char *b, size_t n, unsigned long long s)
{
	for (size_t i = 0; i < n; i++)
		s = s * 1099511628211ULL ^ b[i];
	return s;
}

/* A checksum of what fd's file holds, read with read(2). */
static unsigned long long sum_read(int fd)
{
	static unsigned char buf[1 << 16];
	unsigned long long s = 14695981039346656037ULL;
	ssize_t n;

	lseek(fd, 0, SEEK_SET);
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		s = sum_bytes(buf, n, s);
	return n < 0 ? 0 : s;
}

static int sums(int argc, char **argv)
{
	for (int i = 2; i < argc; i++) {
		int fd = open(argv[i], O_RDONLY), mem = memfd_create("sendfile", 0);
		unsigned long long by_read, by_mmap = 14695981039346656037ULL, by_sendfile;
		struct stat st;
		off_t off = 0;

		if (fd < 0 || mem < 0 || fstat(fd, &st)) {
			perror(argv[i]);
			return 1;
		}
		by_read = sum_read(fd);
		if (st.st_size) {
			void *m = mmap(NULL, st.st_size, PROT_READ, MAP_SHARED, fd, 0);

			if (m == MAP_FAILED) {
				perror("mmap");
				return 1;
			}
			by_mmap = sum_bytes(m, st.st_size, by_mmap);
			munmap(m, st.st_size);
		}
		while (off < st.st_size)
			if (sendfile(mem, fd, &off, st.st_size - off) <= 0) {
				perror("sendfile");
				return 1;
			}
		by_sendfile = sum_read(mem);
		printf("%s %016llx %016llx %016llx\n", argv[i], by_read, by_mmap, by_sendfile);
		close(mem);
		close(fd);
	}
	return 0;
}

static int btime(int argc, char **argv)
{
	for (int i = 2; i < argc; i++) {
		struct statx st;

		if (statx(AT_FDCWD, argv[i], AT_SYMLINK_NOFOLLOW, STATX_BTIME, &st)) {
			perror(argv[i]);
			return 1;
		}
		if (st.stx_mask & STATX_BTIME)
			printf("%s %lld.%09u\n", argv[i], (long long)st.stx_btime.tv_sec,
			       st.stx_btime.tv_nsec);
		else
			printf("%s -\n", argv[i]);
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 6 && !strcmp(argv[1], "mutate"))
		return mutate(argc, argv);
	if (argc == 4 && !strcmp(argv[1], "parallel"))
		return parallel(argv);
	if (argc >= 3 && !strcmp(argv[1], "btime"))
		return btime(argc, argv);
	if (argc >= 3 && !strcmp(argv[1], "sums"))
		return sums(argc, argv);
	fprintf(stderr, "usage: fatstress mutate N SEED TYPE IMAGE... | parallel K DIR | btime PATH... | sums FILE...\n");
	return 2;
}
