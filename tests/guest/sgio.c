// SPDX-License-Identifier: GPL-2.0
/*
 * sgio: SCSI pass-through from the guest, for the scenarios that send what
 * the block layer never would.
 *
 *   sgio read DEV LEN CDB-BYTE...
 *       sends the CDB (hex bytes) with a data-in buffer of LEN bytes
 *       through SG_IO and prints "status S host H driver D resid R" (and
 *       " sense K/ASC/ASCQ" if the target returned fixed-format sense);
 *       exits 0 if the ioctl itself worked, whatever the command's result
 *   sgio write DEV LEN CDB-BYTE...
 *       the same with a data-out buffer of LEN bytes (each 0xa5), whatever
 *       the CDB asks for: a WRITE given less data than it names
 *   sgio reset DEV device|target|bus|host
 *       SG_SCSI_RESET of that kind; exits 0 if the reset succeeded
 *   sgio --as UID ...
 *       the same as user and group UID (what any user who may open the
 *       device can do)
 *   sgio --timeout MS ...
 *       gives the command MS milliseconds instead of 20 s (the midlayer's
 *       error handler aborts it when they run out)
 *   sgio --data read ...
 *       also prints " data H": H is the FNV-1a hash of the whole data-in
 *       buffer (zeroed before the command), so two disks' answers compare
 *       byte for byte
 * The options come first, in any order.
 */
#include <errno.h>
#include <fcntl.h>
#include <scsi/sg.h>
/* The C library's <scsi/sg.h> predates the target reset (the kernel's
 * include/scsi/sg.h has it). */
#ifndef SG_SCSI_RESET_TARGET
#define SG_SCSI_RESET_TARGET 4
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	unsigned int timeout = 20000;
	int fd, data = 0;

	for (;;) {
		if (argc > 3 && !strcmp(argv[1], "--timeout")) {
			timeout = (unsigned int)atoi(argv[2]);
			argc -= 2;
			argv += 2;
		} else if (argc > 3 && !strcmp(argv[1], "--as")) {
			int id = atoi(argv[2]);

			if (setgid(id) || setuid(id)) {
				perror("setuid");
				return 1;
			}
			argc -= 2;
			argv += 2;
		} else if (argc > 2 && !strcmp(argv[1], "--data")) {
			data = 1;
			argc -= 1;
			argv += 1;
		} else {
			break;
		}
	}
	if (argc < 3) {
		fprintf(stderr, "usage: see the comment at the top of sgio.c\n");
		return 2;
	}
	fd = open(argv[2], O_RDWR | O_NONBLOCK);
	if (fd < 0)
		fd = open(argv[2], O_RDONLY | O_NONBLOCK);
	if (fd < 0) {
		perror(argv[2]);
		return 1;
	}
	if ((!strcmp(argv[1], "read") || !strcmp(argv[1], "write")) && argc >= 5 &&
	    argc - 4 <= 16) {
		int out = !strcmp(argv[1], "write");
		unsigned char cdb[16], sense[32];
		int len = atoi(argv[3]), n = argc - 4;
		unsigned char *buf = calloc(1, len > 0 ? len : 1);
		struct sg_io_hdr io;

		if (!buf) {
			perror("calloc");
			return 1;
		}
		if (out)
			memset(buf, 0xa5, len > 0 ? len : 1);

		for (int i = 0; i < n; i++)
			cdb[i] = (unsigned char)strtoul(argv[4 + i], NULL, 16);
		memset(&io, 0, sizeof(io));
		io.interface_id = 'S';
		io.dxfer_direction = len <= 0 ? SG_DXFER_NONE :
				     out	     ? SG_DXFER_TO_DEV :
							SG_DXFER_FROM_DEV;
		io.cmd_len = n;
		io.cmdp = cdb;
		io.dxfer_len = len;
		io.dxferp = buf;
		io.mx_sb_len = sizeof(sense);
		io.sbp = sense;
		io.timeout = timeout;
		if (ioctl(fd, SG_IO, &io) < 0) {
			perror("SG_IO");
			return 1;
		}
		printf("status %d host %d driver %d resid %d", io.status, io.host_status,
		       io.driver_status, io.resid);
		/* Fixed-format sense: key, ASC, ASCQ (a UNIT ATTENTION after a
		 * reset shows as "sense 06/29/00"). */
		if (io.sb_len_wr >= 14 && (sense[0] & 0x7e) == 0x70)
			printf(" sense %02x/%02x/%02x", sense[2] & 0x0f, sense[12], sense[13]);
		if (data && !out) {
			unsigned long long h = 0xcbf29ce484222325ULL;

			for (int i = 0; i < len; i++)
				h = (h ^ buf[i]) * 0x100000001b3ULL;
			printf(" data %016llx", h);
		}
		printf("\n");
		return 0;
	}
	if (!strcmp(argv[1], "reset") && argc == 4) {
		int kind;

		if (!strcmp(argv[3], "device"))
			kind = SG_SCSI_RESET_DEVICE;
		else if (!strcmp(argv[3], "target"))
			kind = SG_SCSI_RESET_TARGET;
		else if (!strcmp(argv[3], "bus"))
			kind = SG_SCSI_RESET_BUS;
		else if (!strcmp(argv[3], "host"))
			kind = SG_SCSI_RESET_HOST;
		else
			return 2;
		if (ioctl(fd, SG_SCSI_RESET, &kind) < 0) {
			fprintf(stderr, "SG_SCSI_RESET %s: %s\n", argv[3], strerror(errno));
			return 1;
		}
		return 0;
	}
	fprintf(stderr, "usage: see the comment at the top of sgio.c\n");
	return 2;
}
