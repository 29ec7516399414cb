// SPDX-License-Identifier: GPL-2.0
/*
 * fsexer: a file system exerciser with a model, for the rw/ scenarios.
 *
 *   fsexer [options] ROOT
 *
 * Runs random operations under ROOT (a mounted FAT volume) and checks every
 * one against an in-memory model: its return value or errno (as the C vfat
 * and the VFS give them: EEXIST, ENOENT, ENOTDIR, EISDIR, ENOTEMPTY,
 * EINVAL), then the state it touched (sizes, st_nlink, st_blocks, the bytes
 * around the change, the listings of the directories it changed). Every
 * FULL operations, and at the end, the whole tree is checked: every
 * listing, every file's size and every byte.
 *
 * The operations: create (O_CREAT, O_EXCL, O_TRUNC), writes at offsets
 * (pwrite, write at the file position), O_APPEND writes, O_TRUNC opens,
 * writes through a shared writable mapping (msync or munmap), a shared
 * mapping kept across operations (compared after each change of its
 * file), truncate up and down (truncate and ftruncate), fallocate (grow,
 * KEEP_SIZE, PUNCH_HOLE refused), O_DIRECT writes and reads (aligned),
 * reads, rename within and across directories (over files, over empty and
 * non-empty directories, into a descendant, over an ancestor,
 * RENAME_NOREPLACE, RENAME_EXCHANGE), unlink (also of an open or mapped
 * file, whose descriptor or mapping goes on being used), mkdir, rmdir,
 * fsync/fdatasync/syncfs of files and directories, close, and now and
 * then drop_caches. Names are looked up case-insensitively, as FAT does:
 * a name may be used in another case than it was created with.
 *
 * Options:
 *   -s SEED    the seed (default 1; printed; thread i uses SEED + i)
 *   -n OPS     operations per thread (default 1000)
 *   -t N       threads (default 1); each owns ROOT/tN; with -S also
 *              ROOT/shared, where every thread keeps files and directories
 *              of its own (prefixed "tN "): that listing is checked for the
 *              thread's own entries only, the others may come and go
 *   -S         use the shared directory (threads > 1; not with -8)
 *   -8         msdos: 8.3 names in lower case only (msdos lists them in
 *              lower case), RENAME_EXCHANGE is EINVAL
 *   -a ALIGN   O_DIRECT alignment (default 512); 0: no O_DIRECT
 *   -F FULL    check the whole tree every FULL operations (default 250)
 *   -M DEV     the device ROOT is mounted from: with -r, remount it
 *   -T TYPE    the file system type to remount with (default rust_vfat);
 *              for vfat and msdos (C) a directory's st_nlink may stay one
 *              too high after a directory moved over another inside it
 *              (fs/fat's rename skips that drop_nlink within a directory),
 *              and after a file and a directory swapped (RENAME_EXCHANGE)
 *              the entries keep their old attributes until written back:
 *              d_type and directories' link counts are then not checked
 *              on C until the next mount, nor are caches dropped (a
 *              directory read again with too low a count makes a later
 *              rmdir in it remount read-only)
 *   -r EVERY   every EVERY operations: close everything, unmount, mount
 *              again, check the whole tree (all threads stop for it)
 *   -C TYPE    at the end: unmount, mount DEV read-only as TYPE (say the C
 *              vfat), check the whole tree there, unmount (needs -M)
 *   -m MAXSIZE largest file (default 196608 bytes)
 *   -B BYTES   bytes per thread at most, over all its files (default 8 MiB)
 *   -v         print every operation
 *
 * Prints the seed first and "fsexer: ok ..." last; exits 1 at the first
 * difference from the model, after printing it and the operations before
 * it. A failure replays with the same options (one thread: exactly).
 */
#define _GNU_SOURCE
#pragma GCC diagnostic ignored "-Wformat-truncation"
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <linux/falloc.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef RENAME_NOREPLACE
#define RENAME_NOREPLACE (1 << 0)
#endif
#ifndef RENAME_EXCHANGE
#define RENAME_EXCHANGE (1 << 1)
#endif

#define MAXFD 6
#define MAXNODES 40
#define MAXDEPTH 4
#define LOGN 24

struct node {
	char name[80]; /* as listed */
	int isdir;
	int loose; /* the shared directory: only our own entries checked */
	struct node *parent; /* NULL: unlinked (still open) or a top node */
	struct node *kids, *next;
	unsigned char *data;
	size_t size, cap;
	int opens;
	int nlink_extra; /* the C driver's st_nlink may be this much higher */
	size_t alloc; /* clusters fallocate(KEEP_SIZE) may hold past the end */
};

struct ofd {
	int fd;
	int append;
	struct node *n;
	off_t pos;
};

struct ctx {
	int id;
	uint64_t rng;
	char prefix[8]; /* names in the shared directory */
	struct node *tops[2];
	int ntops;
	struct ofd fds[MAXFD];
	int nfd;
	long op;
	long idle; /* operations drawn that had nothing to work on */
	long checks;
	int c_stale; /* C: a file and a directory swapped since the mount */
	char log[LOGN][640];
	long logn;
	size_t bytes;
	unsigned char *buf, *rbuf, *abuf;
	struct node *mn; /* the file of the live shared mapping, if any */
	unsigned char *map;
	size_t mlen;
	pthread_t th;
};

static const char *root;
static uint64_t seed = 1;
static long nops = 1000;
static int nthreads = 1, use_shared, dos83, verbose, c_quirks;
static size_t dalign = 512;
static long full_every = 250, remount_every;
static const char *dev, *fstype = "rust_vfat", *check_type;
static size_t maxsize = 196608, maxbytes = 8 << 20;
static size_t clsize;
static struct ctx *ctxs;
static pthread_barrier_t barrier;
static pthread_mutex_t out_lock = PTHREAD_MUTEX_INITIALIZER;

static const char *const vfat_names[] = {
	"a", "b.txt", "DATA1.BIN", "data2.bin", "Data3.Bin",
	"Long file name one.txt", "Long file name two.txt", "x y z",
	"A rather long name that needs four slots.dat", "name.with.dots",
	"UPPER LONG NAME.TXT", "mixedCase", "1234567890123", "12345678901234",
	"e", "f.g",
};

static const char *const dos_names[] = {
	"a", "b.txt", "data1.bin", "data2", "x", "y.z", "longnam8.ext", "f1",
	"f2.c", "g", "h.1", "abcdefgh", "q.abc", "r", "s.s", "t",
};

#define NNAMES 16

static uint64_t rnd(struct ctx *c)
{
	/* splitmix64 */
	uint64_t z = (c->rng += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static size_t below(struct ctx *c, size_t n)
{
	return n ? rnd(c) % n : 0;
}

static int chance(struct ctx *c, int pct)
{
	return (int)below(c, 100) < pct;
}

static void logop(struct ctx *c, const char *fmt, ...)
{
	va_list ap;
	char *l = c->log[c->logn % LOGN];

	va_start(ap, fmt);
	vsnprintf(l, sizeof(c->log[0]), fmt, ap);
	va_end(ap);
	c->logn++;
	if (verbose) {
		pthread_mutex_lock(&out_lock);
		printf("t%d #%ld %s\n", c->id, c->op, l);
		pthread_mutex_unlock(&out_lock);
	}
}

static void __attribute__((noreturn, format(printf, 2, 3)))
bad(struct ctx *c, const char *fmt, ...)
{
	va_list ap;
	long i;

	pthread_mutex_lock(&out_lock);
	printf("fsexer: FAIL thread %d op %ld (seed %" PRIu64 "): ", c->id, c->op, seed);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\nfsexer: the last operations of thread %d:\n", c->id);
	for (i = c->logn > LOGN ? c->logn - LOGN : 0; i < c->logn; i++)
		printf("  %s\n", c->log[i % LOGN]);
	fflush(stdout);
	exit(1);
}

static const char *ename(int e)
{
	static const struct {
		int e;
		const char *n;
	} t[] = {
		{ 0, "ok" }, { ENOENT, "ENOENT" }, { EEXIST, "EEXIST" },
		{ ENOTDIR, "ENOTDIR" }, { EISDIR, "EISDIR" },
		{ ENOTEMPTY, "ENOTEMPTY" }, { EINVAL, "EINVAL" },
		{ ENOSPC, "ENOSPC" }, { EIO, "EIO" }, { EROFS, "EROFS" },
		{ EBUSY, "EBUSY" }, { EBADF, "EBADF" }, { EPERM, "EPERM" },
		{ EACCES, "EACCES" }, { EFBIG, "EFBIG" }, { ENAMETOOLONG, "ENAMETOOLONG" },
		{ EOPNOTSUPP, "EOPNOTSUPP" },
	};
	static __thread char other[24];
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (t[i].e == e)
			return t[i].n;
	snprintf(other, sizeof(other), "errno %d", e);
	return other;
}

/* A system call's outcome, as 0 or the errno. */
static int res(long r)
{
	return r < 0 ? errno : 0;
}

static void expect_err(struct ctx *c, const char *what, int got, int want)
{
	c->checks++;
	if (got != want)
		bad(c, "%s: got %s, the model says %s", what, ename(got), ename(want));
}

/* ---- the model ---- */

static struct node *new_node(const char *name, int isdir)
{
	struct node *n = calloc(1, sizeof(*n));

	if (!n) {
		perror("calloc");
		exit(2);
	}
	snprintf(n->name, sizeof(n->name), "%s", name);
	n->isdir = isdir;
	return n;
}

static void attach(struct node *dir, struct node *n)
{
	n->parent = dir;
	n->next = dir->kids;
	dir->kids = n;
}

static void detach(struct node *n)
{
	struct node **p = &n->parent->kids;

	while (*p != n)
		p = &(*p)->next;
	*p = n->next;
	n->next = NULL;
	n->parent = NULL;
}

static void free_file(struct ctx *c, struct node *n)
{
	c->bytes -= n->size;
	free(n->data);
	free(n);
}

/* A node left its directory (unlink, replaced by a rename): freed now or
 * at the last close. */
static void drop(struct ctx *c, struct node *n)
{
	if (n->isdir) {
		free(n);
		return;
	}
	if (!n->opens)
		free_file(c, n);
}

static struct node *child(struct node *dir, const char *name)
{
	struct node *k;

	for (k = dir->kids; k; k = k->next)
		if (!strcasecmp(k->name, name))
			return k;
	return NULL;
}

static int is_ancestor(struct node *a, struct node *n)
{
	for (; n; n = n->parent)
		if (n == a)
			return 1;
	return 0;
}

static int count_kids(struct node *d, int dirs_only)
{
	int k = 0;
	struct node *n;

	for (n = d->kids; n; n = n->next)
		k += !dirs_only || n->isdir;
	return k;
}

static int depth(struct node *n)
{
	int d = 0;

	for (; n->parent; n = n->parent)
		d++;
	return d;
}

static void path_of(struct node *n, char *out, size_t len)
{
	char tmp[4096];

	if (!n->parent) {
		snprintf(out, len, "%s/%s", root, n->name);
		return;
	}
	path_of(n->parent, tmp, sizeof(tmp));
	snprintf(out, len, "%s/%s", tmp, n->name);
}

static void collect(struct node *n, struct node **arr, int *k, int max)
{
	struct node *m;

	for (m = n->kids; m; m = m->next) {
		if (*k < max)
			arr[(*k)++] = m;
		if (m->isdir)
			collect(m, arr, k, max);
	}
}

/* Every node below the thread's top directories (not the tops). */
static int all_nodes(struct ctx *c, struct node **arr, int max)
{
	int k = 0, i;

	for (i = 0; i < c->ntops; i++)
		collect(c->tops[i], arr, &k, max);
	return k;
}

static void set_size(struct ctx *c, struct node *n, size_t size)
{
	if (size > n->cap) {
		size_t cap = size + 4096;

		n->data = realloc(n->data, cap);
		if (!n->data) {
			perror("realloc");
			exit(2);
		}
		n->cap = cap;
	}
	if (size > n->size)
		memset(n->data + n->size, 0, size - n->size);
	c->bytes += size;
	c->bytes -= n->size;
	n->size = size;
}

static void model_write(struct ctx *c, struct node *n, size_t off, const unsigned char *b, size_t len)
{
	if (off + len > n->size)
		set_size(c, n, off + len);
	memcpy(n->data + off, b, len);
}

/* ---- checks against the file system ---- */

static void check_stat(struct ctx *c, struct node *n, const struct stat *st, const char *what)
{
	c->checks++;
	if (n->isdir) {
		if (!S_ISDIR(st->st_mode))
			bad(c, "%s: not a directory (mode 0%o)", what, st->st_mode);
		nlink_t want = 2 + count_kids(n, 1);

		if (!n->loose && !c->c_stale && (st->st_nlink < want || st->st_nlink > want + n->nlink_extra))
			bad(c, "%s: st_nlink %lu, the model says %lu", what, (unsigned long)st->st_nlink,
			    (unsigned long)want);
		return;
	}
	if (!S_ISREG(st->st_mode))
		bad(c, "%s: not a regular file (mode 0%o)", what, st->st_mode);
	if ((size_t)st->st_size != n->size)
		bad(c, "%s: size %lld, the model says %zu", what, (long long)st->st_size, n->size);
	if (st->st_nlink != (n->parent ? 1u : 0u))
		bad(c, "%s: st_nlink %lu, the model says %d", what, (unsigned long)st->st_nlink,
		    n->parent ? 1 : 0);
	if (clsize) {
		size_t lo = (n->size + clsize - 1) / clsize * clsize, hi = n->alloc > lo ? n->alloc : lo;

		if ((size_t)st->st_blocks * 512 < lo || (size_t)st->st_blocks * 512 > hi)
			bad(c, "%s: st_blocks %lld for %zu bytes in %zu-byte clusters (%zu fallocated)", what,
			    (long long)st->st_blocks, n->size, clsize, n->alloc);
	}
}

static void compare_bytes(struct ctx *c, struct node *n, const unsigned char *got, size_t off, size_t len,
			  const char *what)
{
	size_t i;

	c->checks++;
	if (!memcmp(got, n->data + off, len))
		return;
	for (i = 0; i < len && got[i] == n->data[off + i]; i++)
		;
	bad(c, "%s: byte %zu is 0x%02x, the model says 0x%02x (checked %zu..%zu of %zu)", what, off + i,
	    got[i], n->data[off + i], off, off + len, n->size);
}

/* Reads [off, off + len) of n through fd and compares. */
static void check_range_fd(struct ctx *c, struct node *n, int fd, size_t off, size_t len, const char *what)
{
	size_t done = 0;

	while (done < len) {
		ssize_t r = pread(fd, c->rbuf + done, len - done, off + done);

		if (r < 0)
			bad(c, "%s: pread at %zu: %s", what, off + done, ename(errno));
		if (r == 0)
			bad(c, "%s: end of file at %zu, the model has %zu bytes", what, off + done, n->size);
		done += r;
	}
	compare_bytes(c, n, c->rbuf, off, len, what);
	/* Past the end: nothing. */
	if (off + len == n->size) {
		c->checks++;
		if (pread(fd, c->rbuf, 1, n->size) != 0)
			bad(c, "%s: a byte past the end (%zu)", what, n->size);
	}
}

static int fd_of(struct ctx *c, struct node *n)
{
	int i;

	for (i = 0; i < c->nfd; i++)
		if (c->fds[i].n == n)
			return c->fds[i].fd;
	return -1;
}

/* Checks the file n: stat, then the bytes around [off, off + len) (all of
 * them when the file is small or whole is set). */
static void check_file(struct ctx *c, struct node *n, size_t off, size_t len, int whole)
{
	char path[4096];
	struct stat st;
	int fd = fd_of(c, n), own = 0;

	if (!n->parent && fd < 0) {
		/* Unlinked, held by the live mapping alone. */
		if (n == c->mn) {
			size_t l = n->size < c->mlen ? n->size : c->mlen;

			compare_bytes(c, n, c->map, 0, l, "the live mapping of an unlinked file");
		}
		return;
	}
	if (n->parent && (fd < 0 || chance(c, 50))) {
		path_of(n, path, sizeof(path));
		fd = open(path, O_RDONLY);
		if (fd < 0)
			bad(c, "open %s to check it: %s", path, ename(errno));
		own = 1;
	} else {
		snprintf(path, sizeof(path), "%s (descriptor %d%s)", n->name, fd, n->parent ? "" : ", unlinked");
	}
	if (fstat(fd, &st))
		bad(c, "fstat %s: %s", path, ename(errno));
	check_stat(c, n, &st, path);
	if (whole || n->size <= 32768) {
		off = 0;
		len = n->size;
	} else {
		size_t lo = off > 4096 ? off - 4096 : 0, hi = off + len + 4096;

		if (hi > n->size)
			hi = n->size;
		if (lo > hi)
			lo = hi;
		off = lo;
		len = hi - lo;
		if (n->size > off + len)
			check_range_fd(c, n, fd, n->size - 4096, 4096, path);
	}
	check_range_fd(c, n, fd, off, len, path);
	if (own)
		close(fd);
	if (n == c->mn && off < c->mlen) {
		/* The live mapping shows the same bytes. */
		if (off + len > c->mlen)
			len = c->mlen - off;
		compare_bytes(c, n, c->map + off, off, len, "the live mapping");
	}
}

static int is_own(struct ctx *c, const char *name)
{
	return !strncasecmp(name, c->prefix, strlen(c->prefix));
}

/* Compares a directory's listing with the model. */
static void check_dir(struct ctx *c, struct node *d)
{
	char path[4096], seen[MAXNODES + 4][80];
	int nseen = 0, dots = 0, i, want = 0;
	struct dirent *e;
	struct node *k;
	struct stat st;
	DIR *dir;

	path_of(d, path, sizeof(path));
	if (stat(path, &st))
		bad(c, "stat %s: %s", path, ename(errno));
	check_stat(c, d, &st, path);
	dir = opendir(path);
	if (!dir)
		bad(c, "opendir %s: %s", path, ename(errno));
	while ((errno = 0, e = readdir(dir))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) {
			dots++;
			continue;
		}
		if (d->loose && !is_own(c, e->d_name))
			continue;
		k = child(d, e->d_name);
		if (!k || strcmp(k->name, e->d_name))
			bad(c, "%s lists \"%s\", which the model does not have", path, e->d_name);
		if (e->d_type != DT_UNKNOWN && e->d_type != (k->isdir ? DT_DIR : DT_REG) && !c->c_stale)
			bad(c, "%s lists \"%s\" with d_type %d", path, e->d_name, e->d_type);
		for (i = 0; i < nseen; i++)
			if (!strcmp(seen[i], e->d_name))
				bad(c, "%s lists \"%s\" twice", path, e->d_name);
		if (nseen < MAXNODES + 4)
			snprintf(seen[nseen++], sizeof(seen[0]), "%s", e->d_name);
	}
	if (errno)
		bad(c, "readdir %s: %s", path, ename(errno));
	closedir(dir);
	for (k = d->kids; k; k = k->next)
		want++;
	c->checks++;
	if (nseen != want)
		bad(c, "%s lists %d entries, the model has %d", path, nseen, want);
	if (dots != 2)
		bad(c, "%s lists . and .. %d times", path, dots);
}

static void check_tree(struct ctx *c, struct node *d)
{
	struct node *k;

	check_dir(c, d);
	for (k = d->kids; k; k = k->next) {
		if (k->isdir)
			check_tree(c, k);
		else
			check_file(c, k, 0, k->size, 1);
	}
}

static void clear_extra(struct node *d)
{
	struct node *k;

	d->nlink_extra = 0;
	for (k = d->kids; k; k = k->next)
		if (k->isdir)
			clear_extra(k);
}

static void check_all(struct ctx *c)
{
	int i;

	for (i = 0; i < c->ntops; i++)
		check_tree(c, c->tops[i]);
	for (i = 0; i < c->nfd; i++)
		if (!c->fds[i].n->parent)
			check_file(c, c->fds[i].n, 0, c->fds[i].n->size, 1);
}

/* ---- choosing what to work on ---- */

static void pick_name(struct ctx *c, struct node *dir, char *out, size_t len)
{
	const char *base = (dos83 ? dos_names : vfat_names)[below(c, NNAMES)];
	size_t i, p;

	snprintf(out, len, "%s%s", dir->loose ? c->prefix : "", base);
	/* Now and then another case: FAT looks names up ignoring it. */
	if (chance(c, 25))
		for (i = dir->loose ? strlen(c->prefix) : 0; out[i]; i++) {
			p = below(c, 3);
			if (p == 1)
				out[i] = toupper((unsigned char)out[i]);
			else if (p == 2)
				out[i] = tolower((unsigned char)out[i]);
		}
}

/* The name as the file system lists an entry created with it. */
static void listed_name(char *name)
{
	if (dos83)
		for (; *name; name++)
			*name = tolower((unsigned char)*name);
}

static struct node *random_dir(struct ctx *c)
{
	struct node *arr[MAXNODES * 2], *dirs[MAXNODES * 2 + 2];
	int n = all_nodes(c, arr, MAXNODES * 2), k = 0, i;

	for (i = 0; i < c->ntops; i++)
		dirs[k++] = c->tops[i];
	for (i = 0; i < n; i++)
		if (arr[i]->isdir)
			dirs[k++] = arr[i];
	return dirs[below(c, k)];
}

static struct node *random_node(struct ctx *c, int want) /* 0 any, 1 file, 2 dir */
{
	struct node *arr[MAXNODES * 2];
	int n = all_nodes(c, arr, MAXNODES * 2), k = 0, i;

	for (i = 0; i < n; i++)
		if (!want || (want == 1) == !arr[i]->isdir)
			arr[k++] = arr[i];
	return k ? arr[below(c, k)] : NULL;
}

/*
 * A path for a new or existing entry: dir/name, where dir is a directory
 * of the model; now and then a parent that is missing (ENOENT) or a file
 * (ENOTDIR). *parent is the directory when the path resolves up to its
 * last component (*perr 0).
 */
static void pick_path(struct ctx *c, char *path, size_t len, struct node **parent, char *name, int *perr)
{
	char dpath[4096];
	struct node *d = random_dir(c), *f;

	pick_name(c, d, name, 80);
	*perr = 0;
	*parent = d;
	path_of(d, dpath, sizeof(dpath));
	if (chance(c, 4)) {
		char missing[80];

		pick_name(c, d, missing, sizeof(missing));
		f = child(d, missing);
		*perr = !f ? ENOENT : f->isdir ? 0 : ENOTDIR;
		*parent = f && f->isdir ? f : NULL;
		if (*parent)
			pick_name(c, f, name, 80);
		snprintf(path, len, "%s/%s/%s", dpath, missing, name);
		return;
	}
	snprintf(path, len, "%s/%s", dpath, name);
}

/* An existing node as a path, or a random path (existing or not). */
static void pick_existing(struct ctx *c, int want, char *path, size_t len, struct node **parent, char *name,
			  int *perr)
{
	struct node *n = chance(c, 85) ? random_node(c, want) : NULL;

	if (!n) {
		pick_path(c, path, len, parent, name, perr);
		return;
	}
	*perr = 0;
	*parent = n->parent;
	snprintf(name, 80, "%s", n->name);
	/* Another case of the same name now and then. */
	if (chance(c, 15) && name[0] && !n->parent->loose)
		name[0] = islower((unsigned char)name[0]) ? toupper((unsigned char)name[0]) : tolower((unsigned char)name[0]);
	{
		char dpath[4096];

		path_of(n->parent, dpath, sizeof(dpath));
		snprintf(path, len, "%s/%s", dpath, name);
	}
}

static int nodes(struct ctx *c)
{
	struct node *arr[MAXNODES * 2];

	return all_nodes(c, arr, MAXNODES * 2);
}

static void fill(struct ctx *c, unsigned char *b, size_t len)
{
	size_t i;
	uint64_t v = 0;

	for (i = 0; i < len; i++) {
		if (!(i & 7))
			v = rnd(c);
		b[i] = v >> ((i & 7) * 8);
	}
}

/* A write's offset and length: mostly near or inside the file. */
static void pick_range(struct ctx *c, struct node *n, size_t *off, size_t *len)
{
	size_t max = maxsize, l;

	if (chance(c, 70))
		l = 1 + below(c, 4096);
	else if (chance(c, 80))
		l = 1 + below(c, 20000);
	else
		l = 1 + below(c, 65536);
	*off = below(c, n->size + (chance(c, 20) ? 20000 : 1));
	if (chance(c, 10))
		*off = n->size;
	if (*off >= max)
		*off = below(c, max);
	if (*off + l > max)
		l = max - *off;
	if (c->bytes > maxbytes && *off + l > n->size) {
		/* Over the budget: no growth. */
		if (*off >= n->size)
			*off = n->size ? below(c, n->size) : 0;
		l = n->size - *off;
	}
	*len = l;
}

static struct ofd *random_fd(struct ctx *c)
{
	return c->nfd ? &c->fds[below(c, c->nfd)] : NULL;
}

static void keep_fd(struct ctx *c, int fd, struct node *n, int append)
{
	if (c->nfd == MAXFD) {
		close(fd);
		return;
	}
	c->fds[c->nfd++] = (struct ofd){ .fd = fd, .n = n, .append = append };
	n->opens++;
}

static void close_fd(struct ctx *c, int i)
{
	struct node *n = c->fds[i].n;

	c->checks++;
	if (close(c->fds[i].fd))
		bad(c, "close %s: %s", n->name, ename(errno));
	c->fds[i] = c->fds[--c->nfd];
	if (!--n->opens && !n->parent)
		free_file(c, n);
}

/* ---- the operations ---- */

static void op_create(struct ctx *c)
{
	char path[4096], name[80];
	struct node *p, *n;
	int perr, excl = chance(c, 40), trunc = chance(c, 25), fd, want;

	pick_path(c, path, sizeof(path), &p, name, &perr);
	n = p ? child(p, name) : NULL;
	if (!perr && !n && nodes(c) >= MAXNODES)
		return;
	logop(c, "create %s%s%s", path, excl ? " O_EXCL" : "", trunc ? " O_TRUNC" : "");
	fd = open(path, O_RDWR | O_CREAT | (excl ? O_EXCL : 0) | (trunc ? O_TRUNC : 0), 0644);
	want = perr ? perr : !n ? 0 : excl ? EEXIST : n->isdir ? EISDIR : 0;
	expect_err(c, path, fd < 0 ? errno : 0, want);
	if (fd < 0)
		return;
	if (!n) {
		listed_name(name);
		n = new_node(name, 0);
		attach(p, n);
	} else if (trunc) {
		set_size(c, n, 0);
		n->alloc = 0;
	}
	if (chance(c, 60))
		keep_fd(c, fd, n, 0);
	else if (close(fd))
		bad(c, "close %s: %s", path, ename(errno));
	check_file(c, n, 0, 0, 0);
	check_dir(c, p);
}

static void op_open(struct ctx *c)
{
	char path[4096], name[80];
	struct node *p, *n;
	int perr, fd, want, append = chance(c, 25), trunc = chance(c, 10);

	pick_existing(c, 1, path, sizeof(path), &p, name, &perr);
	n = p ? child(p, name) : NULL;
	logop(c, "open %s%s%s", path, append ? " O_APPEND" : "", trunc ? " O_TRUNC" : "");
	fd = open(path, O_RDWR | (append ? O_APPEND : 0) | (trunc ? O_TRUNC : 0));
	want = perr ? perr : !n ? ENOENT : n->isdir ? EISDIR : 0;
	expect_err(c, path, fd < 0 ? errno : 0, want);
	if (fd < 0)
		return;
	if (trunc) {
		set_size(c, n, 0);
		n->alloc = 0;
	}
	keep_fd(c, fd, n, append);
	check_file(c, n, 0, 0, 0);
}

static void op_close(struct ctx *c)
{
	int i;

	if (!c->nfd)
		return;
	i = below(c, c->nfd);
	logop(c, "close %s%s", c->fds[i].n->name, c->fds[i].n->parent ? "" : " (unlinked)");
	close_fd(c, i);
}

static void op_write(struct ctx *c)
{
	struct ofd *o = chance(c, 70) ? random_fd(c) : NULL;
	char path[4096], name[80];
	struct node *n, *p;
	size_t off, len;
	ssize_t r;
	int fd, perr, mode = below(c, 3); /* 0 pwrite, 1 write at the position, 2 O_APPEND */

	if (o) {
		n = o->n;
		fd = o->fd;
		mode = o->append ? 2 : mode % 2;
		snprintf(path, sizeof(path), "%s (descriptor)", n->name);
	} else {
		pick_existing(c, 1, path, sizeof(path), &p, name, &perr);
		n = p ? child(p, name) : NULL;
		fd = open(path, O_WRONLY | (mode == 2 ? O_APPEND : 0));
		expect_err(c, path, fd < 0 ? errno : 0, perr ? perr : !n ? ENOENT : n->isdir ? EISDIR : 0);
		if (fd < 0)
			return;
		if (mode == 1)
			mode = 0;
	}
	pick_range(c, n, &off, &len);
	if (mode == 1)
		off = o->pos;
	if (mode == 2)
		off = n->size;
	if (off + len > maxsize || (c->bytes > maxbytes && off + len > n->size))
		len = off < n->size ? n->size - off : 0;
	if (!len) {
		/* Nothing to write (at the limits): a write of 0 bytes moves
		 * no position, not even with O_APPEND. */
		if (!o)
			close(fd);
		return;
	}
	if (mode == 1 && lseek(fd, off, SEEK_SET) != (off_t)off)
		bad(c, "lseek %s: %s", path, ename(errno));
	fill(c, c->buf, len);
	logop(c, "%s %s at %zu, %zu bytes", mode == 0 ? "pwrite" : mode == 1 ? "write" : "append", path, off,
	      len);
	if (mode == 0)
		r = pwrite(fd, c->buf, len, off);
	else
		r = write(fd, c->buf, len);
	if (r < 0)
		bad(c, "%s: write: %s", path, ename(errno));
	c->checks++;
	if ((size_t)r != len)
		bad(c, "%s: wrote %zd of %zu bytes", path, r, len);
	model_write(c, n, off, c->buf, len);
	if (o && mode != 0)
		o->pos = off + len;
	if (mode != 0) {
		c->checks++;
		if (lseek(fd, 0, SEEK_CUR) != (off_t)(off + len))
			bad(c, "%s: file position %lld after the write, the model says %zu", path,
			    (long long)lseek(fd, 0, SEEK_CUR), off + len);
	}
	if (!o && close(fd))
		bad(c, "close %s: %s", path, ename(errno));
	check_file(c, n, off, len, 0);
}

static void op_mmap(struct ctx *c)
{
	struct node *n = random_node(c, 1);
	char path[4096];
	size_t off, len;
	unsigned char *m;
	int fd, sync = chance(c, 50);

	if (!n || !n->size)
		return;
	path_of(n, path, sizeof(path));
	fd = fd_of(c, n);
	if (fd < 0 || chance(c, 50)) {
		fd = open(path, O_RDWR);
		if (fd < 0)
			bad(c, "open %s: %s", path, ename(errno));
	} else {
		fd = dup(fd);
	}
	off = below(c, n->size);
	len = 1 + below(c, n->size - off < 8192 ? n->size - off : 8192);
	logop(c, "mmap write %s at %zu, %zu bytes%s", path, off, len, sync ? ", msync" : "");
	m = mmap(NULL, n->size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (m == MAP_FAILED)
		bad(c, "mmap %s: %s", path, ename(errno));
	/* What the mapping shows first is the file. */
	compare_bytes(c, n, m + off, off, len, "the mapping before the write");
	fill(c, c->buf, len);
	memcpy(m + off, c->buf, len);
	model_write(c, n, off, c->buf, len);
	if (sync && msync(m, n->size, MS_SYNC))
		bad(c, "msync %s: %s", path, ename(errno));
	if (munmap(m, n->size) || close(fd))
		bad(c, "munmap/close %s: %s", path, ename(errno));
	check_file(c, n, off, len, 0);
}

static void unmap_live(struct ctx *c);

/*
 * A shared writable mapping that lives across operations: mapped, written
 * through (the file then shows it: check_file), compared after the other
 * operations changed the file (check_file compares it too), unmapped.
 * Only the bytes below both the mapping's length and the file's size are
 * touched (past the end's page: SIGBUS).
 */
static void op_live_map(struct ctx *c)
{
	struct node *n = c->mn;
	size_t off, len, lim;
	char path[4096];
	int fd;

	if (!n) {
		n = random_node(c, 1);
		if (!n || !n->size)
			return;
		path_of(n, path, sizeof(path));
		logop(c, "map %s (%zu bytes) to keep", path, n->size);
		fd = open(path, O_RDWR);
		if (fd < 0)
			bad(c, "open %s: %s", path, ename(errno));
		c->map = mmap(NULL, n->size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		if (c->map == MAP_FAILED)
			bad(c, "mmap %s: %s", path, ename(errno));
		close(fd);
		c->mn = n;
		c->mlen = n->size;
		n->opens++;
		check_file(c, n, 0, n->size, 0);
		return;
	}
	lim = n->size < c->mlen ? n->size : c->mlen;
	if (chance(c, 25) || !lim) {
		logop(c, "unmap %s%s", n->name, n->parent ? "" : " (unlinked)");
		if (chance(c, 50) && msync(c->map, c->mlen, MS_SYNC))
			bad(c, "msync %s: %s", n->name, ename(errno));
		unmap_live(c);
		if (n->opens || n->parent)
			check_file(c, n, 0, n->size, 0);
		return;
	}
	off = below(c, lim);
	len = 1 + below(c, lim - off < 8192 ? lim - off : 8192);
	logop(c, "write through the live mapping of %s%s at %zu, %zu bytes", n->name,
	      n->parent ? "" : " (unlinked)", off, len);
	fill(c, c->buf, len);
	memcpy(c->map + off, c->buf, len);
	model_write(c, n, off, c->buf, len);
	if (n->parent || fd_of(c, n) >= 0)
		check_file(c, n, off, len, 0);
	else
		compare_bytes(c, n, c->map + off, off, len, "the live mapping");
}

/* fallocate: mode 0 grows the file (zeros), KEEP_SIZE allocates past the
 * end without growing it, anything else is EOPNOTSUPP (fat_fallocate). */
static void op_fallocate(struct ctx *c)
{
	struct ofd *o = random_fd(c);
	int k = below(c, 10), mode = k < 5 ? 0 : k < 9 ? FALLOC_FL_KEEP_SIZE : FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE;
	struct node *n;
	size_t off, len, end;
	int r;

	if (!o)
		return;
	n = o->n;
	off = below(c, n->size + 20000);
	len = 1 + below(c, 40000);
	if (off + len > maxsize)
		return;
	end = off + len;
	if (mode == 0 && c->bytes > maxbytes && end > n->size)
		return;
	if (mode == FALLOC_FL_KEEP_SIZE && end > n->size + 16384)
		return; /* what it keeps is not in the budget: a little */
	logop(c, "fallocate %s%s%s %zu..%zu", n->name, n->parent ? "" : " (unlinked)",
	      mode == 0 ? "" : mode == FALLOC_FL_KEEP_SIZE ? " KEEP_SIZE" : " PUNCH_HOLE", off, end);
	r = res(fallocate(o->fd, mode, off, len));
	expect_err(c, "fallocate", r, mode & FALLOC_FL_PUNCH_HOLE ? EOPNOTSUPP : 0);
	if (r)
		return;
	if (mode == 0 && end > n->size)
		set_size(c, n, end);
	if (mode == FALLOC_FL_KEEP_SIZE && clsize) {
		end = (end + clsize - 1) / clsize * clsize;
		if (end > n->alloc)
			n->alloc = end;
	}
	check_file(c, n, off < n->size ? off : 0, len, 0);
}

static void op_truncate(struct ctx *c)
{
	struct ofd *o = chance(c, 40) ? random_fd(c) : NULL;
	char path[4096], name[80];
	struct node *n = NULL, *p;
	size_t size;
	int perr = 0, r;

	if (!o) {
		pick_existing(c, 1, path, sizeof(path), &p, name, &perr);
		n = p ? child(p, name) : NULL;
	} else {
		n = o->n;
		snprintf(path, sizeof(path), "%s (descriptor)", n->name);
	}
	if (n && !n->isdir) {
		if (chance(c, 50) || c->bytes > maxbytes)
			size = below(c, n->size + 1);
		else
			size = n->size + below(c, 70000);
		if (chance(c, 10))
			size = 0;
		if (size > maxsize)
			size = maxsize;
	} else {
		size = below(c, 5000);
	}
	logop(c, "%struncate %s to %zu", o ? "f" : "", path, size);
	r = res(o ? ftruncate(o->fd, size) : truncate(path, size));
	expect_err(c, path, r, perr ? perr : !n ? ENOENT : n->isdir ? EISDIR : 0);
	if (r)
		return;
	/* fat_setattr frees what fallocate kept unless the size grows. */
	if (size <= n->size)
		n->alloc = 0;
	set_size(c, n, size);
	check_file(c, n, size > 100 ? size - 100 : 0, 200, 0);
}

static void op_direct(struct ctx *c)
{
	struct node *n = random_node(c, 1);
	char path[4096];
	size_t off, len;
	ssize_t r;
	int fd, wr = chance(c, 60);

	if (!n || !dalign)
		return;
	path_of(n, path, sizeof(path));
	off = below(c, (n->size + (wr ? 8192 : 0)) / dalign + 1) * dalign;
	len = (1 + below(c, 32)) * dalign;
	if (off + len > maxsize)
		return;
	if (wr && c->bytes > maxbytes && off + len > n->size)
		return;
	logop(c, "O_DIRECT %s %s at %zu, %zu bytes", wr ? "write" : "read", path, off, len);
	fd = open(path, (wr ? O_RDWR : O_RDONLY) | O_DIRECT);
	if (fd < 0)
		bad(c, "open %s O_DIRECT: %s", path, ename(errno));
	if (wr) {
		fill(c, c->abuf, len);
		r = pwrite(fd, c->abuf, len, off);
		if (r < 0)
			bad(c, "O_DIRECT pwrite %s: %s", path, ename(errno));
		c->checks++;
		if ((size_t)r != len)
			bad(c, "O_DIRECT pwrite %s: wrote %zd of %zu", path, r, len);
		model_write(c, n, off, c->abuf, len);
	} else {
		size_t want = off >= n->size ? 0 : n->size - off < len ? n->size - off : len;

		r = pread(fd, c->abuf, len, off);
		if (r < 0)
			bad(c, "O_DIRECT pread %s: %s", path, ename(errno));
		c->checks++;
		if ((size_t)r != want)
			bad(c, "O_DIRECT pread %s at %zu: %zd bytes, the model says %zu", path, off, r, want);
		compare_bytes(c, n, c->abuf, off, want, "O_DIRECT read");
	}
	if (close(fd))
		bad(c, "close %s: %s", path, ename(errno));
	check_file(c, n, off, len, 0);
}

static void op_read(struct ctx *c)
{
	struct ofd *o = random_fd(c);
	struct node *n;
	size_t off, len;
	char path[4096];
	ssize_t r;

	if (o && chance(c, 50)) {
		/* read(2) at the descriptor's position */
		n = o->n;
		if (o->append)
			return;
		len = 1 + below(c, 16384);
		logop(c, "read %s (descriptor) at %lld, %zu bytes", n->name, (long long)o->pos, len);
		if (lseek(o->fd, o->pos, SEEK_SET) != o->pos)
			bad(c, "lseek: %s", ename(errno));
		r = read(o->fd, c->rbuf, len);
		if (r < 0)
			bad(c, "read %s: %s", n->name, ename(errno));
		off = o->pos;
		len = (size_t)o->pos >= n->size ? 0 : n->size - o->pos < len ? n->size - o->pos : len;
		c->checks++;
		if ((size_t)r != len)
			bad(c, "read %s at %zu: %zd bytes, the model says %zu", n->name, off, r, len);
		compare_bytes(c, n, c->rbuf, off, len, "read");
		o->pos += r;
		return;
	}
	n = random_node(c, 1);
	if (!n)
		return;
	path_of(n, path, sizeof(path));
	logop(c, "check %s", path);
	check_file(c, n, 0, n->size, 1);
}

static void op_unlink(struct ctx *c)
{
	char path[4096], name[80];
	struct node *p, *n;
	int perr, r;

	pick_existing(c, chance(c, 85) ? 1 : 0, path, sizeof(path), &p, name, &perr);
	n = p ? child(p, name) : NULL;
	logop(c, "unlink %s%s", path, n && n->opens ? " (open)" : "");
	r = res(unlink(path));
	expect_err(c, path, r, perr ? perr : !n ? ENOENT : n->isdir ? EISDIR : 0);
	if (r)
		return;
	detach(n);
	if (n->opens)
		check_file(c, n, 0, n->size, 0);
	drop(c, n);
	check_dir(c, p);
}

static void op_mkdir(struct ctx *c)
{
	char path[4096], name[80];
	struct node *p, *n;
	int perr, r, want;

	pick_path(c, path, sizeof(path), &p, name, &perr);
	n = p ? child(p, name) : NULL;
	if (!perr && !n && (nodes(c) >= MAXNODES || depth(p) >= MAXDEPTH))
		return;
	logop(c, "mkdir %s", path);
	r = res(mkdir(path, 0755));
	want = perr ? perr : n ? EEXIST : 0;
	expect_err(c, path, r, want);
	if (r)
		return;
	listed_name(name);
	n = new_node(name, 1);
	attach(p, n);
	check_dir(c, n);
	check_dir(c, p);
}

static void op_rmdir(struct ctx *c)
{
	char path[4096], name[80];
	struct node *p, *n;
	int perr, r;

	pick_existing(c, chance(c, 85) ? 2 : 0, path, sizeof(path), &p, name, &perr);
	n = p ? child(p, name) : NULL;
	logop(c, "rmdir %s", path);
	r = res(rmdir(path));
	expect_err(c, path, r, perr ? perr : !n ? ENOENT : !n->isdir ? ENOTDIR : n->kids ? ENOTEMPTY : 0);
	if (r)
		return;
	detach(n);
	drop(c, n);
	check_dir(c, p);
}

static void op_rename(struct ctx *c)
{
	char from[4096], to[4096], fname[80], tname[80];
	struct node *fp, *tp, *s, *t;
	int ferr, terr, want, r, noreplace = chance(c, 15);

	pick_existing(c, 0, from, sizeof(from), &fp, fname, &ferr);
	if (chance(c, 50))
		pick_existing(c, 0, to, sizeof(to), &tp, tname, &terr);
	else
		pick_path(c, to, sizeof(to), &tp, tname, &terr);
	s = fp ? child(fp, fname) : NULL;
	t = tp ? child(tp, tname) : NULL;
	/* The new name, as the file system will list it. */
	if (tp && tp->loose && !is_own(c, tname))
		return;
	logop(c, "rename%s %s -> %s", noreplace ? " (RENAME_NOREPLACE)" : "", from, to);
	if (noreplace)
		r = res(syscall(SYS_renameat2, AT_FDCWD, from, AT_FDCWD, to, RENAME_NOREPLACE));
	else
		r = res(rename(from, to));
	if (ferr)
		want = ferr;
	else if (terr)
		want = terr;
	else if (!s)
		want = ENOENT;
	else if (noreplace && t)
		want = EEXIST;
	else if (fp != tp && is_ancestor(s, tp))
		want = EINVAL; /* into itself */
	else if (fp != tp && t && is_ancestor(t, fp))
		want = ENOTEMPTY; /* over an ancestor */
	else if (s == t)
		want = 0;
	else if (t && s->isdir && !t->isdir)
		want = ENOTDIR;
	else if (t && !s->isdir && t->isdir)
		want = EISDIR;
	else if (t && t->kids)
		want = ENOTEMPTY;
	else
		want = 0;
	expect_err(c, "rename", r, want);
	if (r || s == t)
		return;
	detach(s);
	/*
	 * fs/fat (vfat_rename, msdos_rename) drops the parent's link count
	 * for a directory moved over another only when the parents differ:
	 * in one directory its st_nlink stays one too high until the inode
	 * is read again (a remount, or evicted by drop_caches).
	 */
	if (c_quirks && s->isdir && t && fp == tp)
		fp->nlink_extra++;
	if (t) {
		/* The target's entry is reused: its name stays as listed. */
		snprintf(s->name, sizeof(s->name), "%s", t->name);
		detach(t);
		if (t->opens)
			check_file(c, t, 0, t->size, 0);
		drop(c, t);
	} else {
		listed_name(tname);
		snprintf(s->name, sizeof(s->name), "%s", tname);
	}
	attach(tp, s);
	check_dir(c, fp);
	if (tp != fp)
		check_dir(c, tp);
	if (s->isdir)
		check_dir(c, s);
	else
		check_file(c, s, 0, s->size, 0);
}

/* renameat2(RENAME_EXCHANGE): both must exist; each name stays where it
 * is and now leads to the other. */
static void op_exchange(struct ctx *c)
{
	char from[4096], to[4096], fname[80], tname[80], tmp[80];
	struct node *fp, *tp, *s, *t;
	int ferr, terr, want, r;

	pick_existing(c, 0, from, sizeof(from), &fp, fname, &ferr);
	pick_existing(c, 0, to, sizeof(to), &tp, tname, &terr);
	s = fp ? child(fp, fname) : NULL;
	t = tp ? child(tp, tname) : NULL;
	logop(c, "rename (RENAME_EXCHANGE) %s <-> %s", from, to);
	r = res(syscall(SYS_renameat2, AT_FDCWD, from, AT_FDCWD, to, RENAME_EXCHANGE));
	if (ferr)
		want = ferr;
	else if (terr)
		want = terr;
	else if (!s || !t)
		want = ENOENT;
	else if (fp != tp && (is_ancestor(s, tp) || is_ancestor(t, fp)))
		want = EINVAL; /* one inside the other */
	else if (s != t && dos83)
		want = EINVAL; /* msdos_rename takes RENAME_NOREPLACE alone */
	else
		want = 0;
	expect_err(c, "rename (RENAME_EXCHANGE)", r, want);
	if (r || s == t)
		return;
	/*
	 * fs/fat (vfat_rename_exchange) only marks the two inodes dirty: until
	 * they are written back, the entries keep their old attributes, wrong
	 * when a file and a directory swapped. readdir's d_type comes from
	 * them, so does the subdirectory count of a directory read again
	 * (drop_caches), and a rename over such an entry reuses it as it is.
	 * Until the next mount neither is checked on C.
	 */
	if (c_quirks && s->isdir != t->isdir)
		c->c_stale = 1;
	detach(s);
	detach(t);
	snprintf(tmp, sizeof(tmp), "%s", s->name);
	snprintf(s->name, sizeof(s->name), "%s", t->name);
	snprintf(t->name, sizeof(t->name), "%s", tmp);
	attach(tp, s);
	attach(fp, t);
	check_dir(c, fp);
	if (tp != fp)
		check_dir(c, tp);
	if (s->isdir)
		check_dir(c, s);
	else
		check_file(c, s, 0, s->size, 0);
	if (t->isdir)
		check_dir(c, t);
	else
		check_file(c, t, 0, t->size, 0);
}

static void op_fsync(struct ctx *c)
{
	struct ofd *o = random_fd(c);
	int k = below(c, 5), fd, r;
	struct node *d;
	char path[4096];

	if (k < 3 && o) {
		logop(c, "%s %s", k == 0 ? "fsync" : k == 1 ? "fdatasync" : "syncfs", o->n->name);
		r = res(k == 0 ? fsync(o->fd) : k == 1 ? fdatasync(o->fd) : syncfs(o->fd));
		expect_err(c, "fsync", r, 0);
		check_file(c, o->n, 0, 0, 0);
		return;
	}
	d = random_dir(c);
	path_of(d, path, sizeof(path));
	logop(c, "fsync directory %s", path);
	fd = open(path, O_RDONLY | O_DIRECTORY);
	if (fd < 0)
		bad(c, "open %s: %s", path, ename(errno));
	expect_err(c, "fsync of a directory", res(fsync(fd)), 0);
	close(fd);
}

static void drop_caches(struct ctx *c)
{
	int fd;

	/*
	 * On C after a file and a directory swapped (c_stale): a directory
	 * read again counts its subdirectories from the stale attributes,
	 * too few, and a later rmdir in it finds "parent dir link count too
	 * low" and remounts read-only. Not until the next mount.
	 */
	if (c->c_stale)
		return;
	fd = open("/proc/sys/vm/drop_caches", O_WRONLY);
	logop(c, "drop_caches");
	if (fd >= 0) {
		if (write(fd, "3", 1) != 1)
			bad(c, "drop_caches: %s", ename(errno));
		close(fd);
	}
}

static void one_op(struct ctx *c)
{
	unsigned k = below(c, 1000);
	int full = nodes(c) >= MAXNODES - 2;

	if (k < 90)
		full ? op_unlink(c) : op_create(c);
	else if (k < 150)
		op_open(c);
	else if (k < 230)
		op_close(c);
	else if (k < 360)
		op_write(c);
	else if (k < 380)
		op_fallocate(c);
	else if (k < 400)
		op_live_map(c);
	else if (k < 460)
		op_mmap(c);
	else if (k < 540)
		op_truncate(c);
	else if (k < 610)
		op_direct(c);
	else if (k < 680)
		op_read(c);
	else if (k < 745)
		op_rename(c);
	else if (k < 760)
		op_exchange(c);
	else if (k < 830)
		op_unlink(c);
	else if (k < 880)
		full ? op_rmdir(c) : op_mkdir(c);
	else if (k < 930)
		op_rmdir(c);
	else if (k < 995)
		op_fsync(c);
	else
		drop_caches(c);
}

/* ---- runs ---- */

static void unmap_live(struct ctx *c)
{
	struct node *n = c->mn;

	if (!n)
		return;
	if (munmap(c->map, c->mlen))
		bad(c, "munmap %s: %s", n->name, ename(errno));
	c->mn = NULL;
	if (!--n->opens && !n->parent)
		free_file(c, n);
}

static void close_all(struct ctx *c)
{
	unmap_live(c);
	while (c->nfd)
		close_fd(c, c->nfd - 1);
}

static void do_mount(const char *type, unsigned long flags)
{
	if (mount(dev, root, type, flags, NULL)) {
		printf("fsexer: mount -t %s %s %s: %s\n", type, dev, root, ename(errno));
		exit(1);
	}
}

static void do_umount(void)
{
	if (umount(root)) {
		printf("fsexer: umount %s: %s\n", root, ename(errno));
		exit(1);
	}
}

static void *run(void *arg)
{
	struct ctx *c = arg;

	for (c->op = 1; c->op <= nops; c->op++) {
		long logged = c->logn;

		one_op(c);
		c->idle += c->logn == logged;
		if (full_every && !(c->op % full_every)) {
			logop(c, "check the whole tree");
			check_all(c);
		}
		if (remount_every && dev && !(c->op % remount_every)) {
			close_all(c);
			if (pthread_barrier_wait(&barrier) == PTHREAD_BARRIER_SERIAL_THREAD) {
				do_umount();
				do_mount(fstype, 0);
			}
			pthread_barrier_wait(&barrier);
			for (int i = 0; i < c->ntops; i++)
				clear_extra(c->tops[i]);
			c->c_stale = 0;
			logop(c, "remounted: check the whole tree");
			check_all(c);
		}
		if (!(c->op % 10000)) {
			pthread_mutex_lock(&out_lock);
			printf("fsexer: thread %d: %ld operations\n", c->id, c->op);
			pthread_mutex_unlock(&out_lock);
		}
	}
	c->op--;
	check_all(c);
	return NULL;
}

static void mkdir_top(const char *name)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/%s", root, name);
	if (mkdir(path, 0755) && errno != EEXIST) {
		printf("fsexer: mkdir %s: %s\n", path, ename(errno));
		exit(1);
	}
}

int main(int argc, char **argv)
{
	struct node *shared = NULL;
	struct statvfs sv;
	long checks = 0, ops = 0, idle = 0;
	int o, i;

	setvbuf(stdout, NULL, _IOLBF, 0);
	while ((o = getopt(argc, argv, "s:n:t:S8a:F:M:T:r:C:m:B:v")) != -1) {
		switch (o) {
		case 's': seed = strtoull(optarg, NULL, 0); break;
		case 'n': nops = atol(optarg); break;
		case 't': nthreads = atoi(optarg); break;
		case 'S': use_shared = 1; break;
		case '8': dos83 = 1; break;
		case 'a': dalign = atol(optarg); break;
		case 'F': full_every = atol(optarg); break;
		case 'M': dev = optarg; break;
		case 'T': fstype = optarg; break;
		case 'r': remount_every = atol(optarg); break;
		case 'C': check_type = optarg; break;
		case 'm': maxsize = atol(optarg); break;
		case 'B': maxbytes = atol(optarg); break;
		case 'v': verbose = 1; break;
		default:
			fprintf(stderr, "usage: fsexer [-s SEED] [-n OPS] [-t N] [-S] [-8] [-a ALIGN] [-F FULL] "
					"[-M DEV [-T TYPE] [-r EVERY] [-C TYPE]] [-m MAXSIZE] [-B BYTES] [-v] ROOT\n");
			return 2;
		}
	}
	if (optind != argc - 1 || nthreads < 1 || nthreads > 9 || ((remount_every || check_type) && !dev)) {
		fprintf(stderr, "fsexer: bad arguments (see the source)\n");
		return 2;
	}
	if (dos83)
		use_shared = 0;
	if (nthreads == 1)
		use_shared = 0;
	root = argv[optind];
	c_quirks = !strcmp(fstype, "vfat") || !strcmp(fstype, "msdos");
	printf("fsexer: seed %" PRIu64 ", %ld operations x %d thread(s)%s, %s names, O_DIRECT %s%zu, on %s\n",
	       seed, nops, nthreads, use_shared ? " and a shared directory" : "", dos83 ? "8.3" : "long",
	       dalign ? "alignment " : "off", dalign, root);
	if (!statvfs(root, &sv))
		clsize = sv.f_bsize;
	if (use_shared) {
		mkdir_top("shared");
		shared = new_node("shared", 1);
		shared->loose = 1;
	}
	pthread_barrier_init(&barrier, NULL, nthreads);
	ctxs = calloc(nthreads, sizeof(*ctxs));
	for (i = 0; i < nthreads; i++) {
		struct ctx *c = &ctxs[i];
		char name[16];

		c->id = i;
		c->rng = seed + i;
		snprintf(name, sizeof(name), "t%d", i);
		snprintf(c->prefix, sizeof(c->prefix), "t%d ", i);
		mkdir_top(name);
		c->tops[c->ntops++] = new_node(name, 1);
		if (shared) {
			/* The thread's own view of the shared directory. */
			struct node *s = new_node("shared", 1);

			s->loose = 1;
			c->tops[c->ntops++] = s;
		}
		c->buf = malloc(maxsize + 65536);
		c->rbuf = malloc(maxsize + 65536);
		if (!c->buf || !c->rbuf || posix_memalign((void **)&c->abuf, 4096, 32 * 4096 + 4096)) {
			perror("malloc");
			return 2;
		}
	}
	for (i = 0; i < nthreads; i++)
		if (pthread_create(&ctxs[i].th, NULL, run, &ctxs[i])) {
			perror("pthread_create");
			return 2;
		}
	for (i = 0; i < nthreads; i++)
		pthread_join(ctxs[i].th, NULL);
	for (i = 0; i < nthreads; i++)
		close_all(&ctxs[i]);
	if (dev) {
		do_umount();
		do_mount(fstype, 0);
		for (i = 0; i < nthreads; i++) {
			for (o = 0; o < ctxs[i].ntops; o++)
				clear_extra(ctxs[i].tops[o]);
			ctxs[i].c_stale = 0;
			logop(&ctxs[i], "at the end, remounted: check the whole tree");
			check_all(&ctxs[i]);
		}
		if (check_type) {
			do_umount();
			do_mount(check_type, MS_RDONLY);
			clsize = 0; /* another driver may count st_blocks otherwise */
			if (!statvfs(root, &sv))
				clsize = sv.f_bsize;
			for (i = 0; i < nthreads; i++) {
				logop(&ctxs[i], "at the end, on %s: check the whole tree", check_type);
				check_all(&ctxs[i]);
			}
			do_umount();
			do_mount(fstype, 0);
		}
	}
	for (i = 0; i < nthreads; i++) {
		checks += ctxs[i].checks;
		ops += ctxs[i].op;
		idle += ctxs[i].idle;
	}
	printf("fsexer: ok, %ld operations (%ld of them found nothing to work on), %ld checks (seed %" PRIu64
	       ")\n", ops, idle, checks, seed);
	return 0;
}
