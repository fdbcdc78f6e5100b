// SPDX-License-Identifier: GPL-2.0
/*
 * mdev.c - mdev instances through sysfs, the remover thread, UUIDs and
 * random bytes (testlib.h).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "testlib.h"

void mdev_type_attr(char *buf, size_t size, const char *type, const char *attr)
{
	snprintf(buf, size, MDPY_TYPES "/%s/%s", type, attr);
}

int mdev_create_ns(const char *type, const char *uuid, double *ns)
{
	char path[512];

	mdev_type_attr(path, sizeof(path), type, "create");
	return sysfs_write_ns(path, uuid, ns);
}

int mdev_create(const char *type, const char *uuid)
{
	return mdev_create_ns(type, uuid, NULL);
}

int mdev_remove_ns(const char *uuid, double *ns)
{
	char path[512];

	snprintf(path, sizeof(path), MDEV_DEVICES "/%s/remove", uuid);
	return sysfs_write_ns(path, "1", ns);
}

int mdev_remove(const char *uuid)
{
	return mdev_remove_ns(uuid, NULL);
}

int mdev_exists(const char *uuid)
{
	char path[512];

	snprintf(path, sizeof(path), MDEV_DEVICES "/%s", uuid);
	return path_exists(path);
}

/* The IOMMU group number the instance was put in. */
int mdev_group(const char *uuid)
{
	char path[512], link[256], *base;
	ssize_t n;

	snprintf(path, sizeof(path), MDEV_DEVICES "/%s/iommu_group", uuid);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		return -errno;
	link[n] = 0;
	base = strrchr(link, '/');
	return atoi(base ? base + 1 : link);
}

/* A numeric attribute of an instance, e.g. "vendor/resident_bytes". */
long mdev_attr_long(const char *uuid, const char *attr)
{
	char path[512];
	long v;
	int ret;

	snprintf(path, sizeof(path), MDEV_DEVICES "/%s/%s", uuid, attr);
	ret = sysfs_read_long(path, &v);
	return ret < 0 ? ret : v;
}

typedef void (*instance_fn)(const char *uuid);

/*
 * Calls @fn for every instance of every type of the mdpy parent; the
 * count of instances seen.
 */
static int for_each_instance(instance_fn fn)
{
	struct dirent *te, *de;
	char path[512];
	DIR *types, *dir;
	int n = 0;

	types = opendir(MDPY_TYPES);
	if (!types)
		return 0;
	while ((te = readdir(types))) {
		if (te->d_name[0] == '.')
			continue;
		mdev_type_attr(path, sizeof(path), te->d_name, "devices");
		dir = opendir(path);
		if (!dir)
			continue;
		while ((de = readdir(dir))) {
			if (de->d_name[0] == '.')
				continue;
			n++;
			if (fn)
				fn(de->d_name);
		}
		closedir(dir);
	}
	closedir(types);
	return n;
}

int mdev_count(void)
{
	return for_each_instance(NULL);
}

static void remove_one(const char *uuid)
{
	mdev_remove(uuid);
}

/* A clean slate: remove whatever instances exist (errors are ignored). */
void mdev_remove_all(void)
{
	for_each_instance(remove_one);
}

void remover_init(struct remover *r, const char *uuid)
{
	memset(r, 0, sizeof(*r));
	snprintf(r->uuid, sizeof(r->uuid), "%s", uuid);
}

void *remover_run(void *arg)
{
	struct remover *r = arg;

	r->ret = mdev_remove_ns(r->uuid, &r->secs);
	r->secs /= 1e9;
	atomic_store(&r->done, 1);
	return NULL;
}

int remover_wait(struct remover *r, int ms)
{
	for (; ms > 0 && !atomic_load(&r->done); ms -= 10)
		usleep(10 * 1000);
	return atomic_load(&r->done);
}

uint64_t rand64(void)
{
	static int seeded;
	uint64_t v;

	if (!seeded) {
		unsigned int seed;

		if (getrandom(&seed, sizeof(seed), 0) != sizeof(seed))
			seed = (unsigned int)getpid();
		srandom(seed);
		seeded = 1;
	}
	v = (uint64_t)random() << 33;
	v ^= (uint64_t)random() << 11;
	v ^= (uint64_t)random();
	return v;
}

void rand_fill(void *buf, size_t len)
{
	uint8_t *p = buf;
	uint64_t v = 0;
	size_t i;

	for (i = 0; i < len; i++) {
		if (!(i & 7))
			v = rand64();
		p[i] = (uint8_t)v;
		v >>= 8;
	}
}

/* 16 bytes as a version-4 UUID string (the version and variant bits set). */
void uuid_format(char out[37], const uint8_t b[16])
{
	snprintf(out, 37,
		 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		 b[0], b[1], b[2], b[3], b[4], b[5], (b[6] & 0x0f) | 0x40, b[7],
		 (b[8] & 0x3f) | 0x80, b[9], b[10], b[11], b[12], b[13], b[14],
		 b[15]);
}

/* Random; getrandom so forked children never collide. */
void uuid_gen(char out[37])
{
	uint8_t b[16];

	if (getrandom(b, sizeof(b), 0) != sizeof(b))
		rand_fill(b, sizeof(b));
	uuid_format(out, b);
}
