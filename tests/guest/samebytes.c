// SPDX-License-Identifier: GPL-2.0
/*
 * samebytes: compares standard input with a file, byte for byte.
 *
 *   samebytes FILE     exit 0 when standard input holds exactly FILE's
 *                      bytes; else prints the first differing offset (or
 *                      which side is shorter) and exits 1
 *
 * For the scenarios that read data back from a disk and already hold the
 * expected bytes in the guest: under TCG, SHA-256 of both sides costs about
 * 80 ms of CPU per MiB in busybox (and busybox cmp, reading a byte at a
 * time, more), a memcmp of 64 KiB blocks a small part of that.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define BLOCK 65536

/* Reads up to len bytes, fewer only at the end of the input. */
static ssize_t read_full(int fd, char *buf, size_t len)
{
	size_t got = 0;

	while (got < len) {
		ssize_t n = read(fd, buf + got, len - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			break;
		got += n;
	}
	return got;
}

int main(int argc, char **argv)
{
	static char a[BLOCK], b[BLOCK];
	unsigned long long off = 0;
	int fd;

	if (argc != 2) {
		fprintf(stderr, "usage: samebytes FILE <DATA\n");
		return 2;
	}
	fd = open(argv[1], O_RDONLY);
	if (fd < 0) {
		fprintf(stderr, "samebytes: %s: %s\n", argv[1], strerror(errno));
		return 2;
	}
	for (;;) {
		ssize_t na = read_full(0, a, BLOCK);
		ssize_t nb = read_full(fd, b, BLOCK);
		ssize_t n = na < nb ? na : nb;

		if (na < 0 || nb < 0) {
			fprintf(stderr, "samebytes: read: %s\n", strerror(errno));
			return 2;
		}
		if (memcmp(a, b, n)) {
			ssize_t i = 0;

			while (a[i] == b[i])
				i++;
			printf("samebytes: differs at byte %llu\n", off + i);
			return 1;
		}
		if (na != nb) {
			printf("samebytes: %s ends at byte %llu\n",
			       na < nb ? "the input" : argv[1], off + n);
			return 1;
		}
		if (na == 0)
			return 0;
		off += n;
	}
}
