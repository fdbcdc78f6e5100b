// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the `types` parameter parser (core/types.c), run in
 * userspace with ASan and UBSan: the built-in table, good lists and the
 * names and sizes they add, and every kind of bad token, each refused with
 * the token, its position and the reason.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../core/mdpy_core.h"
#include "tap.h"

static struct mdpy_type_set set;

/* The three built-in types come first, exactly as before */
static void check_builtins(void)
{
	CHECK(set.count >= 3);
	CHECK_STR(set.types[0].name, "vga");
	CHECK_STR(set.types[0].label, "VGA");
	CHECK_EQ(set.types[0].width, 640);
	CHECK_EQ(set.types[0].height, 480);
	CHECK_STR(set.types[1].name, "xga");
	CHECK_STR(set.types[1].label, "XGA");
	CHECK_EQ(set.types[1].width, 1024);
	CHECK_EQ(set.types[1].height, 768);
	CHECK_STR(set.types[2].name, "hd");
	CHECK_STR(set.types[2].label, "HD");
	CHECK_EQ(set.types[2].width, 1920);
	CHECK_EQ(set.types[2].height, 1080);
}

static void test_no_added_types(void)
{
	memset(&set, 0xa5, sizeof(set));
	CHECK_EQ(mdpy_types_parse(&set, NULL), 0);
	CHECK_EQ(set.count, 3);
	check_builtins();
	memset(&set, 0xa5, sizeof(set));
	CHECK_EQ(mdpy_types_parse(&set, ""), 0);
	CHECK_EQ(set.count, 3);
	check_builtins();
	CHECK(!memcmp(set.types, mdpy_types, sizeof(mdpy_types)));
}

static void test_good_lists(void)
{
	static const struct {
		const char *spec;
		u32 n;
		u32 wh[MDPY_TYPES_MAX_ADDED][2];
	} good[] = {
		{ "2560x1440", 1, { { 2560, 1440 } } },
		{ "2560x1440,3840x2160", 2, { { 2560, 1440 }, { 3840, 2160 } } },
		{ "1x1", 1, { { 1, 1 } } },
		{ "800x600,1280x800,333x7", 3,
		  { { 800, 600 }, { 1280, 800 }, { 333, 7 } } },
		/* swapped sides of a built-in size are another size */
		{ "480x640", 1, { { 480, 640 } } },
		/* the largest: 256 MiB BAR exactly, and each side's limit */
		{ "8192x8192", 1, { { 8192, 8192 } } },
		{ "7680x4320", 1, { { 7680, 4320 } } },
		{ "16384x4096", 1, { { 16384, 4096 } } },
		{ "1x16384", 1, { { 1, 16384 } } },
		{ "16384x1,10x10", 2, { { 16384, 1 }, { 10, 10 } } },
	};
	unsigned int i, k;
	char name[32];

	for (i = 0; i < ARRAY_SIZE(good); i++) {
		memset(&set, 0xa5, sizeof(set));
		if (mdpy_types_parse(&set, good[i].spec)) {
			tap_diag("  \"%s\" refused: %s", good[i].spec, set.why);
			unit_failed++;
			continue;
		}
		CHECK_EQ(set.count, 3 + good[i].n);
		check_builtins();
		for (k = 0; k < good[i].n; k++) {
			const struct mdpy_type *t = &set.types[3 + k];

			snprintf(name, sizeof(name), "%ux%u", good[i].wh[k][0],
				 good[i].wh[k][1]);
			CHECK_STR(t->name, name);
			CHECK_STR(t->label, "Custom");
			CHECK_EQ(t->width, good[i].wh[k][0]);
			CHECK_EQ(t->height, good[i].wh[k][1]);
			CHECK(mdpy_bar_size(t) <= MDPY_TYPE_MAX_BAR);
			CHECK(mdpy_bar_size(t) >= mdpy_fb_size(t));
		}
	}
}

/* 13 added types load; a 14th is one too many */
static void test_most_types(void)
{
	char spec[256];
	size_t n = 0;
	int i;

	for (i = 0; i < MDPY_TYPES_MAX_ADDED; i++)
		n += snprintf(spec + n, sizeof(spec) - n, "%s%dx%d",
			      i ? "," : "", 10000 + i, 2000 + i);
	CHECK_EQ(mdpy_types_parse(&set, spec), 0);
	CHECK_EQ(set.count, MDPY_MAX_TYPES);
	CHECK_STR(set.types[MDPY_MAX_TYPES - 1].name, "10012x2012");
	snprintf(spec + n, sizeof(spec) - n, ",1x2");
	CHECK_EQ(mdpy_types_parse(&set, spec), -EINVAL);
	CHECK_STR(set.why, "more than 13 added types");
	CHECK_STR(set.token, "1x2");
	CHECK_EQ(set.entry, 14);
	CHECK_EQ(set.count, 3);
	/* a list of the longest length is read token by token ... */
	memset(spec + n, 'a', sizeof(spec) - n);
	spec[n] = ',';
	spec[MDPY_TYPES_SPEC_MAX] = '\0';
	CHECK_EQ(mdpy_types_parse(&set, spec), -EINVAL);
	CHECK_STR(set.why, "too long for WIDTHxHEIGHT");
	CHECK_EQ(set.entry, 14);
	/* ... one character more is refused whole */
	spec[MDPY_TYPES_SPEC_MAX] = 'a';
	spec[MDPY_TYPES_SPEC_MAX + 1] = '\0';
	CHECK_EQ(mdpy_types_parse(&set, spec), -EINVAL);
	CHECK_STR(set.why, "list too long");
	CHECK_EQ(set.entry, 0);
	CHECK_STR(set.token, "10000x2000,1...");
	CHECK_EQ(set.count, 3);
}

static void test_bad_tokens(void)
{
	static const struct {
		const char *spec, *token, *why;
		u32 entry;
	} bad[] = {
		/* not WIDTHxHEIGHT */
		{ "vga", "vga", "not WIDTHxHEIGHT in decimal", 1 },
		{ "hd", "hd", "not WIDTHxHEIGHT in decimal", 1 },
		{ "2560", "2560", "not WIDTHxHEIGHT in decimal", 1 },
		{ "2560x", "2560x", "not WIDTHxHEIGHT in decimal", 1 },
		{ "x1440", "x1440", "not WIDTHxHEIGHT in decimal", 1 },
		{ "2560X1440", "2560X1440", "not WIDTHxHEIGHT in decimal", 1 },
		{ "2560*1440", "2560*1440", "not WIDTHxHEIGHT in decimal", 1 },
		{ "2560x1440x2", "2560x1440x2", "not WIDTHxHEIGHT in decimal", 1 },
		{ " 800x600", " 800x600", "not WIDTHxHEIGHT in decimal", 1 },
		{ "800x600 ", "800x600 ", "not WIDTHxHEIGHT in decimal", 1 },
		{ "800x600\n", "800x600\n", "not WIDTHxHEIGHT in decimal", 1 },
		{ "+800x600", "+800x600", "not WIDTHxHEIGHT in decimal", 1 },
		{ "-800x600", "-800x600", "not WIDTHxHEIGHT in decimal", 1 },
		{ "0800x600", "0800x600", "not WIDTHxHEIGHT in decimal", 1 },
		{ "800x0600", "800x0600", "not WIDTHxHEIGHT in decimal", 1 },
		{ "0x10x600", "0x10x600", "not WIDTHxHEIGHT in decimal", 1 },
		{ "800x600;", "800x600;", "not WIDTHxHEIGHT in decimal", 1 },
		{ "1x1,abc", "abc", "not WIDTHxHEIGHT in decimal", 2 },
		/* zero */
		{ "0x600", "0x600", "zero width or height", 1 },
		{ "800x0", "800x0", "zero width or height", 1 },
		{ "0x0", "0x0", "zero width or height", 1 },
		/* too large a side, however many digits */
		{ "16385x1", "16385x1", "side over 16384 pixels", 1 },
		{ "1x16385", "1x16385", "side over 16384 pixels", 1 },
		{ "99999x1", "99999x1", "side over 16384 pixels", 1 },
		{ "4294967297x1", "4294967297x1", "too long for WIDTHxHEIGHT", 1 },
		/* a frame past the BAR limit: 8192x8193 needs 512 MiB */
		{ "8192x8193", "8192x8193", "BAR0 over 256 MiB", 1 },
		{ "16384x16384", "16384x16384", "BAR0 over 256 MiB", 1 },
		{ "800x600,16384x8192", "16384x8192", "BAR0 over 256 MiB", 2 },
		/* duplicates, also of a built-in size */
		{ "640x480", "640x480", "same size as a built-in type", 1 },
		{ "1024x768", "1024x768", "same size as a built-in type", 1 },
		{ "1x1,1920x1080", "1920x1080", "same size as a built-in type", 2 },
		{ "800x600,800x600", "800x600", "listed twice", 2 },
		{ "800x600,1x1,800x600", "800x600", "listed twice", 3 },
		/* empty tokens anywhere */
		{ ",", "", "empty entry", 1 },
		{ "800x600,", "", "empty entry", 2 },
		{ ",800x600", "", "empty entry", 1 },
		{ "800x600,,1x1", "", "empty entry", 2 },
		/* overlong tokens are cut in the message */
		{ "1234567890123456x1", "123456789012...", "too long for WIDTHxHEIGHT", 1 },
		{ "1x1,aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
		  "aaaaaaaaaaaa...", "too long for WIDTHxHEIGHT", 2 },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		int ret;

		memset(&set, 0xa5, sizeof(set));
		ret = mdpy_types_parse(&set, bad[i].spec);
		if (ret != -EINVAL || strcmp(set.token, bad[i].token) ||
		    strcmp(set.why, bad[i].why) || set.entry != bad[i].entry) {
			tap_diag("  \"%s\": %d, entry %u \"%s\": %s", bad[i].spec,
				 ret, set.entry, ret ? set.token : "",
				 ret ? set.why : "");
			tap_diag("  want entry %u \"%s\": %s", bad[i].entry,
				 bad[i].token, bad[i].why);
			unit_failed++;
		}
		/* a refusal leaves exactly the built-in types */
		CHECK_EQ(set.count, 3);
		check_builtins();
	}
}

/* A string longer than any valid list, with no NUL in reach: not read on */
static void test_overlong_list(void)
{
	size_t len = 1u << 20;
	char *spec = malloc(len + 1);
	char *tight;

	memset(spec, '1', len);
	spec[len] = '\0';
	CHECK_EQ(mdpy_types_parse(&set, spec), -EINVAL);
	CHECK_STR(set.why, "list too long");
	CHECK_STR(set.token, "111111111111...");
	CHECK_EQ(set.entry, 0);
	CHECK_EQ(set.count, 3);
	free(spec);
	/* exactly one byte past the limit, in a buffer of that size */
	tight = malloc(MDPY_TYPES_SPEC_MAX + 1);
	memset(tight, '1', MDPY_TYPES_SPEC_MAX + 1);
	CHECK_EQ(mdpy_types_parse(&set, tight), -EINVAL);
	CHECK_STR(set.why, "list too long");
	free(tight);
}

static const struct unit_test tests[] = {
	{ "types_none_added", test_no_added_types },
	{ "types_good_lists", test_good_lists },
	{ "types_most_types", test_most_types },
	{ "types_bad_tokens", test_bad_tokens },
	{ "types_overlong_list", test_overlong_list },
};

int main(void)
{
	return unit_run(tests, ARRAY_SIZE(tests));
}
