// SPDX-License-Identifier: GPL-2.0
/*
 * What the conformance programs add to tests/lib: the spec's type table
 * and power-on picture, per-type sysfs views, and the module as the suite
 * loads it.  Functions return 0 (or a count) on success and -errno on
 * failure so tests can compare errnos.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mdpy_test.h"

const struct mdpy_ttype mdpy_ttypes[3] = {
	{ "vga", "mdpy-vga", 640, 480 },
	{ "xga", "mdpy-xga", 1024, 768 },
	{ "hd", "mdpy-hd", 1920, 1080 },
};

void type_attr(char *buf, size_t size, const struct mdpy_ttype *t,
	       const char *attr)
{
	mdev_type_attr(buf, size, t->dir, attr);
}

long avail(const struct mdpy_ttype *t)
{
	char path[512];
	long v;
	int r;

	type_attr(path, sizeof(path), t, "available_instances");
	r = sysfs_read_long(path, &v);
	return r < 0 ? r : v;
}

/* The live cap: module parameter if visible, else the documented default. */
long mdpy_count(void)
{
	long v;

	if (!sysfs_read_long("/sys/module/" MODULE_NAME "/parameters/count", &v))
		return v;
	return DEFAULT_COUNT;
}

/*
 * Power-on picture as documented: row y is grey level y * 256 / height in
 * B, G and R, X byte zero, stored little-endian; bytes past the visible
 * frame are zero.
 */
uint32_t initial_pixel(const struct mdpy_ttype *t, uint32_t y)
{
	uint32_t level = y * 256 / t->height;

	return level << 16 | level << 8 | level;
}

void initial_bytes(const struct mdpy_ttype *t, uint64_t off, uint8_t *buf,
		   size_t len)
{
	uint64_t stride = (uint64_t)t->width * 4;
	size_t i;

	for (i = 0; i < len; i++, off++) {
		if (off >= fb_size(t))
			buf[i] = 0;
		else
			buf[i] = (uint8_t)(initial_pixel(t, (uint32_t)(off / stride))
					   >> (8 * (off & 3)));
	}
}

int display_use(struct vdev *d)
{
	uint8_t b;
	int ret = bar_read(d, d->bar.size - 1, &b, 1);

	return ret ? ret : bar_write(d, d->bar.size - 1, &b, 1);
}

int mod_loaded(void)
{
	return module_loaded(MODULE_NAME) || path_exists(PARENT_DIR);
}

int mod_load(const char *params)
{
	const char *ko = getenv("MDPY_KO");

	return module_load(ko ? ko : "/payload/mdpy.ko", params);
}

int mod_unload(void)
{
	return module_unload(MODULE_NAME);
}

/* No types added at load (a charp parameter never set reads "(null)") */
static int types_default(void)
{
	char buf[256];

	if (sysfs_read("/sys/module/" MODULE_NAME "/parameters/types", buf,
		       sizeof(buf)) < 0)
		return 1;
	return !strcmp(buf, "(null)\n") || !strcmp(buf, "\n");
}

/* Loaded with default parameters and no instances: the state tests expect. */
int mod_ensure_default(void)
{
	int ret;

	if (mod_loaded()) {
		mdev_remove_all();
		/* budget_mb=0 puts back the default budget (half of RAM) */
		if (mdpy_count() == DEFAULT_COUNT && types_default() &&
		    !sysfs_write(BUDGET_PARAM, "0"))
			return 0;
		ret = mod_unload();
		if (ret)
			return ret;
	}
	return mod_load(NULL);
}

uint8_t *initial_picture(const struct mdpy_ttype *t, uint64_t size)
{
	uint8_t *buf = malloc(size);

	if (buf)
		initial_bytes(t, 0, buf, size);
	return buf;
}

uint8_t *bar_read_all(struct vdev *d)
{
	uint8_t *buf = malloc(d->bar.size);

	if (buf && bar_read(d, 0, buf, d->bar.size)) {
		free(buf);
		return NULL;
	}
	return buf;
}
