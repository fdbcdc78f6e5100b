// SPDX-License-Identifier: GPL-2.0
/*
 * mdpy device model: the built-in types and the parser of the `types`
 * module parameter that adds more.  Rules and limits: mdpy_core.h.
 */
#include "mdpy_core.h"

const struct mdpy_type mdpy_types[MDPY_NUM_BUILTIN_TYPES] = {
	{ .name = "vga", .label = "VGA", .width = 640,  .height = 480 },
	{ .name = "xga", .label = "XGA", .width = 1024, .height = 768 },
	{ .name = "hd",  .label = "HD",  .width = 1920, .height = 1080 },
};

/* Remember the bad token (cut, with "...", if long) and why */
static int types_fail(struct mdpy_type_set *set, const char *tok, size_t len,
		      const char *why)
{
	size_t room = sizeof(set->token) - 1;

	if (len > room) {
		memcpy(set->token, tok, room - 3);
		memcpy(set->token + room - 3, "...", 3);
		len = room;
	} else {
		memcpy(set->token, tok, len);
	}
	set->token[len] = '\0';
	set->why = why;
	set->count = MDPY_NUM_BUILTIN_TYPES;
	return -EINVAL;
}

/*
 * A decimal side at @s: digits only, no leading zero.  Returns the number
 * of characters taken (0 if none); a value past the limit comes back as
 * MDPY_TYPE_MAX_SIDE + 1.
 */
static size_t parse_side(const char *s, size_t len, u32 *val)
{
	size_t i;
	u32 v = 0;

	for (i = 0; i < len && s[i] >= '0' && s[i] <= '9'; i++) {
		if (i == 1 && v == 0)
			return 0;	/* leading zero: not canonical */
		v = v * 10 + (u32)(s[i] - '0');
		if (v > MDPY_TYPE_MAX_SIDE)
			v = MDPY_TYPE_MAX_SIDE + 1;	/* and stays there */
	}
	*val = v;
	return i;
}

/* u32 to decimal at @out; returns the length (no NUL written) */
static size_t put_dec(char *out, u32 v)
{
	char tmp[10];
	size_t n = 0, i;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	for (i = 0; i < n; i++)
		out[i] = tmp[n - 1 - i];
	return n;
}

/* "WIDTHxHEIGHT" and nothing else: true with both sides (maybe 0) */
static bool parse_size(const char *s, size_t len, u32 *w, u32 *h)
{
	size_t a, b;

	a = parse_side(s, len, w);
	if (!a || a >= len || s[a] != 'x')
		return false;
	b = parse_side(s + a + 1, len - a - 1, h);
	return b && a + 1 + b == len;
}

static int parse_token(struct mdpy_type_set *set, const char *tok, size_t len)
{
	struct mdpy_type *t;
	struct mdpy_type cand = { 0 };
	size_t n;
	u32 w, h, i;

	if (!len)
		return types_fail(set, tok, len, "empty entry");
	if (len > MDPY_TYPE_TOKEN_MAX)
		return types_fail(set, tok, len, "too long for WIDTHxHEIGHT");
	if (!parse_size(tok, len, &w, &h))
		return types_fail(set, tok, len, "not WIDTHxHEIGHT in decimal");
	if (!w || !h)
		return types_fail(set, tok, len, "zero width or height");
	if (w > MDPY_TYPE_MAX_SIDE || h > MDPY_TYPE_MAX_SIDE)
		return types_fail(set, tok, len, "side over 16384 pixels");
	cand.width = w;
	cand.height = h;
	/* 16384 * 16384 * 4 is 2^30: mdpy_bar_size() cannot overflow */
	if (mdpy_bar_size(&cand) > MDPY_TYPE_MAX_BAR)
		return types_fail(set, tok, len, "BAR0 over 256 MiB");
	for (i = 0; i < set->count; i++)
		if (set->types[i].width == w && set->types[i].height == h)
			return types_fail(set, tok, len,
					  i < MDPY_NUM_BUILTIN_TYPES ?
					  "same size as a built-in type" :
					  "listed twice");
	if (set->count == MDPY_MAX_TYPES)
		return types_fail(set, tok, len, "more than 13 added types");

	t = &set->types[set->count++];
	memset(t, 0, sizeof(*t));
	/* the canonical token is its own name: "2560x1440" */
	n = put_dec(t->name, w);
	t->name[n++] = 'x';
	put_dec(t->name + n, h);
	memcpy(t->label, "Custom", sizeof("Custom"));
	t->width = w;
	t->height = h;
	return 0;
}

int mdpy_types_parse(struct mdpy_type_set *set, const char *spec)
{
	size_t len, start, i;
	int ret;

	memset(set, 0, sizeof(*set));
	memcpy(set->types, mdpy_types, sizeof(mdpy_types));
	set->count = MDPY_NUM_BUILTIN_TYPES;
	set->why = "";
	if (!spec || !*spec)
		return 0;

	/* never scan past what a valid list can hold */
	for (len = 0; len <= MDPY_TYPES_SPEC_MAX && spec[len]; len++)
		;
	if (len > MDPY_TYPES_SPEC_MAX)	/* entry 0: the whole list */
		return types_fail(set, spec, len, "list too long");

	for (start = 0, i = 0; i <= len; i++) {
		if (i < len && spec[i] != ',')
			continue;
		set->entry++;
		ret = parse_token(set, spec + start, i - start);
		if (ret)
			return ret;
		start = i + 1;
	}
	return 0;
}

int mdpy_mode_parse(const struct mdpy_type *type, const char *buf,
		    size_t len, struct mdpy_mode *mode, const char **why)
{
	struct mdpy_mode m;

	if (len && buf[len - 1] == '\n')
		len--;
	if (len > MDPY_TYPE_TOKEN_MAX ||
	    !parse_size(buf, len, &m.width, &m.height)) {
		*why = "not WIDTHxHEIGHT in decimal";
		return -EINVAL;
	}
	switch (mdpy_mode_check(type, &m, &m)) {
	case MDPY_MODE_OK:
		*mode = m;
		return 0;
	case MDPY_MODE_ERR_ZERO:
		*why = "zero width or height";
		break;
	case MDPY_MODE_ERR_SIDE:
		*why = "side over 16384 pixels";
		break;
	default:
		*why = "frame larger than the type's BAR0";
		break;
	}
	return -EINVAL;
}
