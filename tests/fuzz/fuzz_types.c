// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: mdpy_types_parse() on arbitrary strings (the `types`
 * module parameter).  An oracle written from the rules in mdpy_core.h, in
 * a different way (sscanf per token, a sizes list), must agree on accept
 * or refuse, on the reason and on the entry; an accepted list must come
 * back exactly as its added names joined by commas, and a refused one
 * must leave only the built-in types and a NUL-ended token.
 */
#define _GNU_SOURCE	/* memmem */
#include "fuzz.h"

#define MAX_SPEC	1024

struct oracle {
	const char *why;
	u32 entry;
	u32 n;
	u32 w[MDPY_MAX_TYPES], h[MDPY_MAX_TYPES];
};

/* One token: canonical decimal WIDTHxHEIGHT, or why not */
static const char *oracle_token(const char *tok, size_t len, u32 *w, u32 *h)
{
	char copy[64], tail;
	unsigned long a, b;
	size_t i, x = 0, nx = 0;

	if (!len)
		return "empty entry";
	if (len > 11)
		return "too long for WIDTHxHEIGHT";
	for (i = 0; i < len; i++) {
		if (tok[i] == 'x') {
			nx++;
			x = i;
		} else if (tok[i] < '0' || tok[i] > '9') {
			return "not WIDTHxHEIGHT in decimal";
		}
	}
	if (nx != 1 || x == 0 || x == len - 1 ||
	    (tok[0] == '0' && x > 1) || (tok[x + 1] == '0' && len - x - 1 > 1))
		return "not WIDTHxHEIGHT in decimal";
	memcpy(copy, tok, len);
	copy[len] = '\0';
	if (sscanf(copy, "%lux%lu%c", &a, &b, &tail) != 2)
		FUZZ_FAIL("oracle: sscanf on \"%s\"", copy);
	if (!a || !b)
		return "zero width or height";
	if (a > 16384 || b > 16384)
		return "side over 16384 pixels";
	/* the BAR is a power of two >= 4 KiB: fits 256 MiB iff the frame does */
	if (a * b * 4 > (256ul << 20))
		return "BAR0 over 256 MiB";
	*w = (u32)a;
	*h = (u32)b;
	return NULL;
}

static void oracle_parse(struct oracle *o, const char *spec, size_t len)
{
	static const u32 builtin[3][2] = { { 640, 480 }, { 1024, 768 },
					   { 1920, 1080 } };
	size_t start = 0, i, k;

	memset(o, 0, sizeof(*o));
	if (!len)
		return;
	if (len > 155) {
		o->why = "list too long";
		return;
	}
	for (i = 0; i <= len; i++) {
		u32 w = 0, h = 0;

		if (i < len && spec[i] != ',')
			continue;
		o->entry++;
		o->why = oracle_token(spec + start, i - start, &w, &h);
		if (o->why)
			return;
		for (k = 0; k < 3; k++)
			if (builtin[k][0] == w && builtin[k][1] == h)
				o->why = "same size as a built-in type";
		for (k = 0; k < o->n && !o->why; k++)
			if (o->w[k] == w && o->h[k] == h)
				o->why = "listed twice";
		if (!o->why && o->n == MDPY_TYPES_MAX_ADDED)
			o->why = "more than 13 added types";
		if (o->why)
			return;
		o->w[o->n] = w;
		o->h[o->n] = h;
		o->n++;
		start = i + 1;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct mdpy_type_set set;
	static char spec[MAX_SPEC + 1], joined[MAX_SPEC + 64];
	struct oracle o;
	size_t len, n, i;
	int ret;

	/* the string ends at the first NUL, as a parameter would */
	len = size < MAX_SPEC ? size : MAX_SPEC;
	memcpy(spec, data, len);
	spec[len] = '\0';
	len = strlen(spec);

	memset(&set, 0xa5, sizeof(set));
	ret = mdpy_types_parse(&set, spec);
	oracle_parse(&o, spec, len);

	FUZZ_ASSERT(!ret == !o.why, "ret %d, oracle \"%s\" for \"%s\"", ret,
		    o.why ? o.why : "ok", spec);
	FUZZ_ASSERT(!memcmp(set.types, mdpy_types, sizeof(mdpy_types)),
		    "built-in types changed");
	if (ret) {
		FUZZ_ASSERT(ret == -EINVAL, "ret %d", ret);
		FUZZ_ASSERT(set.count == MDPY_NUM_BUILTIN_TYPES, "count %u",
			    set.count);
		FUZZ_ASSERT(!strcmp(set.why, o.why), "why \"%s\" want \"%s\"",
			    set.why, o.why);
		FUZZ_ASSERT(set.entry == o.entry, "entry %u want %u",
			    set.entry, o.entry);
		FUZZ_ASSERT(memchr(set.token, '\0', sizeof(set.token)),
			    "token not NUL-ended");
		n = strlen(set.token);
		/* the token, or its start and "..." when cut */
		if (n == sizeof(set.token) - 1 &&
		    !strcmp(set.token + n - 3, "..."))
			n -= 3;
		FUZZ_ASSERT(memmem(spec, len, set.token, n),
			    "token \"%s\" not in the input", set.token);
		return 0;
	}

	FUZZ_ASSERT(set.count == MDPY_NUM_BUILTIN_TYPES + o.n, "count %u, want %u",
		    set.count, MDPY_NUM_BUILTIN_TYPES + o.n);
	n = 0;
	joined[0] = '\0';
	for (i = MDPY_NUM_BUILTIN_TYPES; i < set.count; i++) {
		const struct mdpy_type *t = &set.types[i];
		u32 k = (u32)i - MDPY_NUM_BUILTIN_TYPES;

		FUZZ_ASSERT(t->width == o.w[k] && t->height == o.h[k],
			    "type %zu is %ux%u", i, t->width, t->height);
		FUZZ_ASSERT(memchr(t->name, '\0', sizeof(t->name)),
			    "name not NUL-ended");
		FUZZ_ASSERT(!strcmp(t->label, "Custom"), "label %s", t->label);
		FUZZ_ASSERT(mdpy_bar_size(t) <= MDPY_TYPE_MAX_BAR &&
			    mdpy_bar_size(t) >= mdpy_fb_size(t),
			    "BAR %u for %s", mdpy_bar_size(t), t->name);
		n += snprintf(joined + n, sizeof(joined) - n, "%s%s",
			      n ? "," : "", t->name);
	}
	FUZZ_ASSERT(!strcmp(joined, spec), "names \"%s\" from \"%s\"", joined,
		    spec);
	return 0;
}
