// SPDX-License-Identifier: GPL-2.0
/*
 * readdir32: VFAT_IOCTL_READDIR_SHORT/BOTH as a 32-bit x86 program calls
 * them (pairs of struct compat_dirent, whose size gives the commands their
 * own numbers), for the compat test of rw/17.
 *
 *   readdir32 DIR short|both   one line per entry until the end, as
 *                              "rwtool readdir" prints them:
 *                              "8.3-name [long-name] reclen1 reclen2",
 *                              then "end: R"
 *
 * Built freestanding (gcc -m32 -static -nostdlib): the host has no 32-bit
 * C library, so the system calls are made with int $0x80 and the program
 * starts at _start. Exits 1 with "readdir32: <what> failed: -<errno>" on
 * failure, 2 on bad arguments.
 */

typedef unsigned int u32;
typedef unsigned short u16;

/* The i386 layout of struct compat_dirent (linux/compat.h). */
struct dirent32 {
	u32 d_ino;
	int d_off;
	u16 d_reclen;
	char d_name[256];
};

/* _IOR('r', n, struct dirent32[2]) */
#define IOR(n, size) ((2u << 30) | ((u32)(size) << 16) | ('r' << 8) | (n))
#define READDIR_BOTH32 IOR(1, 2 * sizeof(struct dirent32))
#define READDIR_SHORT32 IOR(2, 2 * sizeof(struct dirent32))

#define SYS_exit 1
#define SYS_write 4
#define SYS_open 5
#define SYS_ioctl 54
#define O_DIRECTORY 0200000

static int sys3(int n, int a, int b, int c)
{
	int r;

	__asm__ volatile("int $0x80"
			 : "=a"(r)
			 : "a"(n), "b"(a), "c"(b), "d"(c)
			 : "memory");
	return r;
}

/* What the compiler may call for loops and copies. */
void *memset(void *d, int c, unsigned int n)
{
	volatile char *p = d;

	while (n--)
		*p++ = (char)c;
	return d;
}

static unsigned int len(const char *s)
{
	unsigned int n = 0;

	while (s[n])
		n++;
	return n;
}

static void out(const char *s)
{
	sys3(SYS_write, 1, (int)s, (int)len(s));
}

static void out_int(int v)
{
	char b[16];
	int i = 15;
	unsigned int u = v < 0 ? -(unsigned int)v : (unsigned int)v;

	b[i] = 0;
	do {
		b[--i] = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		b[--i] = '-';
	out(b + i);
}

static void quit(int status)
{
	sys3(SYS_exit, status, 0, 0);
	for (;;)
		;
}

static int same(const char *a, const char *b)
{
	while (*a && *a == *b) {
		a++;
		b++;
	}
	return *a == *b;
}

__attribute__((used)) void main32(int *sp)
{
	int argc = sp[0];
	char **argv = (char **)(sp + 1);
	static struct dirent32 d[2];
	u32 cmd;
	int fd, r;

	if (argc != 3) {
		out("usage: readdir32 DIR short|both\n");
		quit(2);
	}
	cmd = same(argv[2], "short") ? READDIR_SHORT32 : READDIR_BOTH32;
	fd = sys3(SYS_open, (int)argv[1], O_DIRECTORY, 0);
	if (fd < 0) {
		out("readdir32: open failed: ");
		out_int(fd);
		out("\n");
		quit(1);
	}
	for (;;) {
		memset(d, 0x55, sizeof(d));
		r = sys3(SYS_ioctl, fd, (int)cmd, (int)d);
		if (r < 0) {
			out("readdir32: VFAT_IOCTL_READDIR failed: ");
			out_int(r);
			out("\n");
			quit(1);
		}
		if (r == 0 || d[0].d_reclen == 0)
			break;
		out(d[0].d_name);
		out(" [");
		out(d[1].d_name);
		out("] ");
		out_int(d[0].d_reclen);
		out(" ");
		out_int(d[1].d_reclen);
		out("\n");
	}
	out("end: ");
	out_int(r);
	out("\n");
	quit(0);
}

__asm__(".globl _start\n"
	"_start:\n"
	"	xorl %ebp, %ebp\n"
	"	movl %esp, %eax\n"
	"	andl $-16, %esp\n"
	"	subl $12, %esp\n"
	"	pushl %eax\n"
	"	call main32\n"
	"	hlt\n");
