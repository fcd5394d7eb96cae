// SPDX-License-Identifier: GPL-2.0
/*
 * insncount: a QEMU TCG plugin (system emulation) that counts, per translation
 * block start address, how often each guest *kernel* block executed and how
 * many instructions it has, split per vCPU; user-space blocks are only summed
 * (instructions per vCPU). The counts are written as deltas at phase marks
 * that a guest program sets off by executing a magic instruction:
 *
 *   nopl 0x52494742(%rax)        bytes 0f 1f 80 42 47 49 52 ("BGIR")
 *
 * executed in user space, with %rdi/%rsi = a label (pointer, length) and
 * %rdx/%rcx = an optional data blob (pointer, length; e.g. the guest's module
 * symbols), both read from guest memory. scripts/insncount/insnmark.c is that
 * program. The x86 encoding is an ordinary multi-byte NOP, so the guest runs
 * the same without the plugin.
 *
 * Output (plugin argument out=FILE, default: QEMU's plugin log), one mark:
 *
 *   mark SEQ VCPU LABEL                    the mark's sequence number, the vCPU that set it
 *   data BYTES                             if a blob was passed: BYTES raw bytes follow, then "\n"
 *   user I0 I1 ...                         user-space instructions per vCPU since the previous mark
 *   b PC NINSNS E0 E1 ...                  kernel block at PC with NINSNS instructions:
 *                                          executions per vCPU since the previous mark (lines
 *                                          with no execution are left out)
 *   end SEQ
 *
 * Blocks are keyed by (start address, instruction count): a block translated
 * again with the same start and length is the same entry. A block's
 * instructions are counted as executed when the block is entered (the inline
 * counter is at its start), so a block left early by an exception counts in
 * full; in kernel code that is a page fault or a trapping instruction, rare on
 * the paths measured here.
 *
 * Arguments: out=FILE; kernel=ADDR (hex, default ffff800000000000): the lowest
 * address counted per block.
 */
#include <glib.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <qemu-plugin.h>

QEMU_PLUGIN_EXPORT int qemu_plugin_version = QEMU_PLUGIN_VERSION;

#define MAX_VCPUS 64
#define MAX_LABEL 256
#define MAX_DATA (8u << 20)

static const uint8_t magic[] = { 0x0f, 0x1f, 0x80, 0x42, 0x47, 0x49, 0x52 };

struct block {
	uint64_t pc;
	uint64_t insns;
	struct qemu_plugin_scoreboard *execs;
	uint64_t last[MAX_VCPUS]; /* executions already reported, per vCPU */
};

static GMutex lock;
static GHashTable *blocks;
static struct qemu_plugin_scoreboard *user_insns;
static uint64_t user_last[MAX_VCPUS];
static uint64_t kernel_base = 0xffff800000000000ull;
static FILE *out;
static unsigned long seq;

/* Register handles, found per vCPU when it starts. */
static struct qemu_plugin_register *reg_rdi[MAX_VCPUS], *reg_rsi[MAX_VCPUS];
static struct qemu_plugin_register *reg_rdx[MAX_VCPUS], *reg_rcx[MAX_VCPUS];

static guint block_hash(gconstpointer v)
{
	const struct block *b = v;

	return (guint)(b->pc ^ (b->pc >> 32) ^ (b->insns << 24));
}

static gboolean block_equal(gconstpointer a, gconstpointer b)
{
	const struct block *x = a, *y = b;

	return x->pc == y->pc && x->insns == y->insns;
}

static unsigned int nvcpus(void)
{
	int n = qemu_plugin_num_vcpus();

	if (n < 1)
		n = 1;
	return n > MAX_VCPUS ? MAX_VCPUS : (unsigned int)n;
}

static void vcpu_init(qemu_plugin_id_t id, unsigned int vcpu)
{
	GArray *regs = qemu_plugin_get_registers();

	if (vcpu >= MAX_VCPUS) {
		g_array_free(regs, TRUE);
		return;
	}
	for (guint i = 0; i < regs->len; i++) {
		qemu_plugin_reg_descriptor *d = &g_array_index(regs, qemu_plugin_reg_descriptor, i);

		if (!strcmp(d->name, "rdi"))
			reg_rdi[vcpu] = d->handle;
		else if (!strcmp(d->name, "rsi"))
			reg_rsi[vcpu] = d->handle;
		else if (!strcmp(d->name, "rdx"))
			reg_rdx[vcpu] = d->handle;
		else if (!strcmp(d->name, "rcx"))
			reg_rcx[vcpu] = d->handle;
	}
	g_array_free(regs, TRUE);
}

static uint64_t read_reg(struct qemu_plugin_register *r)
{
	GByteArray *buf = g_byte_array_new();
	uint64_t v = 0;
	int n = r ? qemu_plugin_read_register(r, buf) : -1;

	if (n > 0) /* x86: little endian, like the host */
		memcpy(&v, buf->data, n < 8 ? n : 8);
	g_byte_array_free(buf, TRUE);
	return v;
}

static void write_block(gpointer key, gpointer value, gpointer user)
{
	struct block *b = value;
	unsigned int n = *(unsigned int *)user;
	uint64_t d[MAX_VCPUS];
	bool any = false;

	for (unsigned int i = 0; i < n; i++) {
		uint64_t now = qemu_plugin_u64_get(qemu_plugin_scoreboard_u64(b->execs), i);

		d[i] = now - b->last[i];
		b->last[i] = now;
		any |= d[i] != 0;
	}
	if (!any)
		return;
	fprintf(out, "b %" PRIx64 " %" PRIu64, b->pc, b->insns);
	for (unsigned int i = 0; i < n; i++)
		fprintf(out, " %" PRIu64, d[i]);
	fputc('\n', out);
}

/* The magic instruction ran: write a mark with the deltas since the last one. */
static void vcpu_mark(unsigned int vcpu, void *udata)
{
	unsigned int n = nvcpus();
	char label[MAX_LABEL];
	uint64_t lp = 0, ll = 0, dp = 0, dl = 0;
	GByteArray *buf = g_byte_array_new();

	if (vcpu < MAX_VCPUS) {
		lp = read_reg(reg_rdi[vcpu]);
		ll = read_reg(reg_rsi[vcpu]);
		dp = read_reg(reg_rdx[vcpu]);
		dl = read_reg(reg_rcx[vcpu]);
	}
	label[0] = 0;
	if (ll >= MAX_LABEL)
		ll = MAX_LABEL - 1;
	if (ll && qemu_plugin_read_memory_vaddr(lp, buf, ll)) {
		memcpy(label, buf->data, ll);
		label[ll] = 0;
		for (char *c = label; *c; c++)
			if (*c == '\n' || *c == '\r')
				*c = ' ';
	}

	g_mutex_lock(&lock);
	seq++;
	fprintf(out, "mark %lu %u %s\n", seq, vcpu, label[0] ? label : "-");
	if (dl && dl <= MAX_DATA && qemu_plugin_read_memory_vaddr(dp, buf, dl)) {
		fprintf(out, "data %" PRIu64 "\n", dl);
		fwrite(buf->data, 1, dl, out);
		fputc('\n', out);
	} else if (dl) {
		fprintf(out, "data-error %" PRIu64 "\n", dl);
	}
	fprintf(out, "user");
	for (unsigned int i = 0; i < n; i++) {
		uint64_t now = qemu_plugin_u64_get(qemu_plugin_scoreboard_u64(user_insns), i);

		fprintf(out, " %" PRIu64, now - user_last[i]);
		user_last[i] = now;
	}
	fputc('\n', out);
	g_hash_table_foreach(blocks, write_block, &n);
	fprintf(out, "end %lu\n", seq);
	fflush(out);
	g_mutex_unlock(&lock);
	g_byte_array_free(buf, TRUE);
}

static void tb_trans(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
	uint64_t pc = qemu_plugin_tb_vaddr(tb);
	size_t n = qemu_plugin_tb_n_insns(tb);
	struct block key = { .pc = pc, .insns = n }, *b;

	if (pc < kernel_base) {
		/* User space: one sum, and the mark instruction. */
		qemu_plugin_register_vcpu_tb_exec_inline_per_vcpu(
			tb, QEMU_PLUGIN_INLINE_ADD_U64, qemu_plugin_scoreboard_u64(user_insns), n);
		for (size_t i = 0; i < n; i++) {
			struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);
			uint8_t bytes[sizeof(magic)];

			if (qemu_plugin_insn_size(insn) != sizeof(magic) ||
			    qemu_plugin_insn_data(insn, bytes, sizeof(bytes)) != sizeof(bytes) ||
			    memcmp(bytes, magic, sizeof(magic)))
				continue;
			qemu_plugin_register_vcpu_insn_exec_cb(insn, vcpu_mark, QEMU_PLUGIN_CB_R_REGS, NULL);
		}
		return;
	}
	g_mutex_lock(&lock);
	b = g_hash_table_lookup(blocks, &key);
	if (!b) {
		b = g_new0(struct block, 1);
		b->pc = pc;
		b->insns = n;
		b->execs = qemu_plugin_scoreboard_new(sizeof(uint64_t));
		g_hash_table_insert(blocks, b, b);
	}
	g_mutex_unlock(&lock);
	qemu_plugin_register_vcpu_tb_exec_inline_per_vcpu(
		tb, QEMU_PLUGIN_INLINE_ADD_U64, qemu_plugin_scoreboard_u64(b->execs), 1);
}

static void plugin_exit(qemu_plugin_id_t id, void *p)
{
	g_mutex_lock(&lock);
	fprintf(out, "exit %lu\n", seq);
	fflush(out);
	g_mutex_unlock(&lock);
}

QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info,
					   int argc, char **argv)
{
	const char *path = NULL;

	if (info->system_emulation == false) {
		fprintf(stderr, "insncount: system emulation only\n");
		return -1;
	}
	for (int i = 0; i < argc; i++) {
		if (!strncmp(argv[i], "out=", 4)) {
			path = argv[i] + 4;
		} else if (!strncmp(argv[i], "kernel=", 7)) {
			kernel_base = strtoull(argv[i] + 7, NULL, 16);
		} else {
			fprintf(stderr, "insncount: unknown argument '%s' (out=FILE, kernel=HEXADDR)\n",
				argv[i]);
			return -1;
		}
	}
	out = path ? fopen(path, "w") : stderr;
	if (!out) {
		perror(path);
		return -1;
	}
	blocks = g_hash_table_new(block_hash, block_equal);
	user_insns = qemu_plugin_scoreboard_new(sizeof(uint64_t));
	qemu_plugin_register_vcpu_init_cb(id, vcpu_init);
	qemu_plugin_register_vcpu_tb_trans_cb(id, tb_trans);
	qemu_plugin_register_atexit_cb(id, plugin_exit, NULL);
	return 0;
}
