// SPDX-License-Identifier: GPL-2.0
/*
 * dirseek DIR OFFSET...: for each offset, opens DIR, lseeks there, reads
 * entries with getdents64 until the end and prints
 * "<offset>: <lseek result or errno> <entries read or errno> pos <position after>".
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	char buf[32768];

	if (argc < 3)
		return 2;
	for (int i = 2; i < argc; i++) {
		long long off = strtoll(argv[i], NULL, 0);
		int fd = open(argv[1], O_RDONLY | O_DIRECTORY);
		if (fd < 0) {
			printf("%s: open %s\n", argv[i], strerrorname_np(errno));
			return 1;
		}
		printf("%lld: ", off);
		if (lseek(fd, off, SEEK_SET) < 0) {
			printf("lseek %s\n", strerrorname_np(errno));
			close(fd);
			continue;
		}
		int n, total = 0;
		while ((n = syscall(SYS_getdents64, fd, buf, sizeof(buf))) > 0)
			for (int p = 0; p < n; p += *(unsigned short *)(buf + p + 16))
				total++;
		if (n < 0)
			printf("getdents %s", strerrorname_np(errno));
		else
			printf("%d entries", total);
		printf(" pos %lld\n", (long long)lseek(fd, 0, SEEK_CUR));
		close(fd);
	}
	return 0;
}
