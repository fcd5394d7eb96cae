// SPDX-License-Identifier: GPL-2.0
/*
 * insnmark: the guest side of the insncount TCG plugin (insncount.c). Sets a
 * phase mark by executing the plugin's magic instruction (a NOP):
 *
 *   insnmark LABEL [FILE]
 *
 * The plugin writes LABEL and the counts since the previous mark; with FILE
 * (at most 8 MiB) it also copies the file's bytes into its output, which is
 * how the guest hands its module symbols (/proc/kallsyms) to the host.
 * Freestanding (no libc): built by scripts/setup-insncount.sh with the host's
 * gcc as a static x86_64 executable, packed into the guest's initramfs.
 */
#define MAX_DATA (8u << 20)

static char data[MAX_DATA];

static long sys3(long nr, long a, long b, long c)
{
	long r;

	asm volatile("syscall" : "=a"(r) : "a"(nr), "D"(a), "S"(b), "d"(c) : "rcx", "r11", "memory");
	return r;
}

static long len(const char *s)
{
	long n = 0;

	while (s[n])
		n++;
	return n;
}

static void say(const char *s) { sys3(1, 2, (long)s, len(s)); }

__attribute__((used)) void cmain(long argc, char **argv)
{
	const char *label = argc > 1 ? argv[1] : "";
	long n = 0, fd, r;

	if (argc < 2 || argc > 3) {
		say("usage: insnmark LABEL [FILE]\n");
		sys3(60, 2, 0, 0);
	}
	if (argc == 3) {
		fd = sys3(2, (long)argv[2], 0, 0); /* open O_RDONLY */
		if (fd < 0) {
			say("insnmark: cannot open the file\n");
			sys3(60, 1, 0, 0);
		}
		while (n < (long)MAX_DATA && (r = sys3(0, fd, (long)data + n, MAX_DATA - n)) > 0)
			n += r;
		sys3(3, fd, 0, 0);
	}
	/* The mark: label in rdi/rsi, data in rdx/rcx. */
	asm volatile("nopl 0x52494742(%%rax)"
		     : : "D"(label), "S"(len(label)), "d"(data), "c"(n), "a"(0) : "memory");
	sys3(60, 0, 0, 0);
}

asm(".globl _start\n"
    "_start:\n"
    "	mov (%rsp), %rdi\n"
    "	lea 8(%rsp), %rsi\n"
    "	and $-16, %rsp\n"
    "	call cmain\n"
    "	hlt\n");
