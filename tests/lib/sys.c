// SPDX-License-Identifier: GPL-2.0
/*
 * sys.c - sysfs and /proc files, the module and the kernel log for the
 * test programs (testlib.h).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/klog.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "testlib.h"

double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

/* Whether the running kernel is MAJOR.MINOR or newer (yes if unknown) */
int kernel_at_least(int major, int minor)
{
	struct utsname u;
	int ma = 0, mi = 0;

	if (uname(&u) || sscanf(u.release, "%d.%d", &ma, &mi) != 2)
		return 1;
	return ma > major || (ma == major && mi >= minor);
}

int sysfs_read(const char *path, char *buf, size_t size)
{
	ssize_t n;
	int fd, e;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, size - 1);
	e = errno;
	close(fd);
	if (n < 0)
		return -e;
	buf[n] = 0;
	return (int)n;
}

/*
 * One write() of the whole string, as `echo x > attr` does; @ns, if set,
 * gets the time of that write() alone (what a benchmark of create or
 * remove wants, without the open and close around it).
 */
int sysfs_write_ns(const char *path, const char *s, double *ns)
{
	size_t len = strlen(s);
	double t0 = 0;
	ssize_t n;
	int fd, e;

	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (ns)
		t0 = now_ns();
	n = write(fd, s, len);
	e = errno;
	if (ns)
		*ns = now_ns() - t0;
	close(fd);
	if (n < 0)
		return -e;
	return n == (ssize_t)len ? 0 : -EIO;
}

int sysfs_write(const char *path, const char *s)
{
	return sysfs_write_ns(path, s, NULL);
}

/* A decimal number and at most a newline; anything else is -EINVAL. */
int sysfs_read_long(const char *path, long *val)
{
	char buf[64], *end;
	int n = sysfs_read(path, buf, sizeof(buf));

	if (n < 0)
		return n;
	errno = 0;
	*val = strtol(buf, &end, 10);
	if (errno || end == buf || (*end && strcmp(end, "\n")))
		return -EINVAL;
	return 0;
}

int path_exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

/* Entries of a directory other than "." and "..", or -errno. */
int dir_count(const char *path)
{
	struct dirent *de;
	DIR *dir;
	int n = 0;

	dir = opendir(path);
	if (!dir)
		return -errno;
	while ((de = readdir(dir)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			n++;
	closedir(dir);
	return n;
}

/*
 * The whole file (up to @size - 1 bytes), NUL-terminated: /proc files
 * come in pieces, so read until EOF.  Bytes read, or -errno.
 */
int file_read(const char *path, char *buf, size_t size)
{
	size_t got = 0;
	ssize_t n;
	int fd;

	buf[0] = 0;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	while (got < size - 1 &&
	       (n = read(fd, buf + got, size - 1 - got)) > 0)
		got += n;
	close(fd);
	buf[got] = 0;
	return (int)got;
}

/* Loaded and initialised (a module being removed has no initstate). */
int module_loaded(const char *name)
{
	char path[128];

	snprintf(path, sizeof(path), "/sys/module/%s/initstate", name);
	return path_exists(path);
}

int module_load(const char *ko, const char *params)
{
	int fd, ret = 0;

	fd = open(ko, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (syscall(SYS_finit_module, fd, params ? params : "", 0))
		ret = -errno;
	close(fd);
	return ret;
}

/* O_NONBLOCK: refuse at once if the module is in use, as rmmod does. */
int module_unload(const char *name)
{
	return syscall(SYS_delete_module, name, O_NONBLOCK) ? -errno : 0;
}

/*
 * Whether the kernel log holds a line with every one of the words (w2 and
 * w3 may be NULL).  Reads the whole ring buffer, as dmesg does.
 */
int klog_has(const char *w1, const char *w2, const char *w3)
{
	int size = klogctl(10 /* SYSLOG_ACTION_SIZE_BUFFER */, NULL, 0);
	char *buf, *line, *save = NULL;
	int n, found = 0;

	if (size <= 0)
		return 0;
	buf = malloc((size_t)size + 1);
	if (!buf)
		return 0;
	n = klogctl(3 /* SYSLOG_ACTION_READ_ALL */, buf, size);
	if (n < 0)
		n = 0;
	buf[n] = 0;
	for (line = strtok_r(buf, "\n", &save); line && !found;
	     line = strtok_r(NULL, "\n", &save))
		found = strstr(line, w1) && (!w2 || strstr(line, w2)) &&
			(!w3 || strstr(line, w3));
	free(buf);
	return found;
}

static int kmsg_fd = -1;

/* From now on kmsg_next() returns only records logged after this call. */
void kmsg_mark(void)
{
	if (kmsg_fd < 0)
		kmsg_fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (kmsg_fd >= 0)
		lseek(kmsg_fd, 0, SEEK_END);
}

/*
 * The text of the next record since the mark (without its "prefix;"),
 * NUL-terminated in @msg: 1, or 0 when there is none yet, -1 when
 * /dev/kmsg cannot be read.  Records overwritten meanwhile are skipped.
 */
int kmsg_next(char *msg, size_t size)
{
	char rec[8192], *text;
	ssize_t n;

	if (kmsg_fd < 0)
		return -1;
	do
		n = read(kmsg_fd, rec, sizeof(rec) - 1);
	while (n < 0 && errno == EPIPE);
	if (n <= 0)
		return 0;
	rec[n] = 0;
	text = strchr(rec, ';');
	snprintf(msg, size, "%s", text ? text + 1 : rec);
	return 1;
}
