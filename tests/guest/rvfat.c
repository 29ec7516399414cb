// SPDX-License-Identifier: GPL-2.0
/*
 * rvfat: drives /dev/rust_vfat from the bench VM and reports what the
 * kernel answered, by errno name.
 *
 *   rvfat list IMAGE...           one line per image: "<image> OK <lines>" or
 *                                 "<image> <ERRNO>" (write or read error)
 *   rvfat stress N SEED IMAGE...  N images mutated from IMAGEs (bit flips,
 *                                 truncations, splices), each written and read
 *                                 back; prints a count per outcome; exits 1 on
 *                                 an errno rust_vfat never returns
 *   rvfat parallel K IMAGE        K processes at once, each its own opener,
 *                                 listing IMAGE 20 times; all must agree
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define DEV "/dev/rust_vfat"

static const char *errname(int e)
{
	switch (e) {
	case 0: return "OK";
	case EINVAL: return "EINVAL";
	case EUCLEAN: return "EUCLEAN";
	case ELOOP: return "ELOOP";
	case EILSEQ: return "EILSEQ";
	case EFBIG: return "EFBIG";
	case ENODATA: return "ENODATA";
	case ENAMETOOLONG: return "ENAMETOOLONG";
	case ENOMEM: return "ENOMEM";
	default: return NULL;
	}
}

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

/* Writes `img` to a fresh opener and reads the listing; returns 0 or errno.
 * `out`, if given, receives the listing (caller frees). */
static int run(const unsigned char *img, size_t len, char **out, size_t *outlen)
{
	size_t done = 0, cap = 1 << 16, n = 0;
	char *buf;
	ssize_t r;
	int fd = open(DEV, O_RDWR), e;

	if (fd < 0)
		return errno;
	while (done < len) {
		size_t chunk = len - done > (1 << 20) ? (1 << 20) : len - done;

		r = write(fd, img + done, chunk);
		if (r < 0) {
			e = errno;
			close(fd);
			return e;
		}
		done += r;
	}
	buf = malloc(cap);
	for (;;) {
		if (n == cap)
			buf = realloc(buf, cap *= 2);
		r = read(fd, buf + n, cap - n);
		if (r < 0) {
			e = errno;
			free(buf);
			close(fd);
			return e;
		}
		if (r == 0)
			break;
		n += r;
	}
	close(fd);
	if (out) {
		*out = buf;
		*outlen = n;
	} else {
		free(buf);
	}
	return 0;
}

static unsigned long long rng = 88172645463325252ULL;
static unsigned long long next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

int main(int argc, char **argv)
{
	if (argc >= 3 && !strcmp(argv[1], "list")) {
		for (int i = 2; i < argc; i++) {
			size_t len, outlen = 0;
			unsigned char *img = slurp(argv[i], &len);
			char *out = NULL;
			int e = run(img, len, &out, &outlen);
			int lines = 0;

			for (size_t k = 0; k < outlen; k++)
				lines += out[k] == '\n';
			if (e)
				printf("%s %s\n", argv[i], errname(e) ? errname(e) : strerror(e));
			else
				printf("%s OK %d\n", argv[i], lines);
			free(out);
			free(img);
		}
		return 0;
	}
	if (argc >= 5 && !strcmp(argv[1], "stress")) {
		int n = atoi(argv[2]), nimg = argc - 4, counts[128] = { 0 }, bad = 0;
		unsigned char **imgs = calloc(nimg, sizeof(*imgs));
		size_t *lens = calloc(nimg, sizeof(*lens));

		rng ^= strtoull(argv[3], NULL, 0) * 0x9e3779b97f4a7c15ULL;
		for (int i = 0; i < nimg; i++)
			imgs[i] = slurp(argv[4 + i], &lens[i]);
		for (int i = 0; i < n; i++) {
			int k = next() % nimg, e;
			size_t len = lens[k];
			unsigned char *m = malloc(len);

			memcpy(m, imgs[k], len);
			switch (next() % 4) {
			case 0: /* bit flips, concentrated in the metadata */
				for (int f = 1 + next() % 16; f; f--) {
					size_t at = next() % (len < 65536 ? len : 65536);
					m[at] ^= 1 << (next() % 8);
				}
				break;
			case 1: /* truncation */
				len = next() % len;
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
			e = run(m, len, NULL, NULL);
			free(m);
			if (e == 0 && len == 0)
				e = -1;
			if (e > 0 && !errname(e)) {
				printf("unexpected errno %d (%s) for mutation %d\n", e, strerror(e), i);
				bad = 1;
			}
			counts[e < 0 ? 127 : e < 127 ? e : 126]++;
		}
		for (int e = 0; e < 128; e++)
			if (counts[e])
				printf("%s: %d\n", e == 127 ? "EMPTY" : errname(e) ? errname(e) : "other", counts[e]);
		return bad;
	}
	if (argc == 4 && !strcmp(argv[1], "parallel")) {
		int k = atoi(argv[2]), failed = 0;
		size_t len;
		unsigned char *img = slurp(argv[3], &len);
		char *ref = NULL;
		size_t reflen;

		if (run(img, len, &ref, &reflen)) {
			printf("reference listing failed\n");
			return 1;
		}
		for (int i = 0; i < k; i++) {
			if (fork() == 0) {
				for (int j = 0; j < 20; j++) {
					char *out;
					size_t outlen;
					int e = run(img, len, &out, &outlen);

					if (e || outlen != reflen || memcmp(out, ref, reflen))
						_exit(1);
					free(out);
				}
				_exit(0);
			}
		}
		for (int i = 0; i < k; i++) {
			int st;

			wait(&st);
			failed += !WIFEXITED(st) || WEXITSTATUS(st);
		}
		printf("%d openers, %d disagreed or failed\n", k, failed);
		return failed != 0;
	}
	fprintf(stderr, "usage: rvfat list IMAGE... | stress N SEED IMAGE... | parallel K IMAGE\n");
	return 2;
}
