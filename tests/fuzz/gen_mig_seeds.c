// SPDX-License-Identifier: GPL-2.0
/*
 * gen_mig_seeds DIR - write the committed seed inputs of the mig fuzz
 * target (tests/fuzz/corpus/mig): valid streams made with the writer, so
 * the fuzzer starts past the checksum.  Each file is the target's input:
 * a selector byte (type, fix-checksum flag), a split seed, the stream.
 * `make fuzz-mig-seeds` rebuilds them.
 */
#include <stdio.h>
#include <stdlib.h>

#include "../../core/mdpy_mig.h"

static u8 buf[MDPY_MIG_IDLE_SIZE + 2 * (MDPY_MIG_RUN_HDR_SIZE + MDPY_MIG_PAGE)
	      + 2];

/* A stream of @type with @nruns one-page runs (pages @first[i]) */
static size_t make(const struct mdpy_type *type, const u32 *first, int nruns,
		   u8 sel, u8 seed)
{
	struct mdpy_mig_tx tx;
	struct mdpy_core core;
	size_t len = 2;
	u8 bar_hi = 0xe0, cmd = 0x06;
	int r;
	u32 i;

	buf[0] = sel;
	buf[1] = seed;
	mdpy_core_init(&core, type);
	/* as a guest leaves it: BAR placed, decoding on */
	mdpy_cfg_write(&core, 0x13, &bar_hi, 1);
	mdpy_cfg_write(&core, 0x04, &cmd, 1);
	mdpy_mig_tx_init(&tx);
	len += mdpy_mig_put_header(&tx, type, buf + len);
	for (r = 0; r < nruns; r++) {
		len += mdpy_mig_put_run(&tx, first[r], 1, buf + len);
		/* a recognisable drawing: a gradient with the page index */
		for (i = 0; i < MDPY_MIG_PAGE; i++)
			buf[len + i] = (u8)(i + first[r]);
		mdpy_mig_put_page(&tx, buf + len);
		len += MDPY_MIG_PAGE;
	}
	len += mdpy_mig_put_config(&tx, &core, buf + len);
	len += mdpy_mig_put_end(&tx, buf + len);
	return len;
}

static int save(const char *dir, const char *name, size_t len)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (!f || fwrite(buf, 1, len, f) != len || fclose(f)) {
		perror(path);
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static const u32 two[] = { 0, 299 };
	const struct mdpy_type *vga = &mdpy_types[0];
	int bad = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: %s DIR\n", argv[0]);
		return 2;
	}
	bad |= save(argv[1], "vga-idle", make(vga, NULL, 0, 0, 0));
	bad |= save(argv[1], "vga-two-runs", make(vga, two, 2, 0, 0));
	bad |= save(argv[1], "vga-two-runs-fixsum-split",
		    make(vga, two, 2, 0x80, 3));
	bad |= save(argv[1], "xga-idle-split", make(&mdpy_types[1], NULL, 0,
						    1, 9));
	bad |= save(argv[1], "hd-idle-fixsum", make(&mdpy_types[2], NULL, 0,
						    0x82, 0));
	return bad;
}
