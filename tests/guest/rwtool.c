// SPDX-License-Identifier: GPL-2.0
/*
 * rwtool: the write-side system calls busybox has no command for, for the
 * rw/ scenarios.
 *
 *   rwtool exchange A B      renameat2(A, B, RENAME_EXCHANGE)
 *   rwtool noreplace A B     renameat2(A, B, RENAME_NOREPLACE)
 *   rwtool mmapwrite F OFF S writes string S at offset OFF of file F
 *                            through a shared writable mapping, msync()s
 *   rwtool fsync F           fsync(F), then fdatasync(F)
 *   rwtool as UID GID CMD... runs rwtool CMD... as user UID of group GID
 *                            (no supplementary groups)
 *   rwtool truncate F SIZE   truncate(F, SIZE): by path, so the VFS asks for
 *                            no time update (ftruncate and O_TRUNC do)
 *   rwtool getattr F         FAT_IOCTL_GET_ATTRIBUTES: prints "attr 0xNN"
 *   rwtool setattr F VAL     FAT_IOCTL_SET_ATTRIBUTES with VAL (0x.. or decimal)
 *   rwtool volid F           FAT_IOCTL_GET_VOLUME_ID: prints "volume id 0xNNNNNNNN"
 *   rwtool readdir D short|both
 *                            VFAT_IOCTL_READDIR_SHORT/BOTH until the end:
 *                            one line per entry, "8.3-name [long-name]"
 *   rwtool fallocate F keep|grow|punch OFF LEN
 *                            fallocate(F) with FALLOC_FL_KEEP_SIZE, 0 or
 *                            FALLOC_FL_PUNCH_HOLE
 *   rwtool utimens F AS ANS MS MNS
 *                            utimensat(F): access time AS.ANS, modification
 *                            time MS.MNS (seconds, nanoseconds)
 *   rwtool times F           prints "atime S.N mtime S.N ctime S.N" of F
 *                            (nanoseconds, which busybox's stat does not show)
 *   rwtool fsuuid F          FS_IOC_GETFSUUID on F's file system: prints
 *                            "uuid N HEX" (N bytes)
 *   rwtool lease F           F_SETLEASE F_RDLCK on F opened read-only, then
 *                            prints "lease N" (F_GETLEASE) and lets it go
 *   rwtool fileattr F        FS_IOC_GETFLAGS and FS_IOC_FSGETXATTR on F: prints
 *                            "flags 0xN xflags 0xN"
 *   rwtool fibmap F N        FIBMAP of blocks 0 to N-1 of F: prints "fibmap"
 *                            and the N device block numbers (0: none)
 *   rwtool fibmaprace F S    for S seconds, one thread maps every block of F
 *                            with FIBMAP while another truncates F to 0
 *                            and writes it to 256 KiB again: prints the
 *                            rounds of each, exits 1 on a failed call
 *   rwtool handles M F D     file handles on the mount at M: F's handle
 *                            (name_to_handle_at) opened again
 *                            (open_by_handle_at); then D's, after the
 *                            dentry cache was dropped while an inotify
 *                            watch keeps D's inode in memory, so that the
 *                            kernel must reconnect it through its parents.
 *                            One line each: the handle's type and length
 *                            and "same inode", or the failure; last, F
 *                            removed and its handle opened: "Stale file
 *                            handle" expected
 *   rwtool inos D            every entry of D but . and ..: its d_ino from
 *                            getdents against st_ino from lstat, one line
 *                            "NAME D_INO ST_INO" for each that differs;
 *                            exits 1 if any does
 *   rwtool flushbut DEV NAME...
 *                            a write-back cut short: writes every dirty
 *                            block of the block device DEV back
 *                            (sync_file_range) but those in the 64 KiB
 *                            around each deleted 8.3 entry NAME (its 11
 *                            bytes as on the disk; in the cache the first
 *                            is 0xE5), which must be there once; prints
 *                            "held NAME OFFSET" for each
 *
 * Prints nothing on success; on failure the errno name's text and exits 1.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/falloc.h>
#include <linux/fs.h>
#include <linux/msdos_fs.h>
#include <stdio.h>
#include <stdlib.h>
#include <pthread.h>
#include <string.h>
#include <time.h>
#include <grp.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>


/* FS_IOC_GETFSUUID (Linux 6.5), newer than the headers tools build with. */
struct fsuuid2 {
	unsigned char len;
	unsigned char uuid[16];
};
#define RWTOOL_GETFSUUID _IOR(0x15, 0, struct fsuuid2)

#ifndef RENAME_NOREPLACE
#define RENAME_NOREPLACE (1 << 0)
#endif
#ifndef RENAME_EXCHANGE
#define RENAME_EXCHANGE (1 << 1)
#endif

static int fail(const char *what)
{
	printf("%s: %s\n", what, strerror(errno));
	return 1;
}

/* fibmaprace: what both threads share. */
struct race {
	int fd;
	time_t end;
	long rounds;
	/* Set by either thread, read by both. */
	_Atomic int failed;
};

static void *fibmap_loop(void *arg)
{
	struct race *r = arg;

	while (time(NULL) < r->end && !r->failed) {
		for (int i = 0; i < 512; i++) {
			int block = i;

			if (ioctl(r->fd, FIBMAP, &block)) {
				perror("FIBMAP");
				r->failed = 1;
				break;
			}
		}
		r->rounds++;
	}
	return NULL;
}

/* handles: one path's handle, opened again; prints what came of it. */
static int handle_round_trip(int mount_fd, const char *what, const char *path,
			     int flags, int drop)
{
	struct {
		struct file_handle fh;
		unsigned char bytes[MAX_HANDLE_SZ];
	} h;
	struct stat before, after;
	int mount_id, fd;

	h.fh.handle_bytes = MAX_HANDLE_SZ;
	if (stat(path, &before))
		return fail("stat");
	if (name_to_handle_at(AT_FDCWD, path, &h.fh, &mount_id, 0)) {
		printf("%s: name_to_handle_at: %s\n", what, strerror(errno));
		return 1;
	}
	if (drop == 2) {
		/* Removed: its handle is stale. */
		if (unlink(path))
			return fail("unlink");
		fd = open_by_handle_at(mount_fd, &h.fh, flags);
		printf("%s: %s\n", what, fd < 0 ? strerror(errno) : "opened");
		return fd >= 0 || errno != ESTALE;
	}
	if (drop) {
		int wd = inotify_init();
		int dc = open("/proc/sys/vm/drop_caches", O_WRONLY);

		if (wd < 0 || inotify_add_watch(wd, path, IN_ATTRIB) < 0)
			return fail("inotify");
		if (dc < 0 || write(dc, "2", 1) != 1)
			return fail("drop_caches");
		close(dc);
	}
	fd = open_by_handle_at(mount_fd, &h.fh, flags);
	if (fd < 0) {
		printf("%s: type 0x%x, %u bytes: open_by_handle_at: %s\n", what,
		       h.fh.handle_type, h.fh.handle_bytes, strerror(errno));
		return 1;
	}
	if (fstat(fd, &after))
		return fail("fstat");
	printf("%s: type 0x%x, %u bytes: %s\n", what, h.fh.handle_type,
	       h.fh.handle_bytes,
	       after.st_ino == before.st_ino ? "same inode" : "another inode");
	close(fd);
	return after.st_ino != before.st_ino;
}

/* The 64 KiB of a block device that flushbut leaves dirty around an entry. */
#define HOLD (64 * 1024)

static int cmp_off(const void *a, const void *b)
{
	off_t x = *(const off_t *)a, y = *(const off_t *)b;

	return x < y ? -1 : x > y;
}

static int flush_but(const char *dev, int n, char **names)
{
	unsigned int how = SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WRITE |
			   SYNC_FILE_RANGE_WAIT_AFTER;
	static unsigned char buf[HOLD];
	off_t held[16], size, pos, from;
	int fd = open(dev, O_RDONLY), i, found[16] = { 0 };
	ssize_t got;

	if (fd < 0)
		return fail("open");
	if (n > 16) {
		printf("flushbut: at most 16 names\n");
		return 1;
	}
	for (i = 0; i < n; i++)
		if (strlen(names[i]) != 11) {
			printf("%s: not the 11 bytes of an 8.3 entry\n", names[i]);
			return 1;
		}
	size = lseek(fd, 0, SEEK_END);
	/* Read through the page cache: the file system's buffers are there. */
	for (pos = 0; pos < size; pos += got) {
		got = pread(fd, buf, sizeof(buf), pos);
		if (got <= 0)
			return fail("pread");
		for (ssize_t e = 0; e + 32 <= got; e += 32)
			for (i = 0; i < n; i++)
				if (buf[e] == 0xe5 && !memcmp(buf + e + 1, names[i] + 1, 10)) {
					held[i] = pos + e;
					found[i]++;
				}
	}
	for (i = 0; i < n; i++) {
		if (found[i] != 1) {
			printf("%s: %d deleted entries of that name\n", names[i], found[i]);
			return 1;
		}
		printf("held %s %lld\n", names[i], (long long)held[i]);
		held[i] &= ~(off_t)(HOLD - 1);
	}
	qsort(held, n, sizeof(held[0]), cmp_off);
	for (from = 0, i = 0; i < n; i++) {
		if (held[i] > from && sync_file_range(fd, from, held[i] - from, how))
			return fail("sync_file_range");
		if (held[i] + HOLD > from)
			from = held[i] + HOLD;
	}
	if (from < size && sync_file_range(fd, from, size - from, how))
		return fail("sync_file_range");
	close(fd);
	return 0;
}

static int rename2(const char *a, const char *b, unsigned int flags)
{
	if (syscall(SYS_renameat2, AT_FDCWD, a, AT_FDCWD, b, flags))
		return fail("renameat2");
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 4 && !strcmp(argv[1], "exchange"))
		return rename2(argv[2], argv[3], RENAME_EXCHANGE);
	if (argc == 4 && !strcmp(argv[1], "noreplace"))
		return rename2(argv[2], argv[3], RENAME_NOREPLACE);
	if (argc > 4 && !strcmp(argv[1], "as")) {
		if (setgroups(0, NULL) || setgid(atoi(argv[3])) || setuid(atoi(argv[2])))
			return fail("as");
		argv[3] = argv[0];
		return main(argc - 3, argv + 3);
	}
	if (argc == 4 && !strcmp(argv[1], "truncate"))
		return truncate(argv[2], strtoll(argv[3], NULL, 0)) ? fail("truncate") : 0;
	if (argc == 5 && !strcmp(argv[1], "mmapwrite")) {
		long off = atol(argv[3]);
		size_t len = strlen(argv[4]);
		long page = sysconf(_SC_PAGESIZE);
		long base = off & ~(page - 1);
		int fd = open(argv[2], O_RDWR);
		char *m;

		if (fd < 0)
			return fail("open");
		m = mmap(NULL, off - base + len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, base);
		if (m == MAP_FAILED)
			return fail("mmap");
		memcpy(m + (off - base), argv[4], len);
		if (msync(m, off - base + len, MS_SYNC))
			return fail("msync");
		munmap(m, off - base + len);
		close(fd);
		return 0;
	}
	if (argc == 3 && !strcmp(argv[1], "fsync")) {
		int fd = open(argv[2], O_RDWR);

		if (fd < 0)
			return fail("open");
		if (fsync(fd))
			return fail("fsync");
		if (fdatasync(fd))
			return fail("fdatasync");
		close(fd);
		return 0;
	}
	if ((argc == 3 && (!strcmp(argv[1], "getattr") || !strcmp(argv[1], "volid"))) ||
	    (argc == 4 && !strcmp(argv[1], "setattr"))) {
		int fd = open(argv[2], O_RDONLY);
		unsigned int v = argc == 4 ? strtoul(argv[3], NULL, 0) : 0;

		if (fd < 0)
			return fail("open");
		if (!strcmp(argv[1], "getattr")) {
			if (ioctl(fd, FAT_IOCTL_GET_ATTRIBUTES, &v))
				return fail("FAT_IOCTL_GET_ATTRIBUTES");
			printf("attr 0x%02x\n", v);
		} else if (!strcmp(argv[1], "volid")) {
			if (ioctl(fd, FAT_IOCTL_GET_VOLUME_ID, &v))
				return fail("FAT_IOCTL_GET_VOLUME_ID");
			printf("volume id 0x%08x\n", v);
		} else if (ioctl(fd, FAT_IOCTL_SET_ATTRIBUTES, &v)) {
			return fail("FAT_IOCTL_SET_ATTRIBUTES");
		}
		close(fd);
		return 0;
	}
	if (argc == 4 && !strcmp(argv[1], "readdir")) {
		struct __fat_dirent d[2];
		int fd = open(argv[2], O_RDONLY | O_DIRECTORY);
		unsigned long cmd = strcmp(argv[3], "short") ? VFAT_IOCTL_READDIR_BOTH :
							       VFAT_IOCTL_READDIR_SHORT;
		int r;

		if (fd < 0)
			return fail("open");
		for (;;) {
			memset(d, 0x55, sizeof(d));
			r = ioctl(fd, cmd, d);
			if (r < 0)
				return fail("VFAT_IOCTL_READDIR");
			if (r == 0 || d[0].d_reclen == 0)
				break;
			printf("%s [%s] %u %u\n", d[0].d_name, d[1].d_name, d[0].d_reclen,
			       d[1].d_reclen);
		}
		printf("end: %d\n", r);
		close(fd);
		return 0;
	}
	if (argc == 7 && !strcmp(argv[1], "utimens")) {
		struct timespec ts[2] = {
			{ strtoll(argv[3], NULL, 0), strtol(argv[4], NULL, 0) },
			{ strtoll(argv[5], NULL, 0), strtol(argv[6], NULL, 0) },
		};

		return utimensat(AT_FDCWD, argv[2], ts, 0) ? fail("utimensat") : 0;
	}
	if (argc == 3 && !strcmp(argv[1], "times")) {
		struct stat st;

		if (stat(argv[2], &st))
			return fail("stat");
		printf("atime %lld.%09ld mtime %lld.%09ld ctime %lld.%09ld\n",
		       (long long)st.st_atim.tv_sec, st.st_atim.tv_nsec,
		       (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec,
		       (long long)st.st_ctim.tv_sec, st.st_ctim.tv_nsec);
		return 0;
	}
	if (argc == 6 && !strcmp(argv[1], "fallocate")) {
		int fd = open(argv[2], O_RDWR);
		int mode = !strcmp(argv[3], "keep") ? FALLOC_FL_KEEP_SIZE :
			   !strcmp(argv[3], "punch") ? FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE : 0;

		if (fd < 0)
			return fail("open");
		if (fallocate(fd, mode, atol(argv[4]), atol(argv[5])))
			return fail("fallocate");
		close(fd);
		return 0;
	}
	if (argc == 3 && !strcmp(argv[1], "fsuuid")) {
		struct fsuuid2 u = { 0 };
		int fd = open(argv[2], O_RDONLY);

		if (fd < 0)
			return fail("open");
		if (ioctl(fd, RWTOOL_GETFSUUID, &u))
			return fail("FS_IOC_GETFSUUID");
		printf("uuid %u ", u.len);
		for (int i = 0; i < u.len && i < 16; i++)
			printf("%02x", u.uuid[i]);
		printf("\n");
		close(fd);
		return 0;
	}
	if (argc == 3 && !strcmp(argv[1], "lease")) {
		int fd = open(argv[2], O_RDONLY);

		if (fd < 0)
			return fail("open");
		if (fcntl(fd, F_SETLEASE, F_RDLCK))
			return fail("F_SETLEASE");
		printf("lease %d\n", fcntl(fd, F_GETLEASE));
		if (fcntl(fd, F_SETLEASE, F_UNLCK))
			return fail("F_SETLEASE F_UNLCK");
		close(fd);
		return 0;
	}
	if (argc == 3 && !strcmp(argv[1], "fileattr")) {
		int fd = open(argv[2], O_RDONLY);
		struct fsxattr fsx;
		int flags;

		if (fd < 0)
			return fail("open");
		if (ioctl(fd, FS_IOC_GETFLAGS, &flags))
			return fail("FS_IOC_GETFLAGS");
		if (ioctl(fd, FS_IOC_FSGETXATTR, &fsx))
			return fail("FS_IOC_FSGETXATTR");
		printf("flags 0x%x xflags 0x%x\n", flags, fsx.fsx_xflags);
		close(fd);
		return 0;
	}
	if (argc == 4 && !strcmp(argv[1], "fibmap")) {
		int fd = open(argv[2], O_RDONLY);
		int n = atoi(argv[3]);

		if (fd < 0)
			return fail("open");
		printf("fibmap");
		for (int i = 0; i < n; i++) {
			int block = i;

			if (ioctl(fd, FIBMAP, &block))
				return fail("\nFIBMAP");
			printf(" %d", block);
		}
		printf("\n");
		close(fd);
		return 0;
	}
	if (argc == 4 && !strcmp(argv[1], "fibmaprace")) {
		static char buf[262144];
		struct race r = { .end = time(NULL) + atoi(argv[3]) };
		pthread_t t;
		long writes = 0;

		memset(buf, 'f', sizeof(buf));
		r.fd = open(argv[2], O_RDWR | O_CREAT, 0644);
		if (r.fd < 0)
			return fail("open");
		if (pthread_create(&t, NULL, fibmap_loop, &r))
			return fail("pthread_create");
		while (time(NULL) < r.end && !r.failed) {
			if (ftruncate(r.fd, 0) ||
			    pwrite(r.fd, buf, sizeof(buf), 0) != sizeof(buf)) {
				perror("truncate and write");
				r.failed = 1;
			}
			writes++;
		}
		pthread_join(t, NULL);
		printf("fibmap rounds %ld, truncate and write rounds %ld\n",
		       r.rounds, writes);
		close(r.fd);
		return r.failed;
	}
	if (argc == 5 && !strcmp(argv[1], "handles")) {
		int m = open(argv[2], O_RDONLY | O_DIRECTORY);
		int r;

		if (m < 0)
			return fail("open");
		r = handle_round_trip(m, "file", argv[3], O_RDONLY, 0);
		r |= handle_round_trip(m, "directory, reconnected", argv[4],
				       O_RDONLY | O_DIRECTORY, 1);
		r |= handle_round_trip(m, "file removed", argv[3], O_RDONLY, 2);
		return r;
	}
	if (argc == 3 && !strcmp(argv[1], "inos")) {
		DIR *d = opendir(argv[2]);
		struct dirent *e;
		struct stat st;
		int differ = 0;

		if (!d)
			return fail("opendir");
		while ((errno = 0, e = readdir(d))) {
			if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
				continue;
			if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW))
				return fail("fstatat");
			if (st.st_ino != e->d_ino) {
				printf("%s %llu %llu\n", e->d_name,
				       (unsigned long long)e->d_ino,
				       (unsigned long long)st.st_ino);
				differ = 1;
			}
		}
		if (errno)
			return fail("readdir");
		closedir(d);
		return differ;
	}
	if (argc >= 4 && !strcmp(argv[1], "flushbut"))
		return flush_but(argv[2], argc - 3, argv + 3);
	fprintf(stderr, "usage: rwtool exchange|noreplace A B | mmapwrite F OFF S | fsync F | fallocate F keep|grow|punch OFF LEN | getattr F | setattr F VAL | volid F | readdir D short|both | lease F | fsuuid F | fileattr F | fibmap F N | fibmaprace F S | handles M F D | inos D | flushbut DEV NAME...\n");
	return 2;
}
