// SPDX-License-Identifier: GPL-2.0
/*
 * powercut: the write workload of the power-cut scenarios (rw/13-*). It
 * runs until the VM is killed under it, and journals on stdout (the test
 * VM's output port) what the host may expect of the volume afterwards.
 *
 *   powercut SEED DIR TAG PATTERN
 *       Random operations (from SEED) on a volume mounted at DIR: creates,
 *       writes, appends, truncates, renames (also over another file and
 *       across directories), unlinks, mkdir of two directories, and
 *       fsyncs. A file's bytes are always PATTERN's, read cyclically from
 *       an offset, so "OFF LEN" describes a file completely. Journal lines,
 *       each written out to the serial port (tcdrain) before the tool goes
 *       on:
 *         PC TAG BUSY NAME          before anything changes NAME (create,
 *                                   write, truncate, rename from or to,
 *                                   unlink): from here on NAME may hold
 *                                   anything after a cut
 *         PC TAG SYNC NAME OFF LEN  after fsync of the file and of its
 *                                   directory (and, after a rename, of the
 *                                   old directory) returned: NAME must
 *                                   read back as those bytes after a cut
 *         PC TAG GONE NAME          after unlink (or a rename away) and
 *                                   fsync of the directory: NAME must not
 *                                   be there after a cut
 *         PC TAG DIR NAME           a directory made and fsynced, with its
 *                                   parent
 *         PC TAG START              the workload begins
 *       Each line ends with " ." (one cut short by the power cut does
 *       not). Names are relative to DIR. Never touches what DIR held before
 *       (except the directory OLD, in which it creates files). Exits 3
 *       after 60 s without being cut, 1 when an operation fails.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#define NAMES 40
#define DIRS 4
#define MAX_LEN (192 * 1024)

static const char *dirs[DIRS] = { "", "OLD", "SUB1", "Sub dir two" };
static const char *tag;
static const char *top;
static unsigned char *pattern;
static size_t plen;
static uint64_t rng;

struct file {
	int exists;
	size_t off, len;
};
static struct file files[DIRS][NAMES];

static uint64_t next(void)
{
	/* xorshift64* */
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 2685821657736338717ULL;
}

static unsigned int below(unsigned int n)
{
	return (unsigned int)(next() >> 33) % n;
}

static void die(const char *what, const char *name)
{
	printf("PC %s FAIL %s %s: %s .\n", tag, what, name, strerror(errno));
	fflush(stdout);
	exit(1);
}

/* One journal line, on the host before the tool goes on. */
static void journal(const char *fmt, ...)
{
	va_list ap;

	printf("PC %s ", tag);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	/* The end of a whole line: the cut may leave the last one short. */
	fputs(" .\n", stdout);
	fflush(stdout);
	/* The serial port: wait until the bytes have left it (QEMU has
	 * written them to the host before the transmitter reads empty). */
	tcdrain(STDOUT_FILENO);
}

/* The name of file k in directory d, relative to DIR. */
static void name_of(int d, int k, char *buf, size_t n)
{
	const char *sep = d ? "/" : "";

	if (k % 2)
		snprintf(buf, n, "%s%sFile %02d with a long name.dat", dirs[d], sep, k);
	else
		snprintf(buf, n, "%s%sF%02d.BIN", dirs[d], sep, k);
}

static void path_of(const char *name, char *buf, size_t n)
{
	snprintf(buf, n, "%s/%s", top, name);
}

static void fsync_path(const char *name, int dir)
{
	char p[512];
	int fd;

	path_of(name, p, sizeof(p));
	fd = open(p, dir ? O_RDONLY | O_DIRECTORY : O_RDONLY);
	if (fd < 0)
		die("open for fsync", p);
	if (fsync(fd))
		die("fsync", p);
	close(fd);
}

/* Writes LEN bytes of the pattern from OFF, at file position POS, in
 * chunks of random sizes. */
static void put(int fd, size_t off, size_t pos, size_t len, const char *p)
{
	while (len) {
		size_t n = 1 + below(8192), at = (off + pos) % plen;

		if (n > len)
			n = len;
		if (n > plen - at)
			n = plen - at;
		if (pwrite(fd, pattern + at, n, pos) != (ssize_t)n)
			die("write", p);
		pos += n;
		len -= n;
	}
}

/* fsync of the file and its directory, then the journal says so. */
static void sync_file(int d, int k)
{
	char name[256];

	name_of(d, k, name, sizeof(name));
	fsync_path(name, 0);
	fsync_path(dirs[d], 1);
	journal("SYNC %s %zu %zu", name, files[d][k].off, files[d][k].len);
}

static void one_op(void)
{
	int d = below(DIRS), k = below(NAMES);
	struct file *f = &files[d][k];
	char name[256], p[512];
	int fd;

	name_of(d, k, name, sizeof(name));
	path_of(name, p, sizeof(p));
	if (!f->exists) {
		/* Create. */
		journal("BUSY %s", name);
		f->off = below(plen);
		f->len = below(4) ? below(MAX_LEN / 4) : below(MAX_LEN);
		fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd < 0)
			die("create", p);
		put(fd, f->off, 0, f->len, p);
		close(fd);
		f->exists = 1;
		if (below(2))
			sync_file(d, k);
		return;
	}
	switch (below(10)) {
	case 0:
	case 1: {
		/* Append. */
		size_t more = below(MAX_LEN / 4);

		if (f->len + more > MAX_LEN)
			more = 0;
		journal("BUSY %s", name);
		fd = open(p, O_WRONLY | O_APPEND);
		if (fd < 0)
			die("open for append", p);
		put(fd, f->off, f->len, more, p);
		close(fd);
		f->len += more;
		break;
	}
	case 2:
		/* Truncate down. */
		journal("BUSY %s", name);
		f->len = f->len ? below(f->len) : 0;
		if (truncate(p, f->len))
			die("truncate", p);
		break;
	case 3:
	case 4:
	case 5:
		sync_file(d, k);
		break;
	case 6:
	case 7: {
		/* Rename, maybe over another file, maybe across directories. */
		int d2 = below(DIRS), k2 = below(NAMES);
		char name2[256], p2[512];

		if (d2 == d && k2 == k)
			return;
		name_of(d2, k2, name2, sizeof(name2));
		path_of(name2, p2, sizeof(p2));
		journal("BUSY %s", name);
		journal("BUSY %s", name2);
		if (rename(p, p2))
			die("rename", p);
		files[d2][k2] = *f;
		f->exists = 0;
		if (below(2)) {
			fsync_path(name2, 0);
			fsync_path(dirs[d2], 1);
			if (d2 != d)
				fsync_path(dirs[d], 1);
			journal("SYNC %s %zu %zu", name2, files[d2][k2].off, files[d2][k2].len);
			journal("GONE %s", name);
		}
		break;
	}
	default:
		/* Unlink. */
		journal("BUSY %s", name);
		if (unlink(p))
			die("unlink", p);
		f->exists = 0;
		if (below(2)) {
			fsync_path(dirs[d], 1);
			journal("GONE %s", name);
		}
		break;
	}
}

int main(int argc, char **argv)
{
	struct timespec t0, t;
	struct stat st;
	FILE *pf;
	int d;

	if (argc != 5) {
		fprintf(stderr, "usage: powercut SEED DIR TAG PATTERN\n");
		return 2;
	}
	rng = strtoull(argv[1], NULL, 0) * 0x9e3779b97f4a7c15ULL + 1;
	top = argv[2];
	tag = argv[3];
	pf = fopen(argv[4], "rb");
	if (!pf || stat(argv[4], &st) || st.st_size <= 0)
		die("open", argv[4]);
	plen = st.st_size;
	pattern = malloc(plen);
	if (!pattern || fread(pattern, 1, plen, pf) != plen)
		die("read", argv[4]);
	fclose(pf);
	journal("START");
	for (d = 2; d < DIRS; d++) {
		char p[512];

		path_of(dirs[d], p, sizeof(p));
		if (mkdir(p, 0755))
			die("mkdir", p);
		fsync_path(dirs[d], 1);
		fsync_path("", 1);
		journal("DIR %s", dirs[d]);
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		one_op();
		clock_gettime(CLOCK_MONOTONIC, &t);
		if (t.tv_sec - t0.tv_sec > 60) {
			journal("NOT-CUT");
			return 3;
		}
	}
}
