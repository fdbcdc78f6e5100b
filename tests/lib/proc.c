// SPDX-License-Identifier: GPL-2.0
/*
 * proc.c - counters of /proc/meminfo, vmstat, zoneinfo, vmallocinfo and
 * slabinfo-style text: "KEY: VALUE" or "KEY VALUE ..." lines (testlib.h).
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>

#include "tap.h"
#include "testlib.h"

/*
 * The number after @key (then ':' or blanks) at the start of a line of
 * @text, as /proc/meminfo, vmstat and slabinfo lines go; 0 when found.
 */
int text_value(const char *text, const char *key, long *val)
{
	size_t klen = strlen(key);
	const char *p;

	for (p = text; p; p = strchr(p, '\n')) {
		if (*p == '\n')
			p++;
		if (!strncmp(p, key, klen) && (p[klen] == ':' || p[klen] == ' '))
			return sscanf(p + klen, "%*[: ]%ld", val) == 1 ? 0 : -1;
	}
	return -1;
}

/* One /proc/meminfo field in KiB, e.g. "MemFree"; -1 if unreadable. */
long meminfo_kb(const char *key)
{
	char buf[8192];
	long v;

	if (file_read("/proc/meminfo", buf, sizeof(buf)) <= 0 ||
	    text_value(buf, key, &v))
		return -1;
	return v;
}

/* The numbers that follow @tag on the lines of @path, summed; 0 if none. */
static long sum_tagged(const char *path, const char *tag)
{
	size_t tlen = strlen(tag);
	char line[512], *p;
	long total = 0, v;
	FILE *f = fopen(path, "re");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		p = strstr(line, tag);
		if (p && sscanf(p + tlen, "%ld", &v) == 1)
			total += v;
	}
	fclose(f);
	return total;
}

/*
 * Pages on the per-cpu free lists are free but not in MemFree; a test
 * that frees many pages leaves some there.  The "count:" of every
 * pageset in /proc/zoneinfo, summed.
 */
long pcp_free_pages(void)
{
	return sum_tagged("/proc/zoneinfo", " count:");
}

/* Pages backing vmalloc areas: the "pages=" of /proc/vmallocinfo, summed. */
long vmalloc_pages(void)
{
	return sum_tagged("/proc/vmallocinfo", " pages=");
}

/* A TAP comment for every counter that moved by @min or more from @a to @b. */
void text_diff(const char *a, const char *b, long min, const char *what)
{
	const char *line = b;

	while (line && *line) {
		char key[64];
		long vb, va;

		if (sscanf(line, "%63[^: ]%*[: ]%ld", key, &vb) == 2 &&
		    !text_value(a, key, &va) &&
		    (vb - va >= min || va - vb >= min))
			tap_diag("  %s %s: %ld -> %ld (%+ld)", what, key, va, vb,
				 vb - va);
		line = strchr(line, '\n');
		if (line)
			line++;
	}
}

/*
 * The slab cache whose active object count grew most from slabinfo text
 * @a to @b: its name in @name and its growth in objects as the result (0
 * if none grew or the text is empty).
 */
long slab_max_growth(const char *a, const char *b, char *name, size_t size)
{
	const char *line = b;
	long best = 0;

	snprintf(name, size, "-");
	while (line && *line) {
		char key[64];
		long vb, va;

		if (sscanf(line, "%63s %ld", key, &vb) == 2 && key[0] != '#' &&
		    !text_value(a, key, &va) && vb - va > best) {
			best = vb - va;
			snprintf(name, size, "%s", key);
		}
		line = strchr(line, '\n');
		if (line)
			line++;
	}
	return best;
}
