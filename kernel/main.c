// SPDX-License-Identifier: GPL-2.0
/*
 * mdpy: a mediated VFIO display device.
 *
 * This file is the module and mdev plumbing: the "mdpy" parent device, one
 * mdev type per type core/ parsed from the `types` parameter (the built-in
 * ones and those added), per-instance sysfs, and the
 * probe/remove that reserve an instance's memory and create and destroy its
 * VFIO device.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/device.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/platform_device.h>

#include "compat.h"
#include "mdpy.h"

#define MDPY_NAME		"mdpy"
#define MDPY_MAX_INSTANCES	4096

static unsigned int count = 4;
module_param(count, uint, 0444);
MODULE_PARM_DESC(count, "Maximum number of live instances, all types together (1-4096, default 4)");

static char *types;
module_param(types, charp, 0444);
MODULE_PARM_DESC(types, "Types to add to vga, xga and hd: WIDTHxHEIGHT,... (e.g. 2560x1440,3840x2160; each named mdpy-WIDTHxHEIGHT; up to 13, BAR0 at most 256 MiB)");

/* What core/ made of @types: the built-in types, then the added ones */
static struct mdpy_type_set mdpy_type_set;
static struct mdpy_mdev_type mdpy_mdev_types[MDPY_MAX_TYPES];
static struct mdev_type *mdpy_mdev_type_list[MDPY_MAX_TYPES];

static struct platform_device *mdpy_pdev;
static struct mdev_parent mdpy_parent;

static const struct attribute_group *mdpy_parent_groups[] = {
	&mdpy_account_group,
	NULL,
};

/*
 * The parent device.  mdev names its type directories after the parent's
 * driver ("mdpy-vga"), so the parent is a platform device bound to a
 * platform driver of that name; neither needs callbacks.
 */
static struct platform_driver mdpy_platform_driver = {
	.driver = {
		.name = MDPY_NAME,
		.suppress_bind_attrs = true,
		.dev_groups = mdpy_parent_groups,
	},
};

/* The most an instance of @type can hold: what it reserves at create */
static u64 mdpy_type_cost(const struct mdpy_type *type)
{
	return mdpy_instance_cost(type, PAGE_SIZE, sizeof(struct page *),
				  sizeof(struct mdpy_state));
}

static int mdpy_probe(struct mdev_device *mdev)
{
	const struct mdpy_type *type = mtype_to_type(mdev->type);
	u64 cost = mdpy_type_cost(type);
	struct mdpy_state *st;
	int ret;

	ret = mdpy_account_reserve(mdev->type->sysfs_name, cost);
	if (ret)
		return ret;

	st = vfio_alloc_device(mdpy_state, vdev, &mdev->dev, &mdpy_vfio_ops);
	if (IS_ERR(st)) {
		ret = PTR_ERR(st);
		goto err_unreserve;
	}
	st->reserved = cost;

	ret = vfio_register_emulated_iommu_dev(&st->vdev);
	if (ret)
		goto err_put;
	dev_set_drvdata(&mdev->dev, st);
	return 0;

err_put:
	vfio_put_device(&st->vdev);
err_unreserve:
	mdpy_account_unreserve(cost);
	return ret;
}

static void mdpy_remove(struct mdev_device *mdev)
{
	struct mdpy_state *st = dev_get_drvdata(&mdev->dev);
	u64 cost = st->reserved;

	/*
	 * Waits until userspace has closed every fd and mapping of the
	 * device, asking the user to let go (mdpy_vfio_ops.request) every
	 * 10 seconds meanwhile.
	 */
	vfio_unregister_group_dev(&st->vdev);
	vfio_put_device(&st->vdev);
	mdpy_account_unreserve(cost);
}

/*
 * The instance's default mode: what the guest sees at power-on and after
 * every reset.  An admin (or mdevctl, from its saved config) may change
 * it while no VM has the instance open.
 */
static ssize_t resolution_show(struct device *dev,
			       struct device_attribute *attr, char *buf)
{
	struct mdpy_state *st = dev_get_drvdata(dev);
	struct mdpy_mode def;

	mutex_lock(&st->cfg_lock);
	def = st->core.def;
	mutex_unlock(&st->cfg_lock);
	return sysfs_emit(buf, "%ux%u\n", def.width, def.height);
}

static ssize_t resolution_store(struct device *dev,
				struct device_attribute *attr,
				const char *buf, size_t count)
{
	struct mdpy_state *st = dev_get_drvdata(dev);
	struct mdpy_mode mode;
	const char *why;
	int ret;

	ret = mdpy_mode_parse(st->type, buf, count, &mode, &why);
	if (ret) {
		dev_info(dev, "resolution refused: %s (type %s takes up to %u bytes a frame)\n",
			 why, st->type->name, mdpy_bar_size(st->type));
		return ret;
	}
	mutex_lock(&st->cfg_lock);
	if (st->in_use) {
		ret = -EBUSY;
	} else {
		ret = mdpy_core_set_default(&st->core, &mode);
		mdpy_publish_mode(st);
	}
	mutex_unlock(&st->cfg_lock);
	if (ret == -EBUSY)
		dev_info(dev, "resolution refused: the instance is open; set it before the VM starts\n");
	return ret ? ret : count;
}
static DEVICE_ATTR_RW(resolution);

/* Framebuffer memory this instance holds now (pages touched so far) */
static ssize_t resident_bytes_show(struct device *dev,
				   struct device_attribute *attr, char *buf)
{
	struct mdpy_state *st = dev_get_drvdata(dev);

	return sysfs_emit(buf, "%lu\n",
			  atomic_long_read(&st->fb.resident) << PAGE_SHIFT);
}
static DEVICE_ATTR_RO(resident_bytes);

static struct attribute *mdpy_vendor_attrs[] = {
	&dev_attr_resolution.attr,
	&dev_attr_resident_bytes.attr,
	NULL,
};

static const struct attribute_group mdpy_vendor_group = {
	.name = "vendor",
	.attrs = mdpy_vendor_attrs,
};

static const struct attribute_group *mdpy_dev_groups[] = {
	&mdpy_vendor_group,
	NULL,
};

static ssize_t mdpy_show_description(struct mdev_type *mtype, char *buf)
{
	const struct mdpy_type *type = mtype_to_type(mtype);

	return sysfs_emit(buf, "%ux%u XRGB8888 display, %u KiB framebuffer in a %u KiB BAR\n",
			  type->width, type->height, mdpy_fb_size(type) / 1024,
			  mdpy_bar_size(type) / 1024);
}

/* account.c enforces @count and the memory budget across all types */
static unsigned int mdpy_get_available(struct mdev_type *mtype)
{
	return mdpy_account_available(mdpy_type_cost(mtype_to_type(mtype)));
}

static struct mdev_driver mdpy_mdev_driver = {
	.device_api = VFIO_DEVICE_API_PCI_STRING,
	.driver = {
		.name = MDPY_NAME,
		.owner = THIS_MODULE,
		.mod_name = KBUILD_MODNAME,
		.dev_groups = mdpy_dev_groups,
	},
	.probe = mdpy_probe,
	.remove = mdpy_remove,
	.get_available = mdpy_get_available,
	.show_description = mdpy_show_description,
};

static int __init mdpy_setup_types(void)
{
	struct mdpy_type_set *set = &mdpy_type_set;
	unsigned int i;

	if (mdpy_types_parse(set, types)) {
		/* one line; the token, not the whole list, which may be long */
		pr_err("bad types= entry %u \"%s\": %s\n",
		       set->entry, set->token, set->why);
		return -EINVAL;
	}
	for (i = 0; i < set->count; i++) {
		struct mdpy_mdev_type *t = &mdpy_mdev_types[i];

		t->type = &set->types[i];
		mutex_init(&t->picture.lock);
		/* BAR0 is mapped and counted in whole pages (16K/64K too) */
		if (mdpy_bar_size(t->type) % PAGE_SIZE) {
			pr_err("type %s: a %u-byte BAR0 is not a whole number of %lu-byte pages\n",
			       t->type->name, mdpy_bar_size(t->type), PAGE_SIZE);
			return -EINVAL;
		}
		snprintf(t->pretty_name, sizeof(t->pretty_name), "%s %ux%u",
			 t->type->label, t->type->width, t->type->height);
		t->mtype.sysfs_name = t->type->name;
		t->mtype.pretty_name = t->pretty_name;
		mdpy_mdev_type_list[i] = &t->mtype;
	}
	return 0;
}

static int __init mdpy_init(void)
{
	int ret;

	BUILD_BUG_ON(MDPY_REGION_BAR0 != VFIO_PCI_BAR0_REGION_INDEX);
	BUILD_BUG_ON(MDPY_REGION_CONFIG != VFIO_PCI_CONFIG_REGION_INDEX);
	BUILD_BUG_ON(MDPY_NUM_REGIONS != VFIO_PCI_NUM_REGIONS);
	BUILD_BUG_ON(MDPY_IRQ_INDEX_REQ != VFIO_PCI_REQ_IRQ_INDEX);
	BUILD_BUG_ON(MDPY_NUM_IRQ_INDEXES != VFIO_PCI_NUM_IRQS);
	BUILD_BUG_ON(MDPY_IRQ_DATA_NONE != VFIO_IRQ_SET_DATA_NONE);
	BUILD_BUG_ON(MDPY_IRQ_DATA_BOOL != VFIO_IRQ_SET_DATA_BOOL);
	BUILD_BUG_ON(MDPY_IRQ_DATA_EVENTFD != VFIO_IRQ_SET_DATA_EVENTFD);
	BUILD_BUG_ON(MDPY_IRQ_DATA_MASK != VFIO_IRQ_SET_DATA_TYPE_MASK);
	BUILD_BUG_ON(MDPY_IRQ_ACTION_MASK != VFIO_IRQ_SET_ACTION_MASK);
	BUILD_BUG_ON(MDPY_IRQ_ACTION_UNMASK != VFIO_IRQ_SET_ACTION_UNMASK);
	BUILD_BUG_ON(MDPY_IRQ_ACTION_TRIGGER != VFIO_IRQ_SET_ACTION_TRIGGER);
	BUILD_BUG_ON(MDPY_IRQ_ACTIONS != VFIO_IRQ_SET_ACTION_TYPE_MASK);
	BUILD_BUG_ON(MDPY_IRQ_SET_HDR_SIZE !=
		     offsetofend(struct vfio_irq_set, count));

	if (count < 1 || count > MDPY_MAX_INSTANCES) {
		pr_err("count=%u is out of range: use 1 to %u instances\n",
		       count, MDPY_MAX_INSTANCES);
		return -EINVAL;
	}
	ret = mdpy_setup_types();
	if (ret)
		return ret;
	ret = mdpy_account_init(count);
	if (ret)
		return ret;

	ret = mdev_register_driver(&mdpy_mdev_driver);
	if (ret)
		return ret;

	ret = platform_driver_register(&mdpy_platform_driver);
	if (ret)
		goto err_mdev_driver;

	mdpy_pdev = platform_device_register_simple(MDPY_NAME, PLATFORM_DEVID_NONE,
						    NULL, 0);
	if (IS_ERR(mdpy_pdev)) {
		ret = PTR_ERR(mdpy_pdev);
		goto err_platform_driver;
	}
	if (!mdpy_pdev->dev.driver) {
		/* another "mdpy" platform driver took the name */
		pr_err("parent device did not bind to the mdpy platform driver\n");
		ret = -EBUSY;
		goto err_pdev;
	}

	ret = mdev_register_parent(&mdpy_parent, &mdpy_pdev->dev,
				   &mdpy_mdev_driver, mdpy_mdev_type_list,
				   mdpy_type_set.count);
	if (ret)
		goto err_pdev;
	return 0;

err_pdev:
	platform_device_unregister(mdpy_pdev);
err_platform_driver:
	platform_driver_unregister(&mdpy_platform_driver);
err_mdev_driver:
	mdev_unregister_driver(&mdpy_mdev_driver);
	return ret;
}

static void __exit mdpy_exit(void)
{
	/* removes any instance left, waiting for their users to close */
	mdev_unregister_parent(&mdpy_parent);
	platform_device_unregister(mdpy_pdev);
	platform_driver_unregister(&mdpy_platform_driver);
	mdev_unregister_driver(&mdpy_mdev_driver);
}

module_init(mdpy_init);
module_exit(mdpy_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Mediated VFIO virtual display with a linear framebuffer");
