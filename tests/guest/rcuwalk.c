// SPDX-License-Identifier: GPL-2.0
/* rcuwalk: RCU path walks from a directory fd of a lazily unmounted
 * FAT mount while the last reference to that fd is closed (which shuts the
 * super block down): d_hash/d_compare run in RCU mode on dentries of a super
 * block whose kill_sb may be running concurrently.
 * Usage: rcuwalk DEV TYPE MNT SUBDIR COMPONENT CYCLES NWALKERS */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static char path[4096];
static atomic_int dfd = -1, go, stop;
static atomic_long walks;

static void *walker(void *arg)
{
	(void)arg;
	struct stat st;
	while (!atomic_load(&stop)) {
		while (!atomic_load(&go) && !atomic_load(&stop))
			;
		int fd = atomic_load(&dfd);
		if (fd < 0)
			continue;
		if (fstatat(fd, path, &st, 0) == 0)
			atomic_fetch_add(&walks, 1);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	if (argc < 8)
		return 2;
	const char *dev = argv[1], *type = argv[2], *mnt = argv[3], *sub = argv[4], *comp = argv[5];
	int cycles = atoi(argv[6]), nw = atoi(argv[7]);
	int n = 0;
	while (n + strlen(comp) + 5 < sizeof(path) - 1)
		n += sprintf(path + n, "%s/../", comp);
	path[n - 1] = 0;
	pthread_t t[64];
	for (int i = 0; i < nw; i++)
		pthread_create(&t[i], NULL, walker, NULL);
	char d[512];
	snprintf(d, sizeof(d), "%s/%s", mnt, sub);
	struct timespec ts0, ts1;
	clock_gettime(CLOCK_MONOTONIC, &ts0);
	for (int c = 0; c < cycles; c++) {
		if (mount(dev, mnt, type, MS_RDONLY, "")) {
			perror("mount");
			return 1;
		}
		int fd = open(d, O_RDONLY | O_DIRECTORY);
		if (fd < 0) {
			perror(d);
			return 1;
		}
		struct stat st;
		fstatat(fd, path, &st, 0); /* populate the dcache */
		if (umount2(mnt, MNT_DETACH)) {
			perror("umount2");
			return 1;
		}
		atomic_store(&dfd, fd);
		atomic_store(&go, 1);
		usleep(200 + rand() % 800);
		close(fd); /* the last reference: kill_sb runs on our way out */
		atomic_store(&dfd, -1);
		atomic_store(&go, 0);
	}
	atomic_store(&stop, 1);
	for (int i = 0; i < nw; i++)
		pthread_join(t[i], NULL);
	clock_gettime(CLOCK_MONOTONIC, &ts1);
	printf("rcuwalk: %d cycles, %ld walks, %ld s\n", cycles, atomic_load(&walks), (long)(ts1.tv_sec - ts0.tv_sec));
	return 0;
}
