// SPDX-License-Identifier: GPL-2.0
/*
 * What mdpy instances may take, and what they hold.
 *
 * Two limits apply at create: `count` instances of all types together, and
 * a memory budget (`budget_mb`, default half of RAM at load).  Each
 * instance reserves the most it can ever come to hold (see
 * mdpy_instance_cost()), so the pages guests touch later always fit in the
 * budget and the host never runs out of memory because of mdpy.  What the
 * instances really hold is counted separately (held_bytes): pages come on
 * first touch, so an idle instance holds only its structs.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/device.h>
#include <linux/mm.h>
#include <linux/moduleparam.h>
#include <linux/spinlock.h>
#include <linux/sysfs.h>

#include "mdpy.h"

/* Bytes held now: structs, page tables and framebuffer pages */
static atomic_long_t mdpy_held_bytes;

/*
 * mdpy_budget_lock protects the reservations: @mdpy_live, @mdpy_reserved
 * and @mdpy_budget (which the budget_mb parameter may change at any time).
 */
static DEFINE_SPINLOCK(mdpy_budget_lock);
static unsigned int mdpy_live;		/* instances that exist */
static unsigned int mdpy_max_live;	/* the `count` parameter */
static u64 mdpy_reserved;		/* bytes reserved by them */
static u64 mdpy_budget;			/* bytes they may reserve together */

#define MDPY_BUDGET_MAX_MB	(4UL << 20)	/* 4 TiB: more is a typo */

static unsigned long budget_mb;	/* 0 at load: half of RAM */

static int budget_mb_set(const char *val, const struct kernel_param *kp)
{
	unsigned long mb;
	int ret;

	ret = kstrtoul(val, 0, &mb);
	if (ret)
		return ret;
	if (mb > MDPY_BUDGET_MAX_MB) {
		pr_err("budget_mb=%lu is out of range: use 1 to %lu, or 0 for half of RAM\n",
		       mb, MDPY_BUDGET_MAX_MB);
		return -EINVAL;
	}
	if (!mb)
		mb = (totalram_pages() << PAGE_SHIFT) / 2 >> 20;

	spin_lock(&mdpy_budget_lock);
	budget_mb = mb;
	mdpy_budget = (u64)mb << 20;
	spin_unlock(&mdpy_budget_lock);
	return 0;
}

static const struct kernel_param_ops budget_mb_ops = {
	.set = budget_mb_set,
	.get = param_get_ulong,
};
module_param_cb(budget_mb, &budget_mb_ops, &budget_mb, 0644);
MODULE_PARM_DESC(budget_mb, "Memory all instances may come to hold together, in MiB (0: half of RAM, the default); each instance reserves its whole BAR at create");

int mdpy_account_init(unsigned int max_instances)
{
	mdpy_max_live = max_instances;
	/* not given at load: take the default now that RAM is known */
	if (!budget_mb)
		return budget_mb_set("0", NULL);
	return 0;
}

/*
 * Take one instance slot and @bytes of the budget, or neither: -EUSERS
 * when `count` instances exist (as the mdev core reports it), -ENOSPC when
 * the budget cannot hold @bytes more.
 */
int mdpy_account_reserve(const char *type_name, u64 bytes)
{
	u64 reserved, budget;

	spin_lock(&mdpy_budget_lock);
	if (mdpy_live >= mdpy_max_live) {
		spin_unlock(&mdpy_budget_lock);
		return -EUSERS;
	}
	reserved = mdpy_reserved;
	budget = mdpy_budget;
	if (reserved <= budget && bytes <= budget - reserved) {
		mdpy_live++;
		mdpy_reserved += bytes;
		spin_unlock(&mdpy_budget_lock);
		return 0;
	}
	spin_unlock(&mdpy_budget_lock);

	pr_warn_ratelimited("cannot create a %s instance: it needs %llu KiB, %llu KiB of the %llu KiB budget are left (parameter budget_mb)\n",
			    type_name, bytes >> 10,
			    reserved < budget ? (budget - reserved) >> 10 : 0,
			    budget >> 10);
	return -ENOSPC;
}

void mdpy_account_unreserve(u64 bytes)
{
	spin_lock(&mdpy_budget_lock);
	mdpy_live--;
	mdpy_reserved -= bytes;
	spin_unlock(&mdpy_budget_lock);
}

/* How many more instances of @bytes each can be created now */
unsigned int mdpy_account_available(u64 bytes)
{
	u64 left;
	u32 n;

	spin_lock(&mdpy_budget_lock);
	left = mdpy_reserved < mdpy_budget ? mdpy_budget - mdpy_reserved : 0;
	n = mdpy_instances_left(mdpy_max_live - mdpy_live, left, bytes);
	spin_unlock(&mdpy_budget_lock);
	return n;
}

void mdpy_account_held(long bytes)
{
	atomic_long_add(bytes, &mdpy_held_bytes);
}

/* The parent's view: 0 held and 0 reserved whenever no instance exists */
static ssize_t held_bytes_show(struct device *dev,
			       struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%ld\n", atomic_long_read(&mdpy_held_bytes));
}
static DEVICE_ATTR_RO(held_bytes);

/* A consistent read of one of the budget's numbers */
static u64 mdpy_budget_read(const u64 *what)
{
	u64 v;

	spin_lock(&mdpy_budget_lock);
	v = *what;
	spin_unlock(&mdpy_budget_lock);
	return v;
}

static ssize_t reserved_bytes_show(struct device *dev,
				   struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%llu\n", mdpy_budget_read(&mdpy_reserved));
}
static DEVICE_ATTR_RO(reserved_bytes);

static ssize_t budget_bytes_show(struct device *dev,
				 struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%llu\n", mdpy_budget_read(&mdpy_budget));
}
static DEVICE_ATTR_RO(budget_bytes);

static struct attribute *mdpy_account_attrs[] = {
	&dev_attr_held_bytes.attr,
	&dev_attr_reserved_bytes.attr,
	&dev_attr_budget_bytes.attr,
	NULL,
};

const struct attribute_group mdpy_account_group = {
	.attrs = mdpy_account_attrs,
};
