// SPDX-License-Identifier: GPL-2.0
/*
 * failnth: one system call with its N-th fault-injection point failed
 * (Documentation/fault-injection/fault-injection.rst, "fail-nth"), for
 * the debug kernel's fault-injection scenario.
 *
 *   failnth N OP ARGS...
 *
 * Writes N to /proc/thread-self/fail-nth, makes the call, and reads the
 * count back: 0 means the N-th point was reached and failed. Only points
 * the kernel's filters let through count (the stack trace filter: the
 * allocations made from one module's code). Prints one line,
 * "<result> injected|not-reached", where <result> is "ok" or the errno's
 * name; exits 0 (2 on a usage error, 1 if fail-nth cannot be used).
 *
 * OP:
 *   mount SRC DIR TYPE     mount(2) without options
 *   umount DIR             umount(2)
 *   create F               open(F, O_CREAT | O_EXCL | O_WRONLY)
 *   write F BYTES          opens F (O_WRONLY | O_APPEND), writes BYTES
 *                          bytes in one write(2), fsync(2)s it
 *   truncate F SIZE        truncate(2)
 *   mkdir D                mkdir(2)
 *   rmdir D                rmdir(2)
 *   unlink F               unlink(2)
 *   rename A B             rename(2)
 *   readdir D              getdents64(2) until the end
 *   stat F                 stat(2)
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

static int set_nth(const char *n)
{
	int fd = open("/proc/thread-self/fail-nth", O_RDWR);

	if (fd < 0 || write(fd, n, strlen(n)) != (ssize_t)strlen(n)) {
		perror("failnth: /proc/thread-self/fail-nth (a kernel with CONFIG_FAULT_INJECTION?)");
		exit(1);
	}
	return fd;
}

static int left(int fd)
{
	char buf[32] = "";

	if (pread(fd, buf, sizeof(buf) - 1, 0) < 0) {
		perror("failnth: reading fail-nth");
		exit(1);
	}
	return atoi(buf);
}

/* The call; 0 or an errno. Every buffer is set up before fail-nth. */
static int call(int argc, char **argv, char *buf, size_t size)
{
	const char *op = argv[0];
	int fd, r;

	if (argc == 4 && !strcmp(op, "mount"))
		return mount(argv[1], argv[2], argv[3], 0, NULL) ? errno : 0;
	if (argc == 2 && !strcmp(op, "umount"))
		return umount(argv[1]) ? errno : 0;
	if (argc == 2 && !strcmp(op, "create")) {
		fd = open(argv[1], O_CREAT | O_EXCL | O_WRONLY, 0644);
		if (fd < 0)
			return errno;
		close(fd);
		return 0;
	}
	if (argc == 3 && !strcmp(op, "write")) {
		fd = open(argv[1], O_WRONLY | O_APPEND);
		if (fd < 0)
			return errno;
		r = write(fd, buf, size) == (ssize_t)size ? 0 : errno ? errno : EIO;
		if (!r && fsync(fd))
			r = errno;
		close(fd);
		return r;
	}
	if (argc == 3 && !strcmp(op, "truncate"))
		return truncate(argv[1], atoll(argv[2])) ? errno : 0;
	if (argc == 2 && !strcmp(op, "mkdir"))
		return mkdir(argv[1], 0755) ? errno : 0;
	if (argc == 2 && !strcmp(op, "rmdir"))
		return rmdir(argv[1]) ? errno : 0;
	if (argc == 2 && !strcmp(op, "unlink"))
		return unlink(argv[1]) ? errno : 0;
	if (argc == 3 && !strcmp(op, "rename"))
		return rename(argv[1], argv[2]) ? errno : 0;
	if (argc == 2 && !strcmp(op, "readdir")) {
		fd = open(argv[1], O_RDONLY | O_DIRECTORY);
		if (fd < 0)
			return errno;
		do
			r = syscall(SYS_getdents64, fd, buf, size);
		while (r > 0);
		r = r < 0 ? errno : 0;
		close(fd);
		return r;
	}
	if (argc == 2 && !strcmp(op, "stat")) {
		struct stat st;

		return stat(argv[1], &st) ? errno : 0;
	}
	return -1;
}

int main(int argc, char **argv)
{
	size_t size = 65536;
	char *buf;
	int fd, r, n;

	if (argc < 3) {
		fprintf(stderr, "usage: failnth N OP ARGS... (see the source)\n");
		return 2;
	}
	if (argc == 5 && !strcmp(argv[2], "write"))
		size = strtoul(argv[4], NULL, 0);
	buf = malloc(size ? size : 1);
	if (!buf)
		return 1;
	memset(buf, 'f', size);
	fd = set_nth(argv[1]);
	r = call(argc - 2, argv + 2, buf, size);
	if (r < 0) {
		fprintf(stderr, "failnth: unknown operation or arguments: %s\n", argv[2]);
		return 2;
	}
	n = left(fd);
	/* Nothing later in this process may be failed. */
	if (pwrite(fd, "0", 1, 0) != 1)
		return 1;
	printf("%s %s\n", r ? strerrorname_np(r) : "ok", n ? "not-reached" : "injected");
	return 0;
}
