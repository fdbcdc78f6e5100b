// SPDX-License-Identifier: GPL-2.0
/*
 * mdpy: a mediated VFIO display device.
 *
 * This file is the module and mdev plumbing: the "mdpy" parent device, one
 * mdev type per entry of the core's type table, per-instance sysfs, and the
 * probe/remove that create and destroy VFIO devices.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/device.h>
#include <linux/module.h>
#include <linux/platform_device.h>
#include <linux/slab.h>

#include "compat.h"
#include "mdpy.h"

#define MDPY_NAME		"mdpy"
#define MDPY_MAX_INSTANCES	4096

static unsigned int count = 4;
module_param(count, uint, 0444);
MODULE_PARM_DESC(count, "Maximum number of live instances, all types together (1-4096, default 4)");

/* An mdev type as the mdev core sees it, tied to its core description */
struct mdpy_mdev_type {
	struct mdev_type mtype;
	const struct mdpy_type *type;
	char pretty_name[32];
};

static struct mdpy_mdev_type mdpy_mdev_types[MDPY_NUM_TYPES];
static struct mdev_type *mdpy_mdev_type_list[MDPY_NUM_TYPES];

static const struct mdpy_type *mtype_to_type(struct mdev_type *mtype)
{
	return container_of(mtype, struct mdpy_mdev_type, mtype)->type;
}

static struct platform_device *mdpy_pdev;
static struct mdev_parent mdpy_parent;

/* See mdpy_mem_account() in mdpy.h; readable as the parent's held_bytes */
static atomic_long_t mdpy_held_bytes;

void mdpy_mem_account(long bytes)
{
	atomic_long_add(bytes, &mdpy_held_bytes);
}

static ssize_t held_bytes_show(struct device *dev,
			       struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%ld\n", atomic_long_read(&mdpy_held_bytes));
}
static DEVICE_ATTR_RO(held_bytes);

static struct attribute *mdpy_parent_attrs[] = {
	&dev_attr_held_bytes.attr,
	NULL,
};
ATTRIBUTE_GROUPS(mdpy_parent);

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

int mdpy_init_dev(struct vfio_device *vdev)
{
	struct mdpy_state *st = vdev_to_mdpy(vdev);
	struct mdev_device *mdev = to_mdev_device(vdev->dev);
	int ret;

	st->type = mtype_to_type(mdev->type);
	/* QUERY_GFX_PLANE runs every display refresh: answer from a copy */
	ret = mdpy_plane_get(st->type, MDPY_PLANE_PRIMARY, &st->plane);
	if (ret)
		return ret;
	ret = mdpy_fb_init(&st->fb, st->type);
	if (ret)
		return ret;
	mutex_init(&st->cfg_lock);
	mdpy_core_init(&st->core, st->type);
	mdpy_mem_account(sizeof(*st));
	return 0;
}

void mdpy_release_dev(struct vfio_device *vdev)
{
	struct mdpy_state *st = vdev_to_mdpy(vdev);

	mutex_destroy(&st->cfg_lock);
	mdpy_fb_destroy(&st->fb);
	mdpy_mem_account(-(long)sizeof(*st));
	mdpy_compat_release_vdev(vdev);
}

static int mdpy_probe(struct mdev_device *mdev)
{
	struct mdpy_state *st;
	int ret;

	st = vfio_alloc_device(mdpy_state, vdev, &mdev->dev, &mdpy_vfio_ops);
	if (IS_ERR(st))
		return PTR_ERR(st);

	ret = vfio_register_emulated_iommu_dev(&st->vdev);
	if (ret)
		goto err_put;
	dev_set_drvdata(&mdev->dev, st);
	return 0;

err_put:
	vfio_put_device(&st->vdev);
	return ret;
}

static void mdpy_remove(struct mdev_device *mdev)
{
	struct mdpy_state *st = dev_get_drvdata(&mdev->dev);

	/* waits until userspace has closed every fd of the device */
	vfio_unregister_group_dev(&st->vdev);
	vfio_put_device(&st->vdev);
}

static ssize_t resolution_show(struct device *dev,
			       struct device_attribute *attr, char *buf)
{
	struct mdpy_state *st = dev_get_drvdata(dev);

	return sysfs_emit(buf, "%ux%u\n", st->type->width, st->type->height);
}
static DEVICE_ATTR_RO(resolution);

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

/* max_instances makes the mdev core enforce @count across all types */
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
	.show_description = mdpy_show_description,
};

static void __init mdpy_setup_types(void)
{
	unsigned int i;

	for (i = 0; i < MDPY_NUM_TYPES; i++) {
		struct mdpy_mdev_type *t = &mdpy_mdev_types[i];

		t->type = &mdpy_types[i];
		snprintf(t->pretty_name, sizeof(t->pretty_name), "%s %ux%u",
			 t->type->label, t->type->width, t->type->height);
		t->mtype.sysfs_name = t->type->name;
		t->mtype.pretty_name = t->pretty_name;
		mdpy_mdev_type_list[i] = &t->mtype;
	}
}

static int __init mdpy_init(void)
{
	int ret;

	BUILD_BUG_ON(MDPY_REGION_BAR0 != VFIO_PCI_BAR0_REGION_INDEX);
	BUILD_BUG_ON(MDPY_REGION_CONFIG != VFIO_PCI_CONFIG_REGION_INDEX);
	BUILD_BUG_ON(MDPY_NUM_REGIONS != VFIO_PCI_NUM_REGIONS);

	if (count < 1 || count > MDPY_MAX_INSTANCES) {
		pr_err("count=%u is out of range: use 1 to %u instances\n",
		       count, MDPY_MAX_INSTANCES);
		return -EINVAL;
	}
	mdpy_setup_types();
	mdpy_mdev_driver.max_instances = count;

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
				   MDPY_NUM_TYPES);
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
