// SPDX-License-Identifier: GPL-2.0
/*
 * fatls: the oracle listing, from a FAT file system mounted with the
 * kernel's C vfat driver (-o ro,utf8), in rust_vfat's listing format.
 *
 * Entries come from VFAT_IOCTL_READDIR_BOTH, which walks the directory in
 * on-disk order and returns each entry's long and short name as the C
 * driver decodes them; sizes from lstat(); attributes from
 * FAT_IOCTL_GET_ATTRIBUTES. The label is given on the command line (the
 * C driver has no label ioctl; the scenario reads it with blkid).
 *
 * Usage: fatls MOUNTPOINT LABEL
 */
#include <ctype.h>
#include <fcntl.h>
#include <linux/msdos_fs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

static int walk(const char *mnt, const char *rel)
{
	char dir[8192], path[8192];
	struct __fat_dirent de[2];
	int fd, ret;

	snprintf(dir, sizeof(dir), "%s%s", mnt, rel);
	fd = open(dir, O_RDONLY | O_DIRECTORY);
	if (fd < 0) {
		perror(dir);
		return 1;
	}
	while ((ret = ioctl(fd, VFAT_IOCTL_READDIR_BOTH, de)) > 0) {
		const char *name = de[1].d_reclen ? de[1].d_name : de[0].d_name;
		char shortname[256];
		struct stat st;
		__u32 attr = 0;
		size_t i;
		int f;

		if (!strcmp(de[0].d_name, ".") || !strcmp(de[0].d_name, ".."))
			continue;
		snprintf(path, sizeof(path), "%s/%s", rel, name);
		snprintf(dir, sizeof(dir), "%s%s", mnt, path);
		if (lstat(dir, &st)) {
			perror(dir);
			return 1;
		}
		f = open(dir, O_RDONLY);
		if (f < 0 || ioctl(f, FAT_IOCTL_GET_ATTRIBUTES, &attr)) {
			perror(dir);
			return 1;
		}
		close(f);
		/* The driver shows the 8.3 name with the NT case flags applied;
		 * stored 8.3 names are upper case. */
		snprintf(shortname, sizeof(shortname), "%s", de[0].d_name);
		for (i = 0; shortname[i]; i++)
			shortname[i] = toupper((unsigned char)shortname[i]);
		printf("%s\t%lld\t%c%c%c%c%c\t%s\n", path,
		       S_ISDIR(st.st_mode) ? 0LL : (long long)st.st_size,
		       attr & ATTR_DIR ? 'd' : '-', attr & ATTR_RO ? 'r' : '-',
		       attr & ATTR_HIDDEN ? 'h' : '-', attr & ATTR_SYS ? 's' : '-',
		       attr & ATTR_ARCH ? 'a' : '-', shortname);
		if (S_ISDIR(st.st_mode) && walk(mnt, path))
			return 1;
	}
	close(fd);
	if (ret < 0) {
		perror("VFAT_IOCTL_READDIR_BOTH");
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: fatls MOUNTPOINT LABEL\n");
		return 2;
	}
	printf("label\t%s\n", argv[2]);
	return walk(argv[1], "");
}
