// SPDX-License-Identifier: GPL-2.0
/*
 * mdpy VFIO device: the vfio_device_ops table and what it owns directly,
 * the life cycle of an instance (init, open, close, request, release) and
 * the read/write/mmap dispatch to config space and BAR0.
 */
#include <linux/uaccess.h>

#include "compat.h"
#include "mdpy.h"

static int mdpy_init_dev(struct vfio_device *vdev)
{
	struct mdpy_state *st = vdev_to_mdpy(vdev);
	struct mdev_device *mdev = to_mdev_device(vdev->dev);
	int ret;

	st->type = mtype_to_type(mdev->type);
	ret = mdpy_fb_init(&st->fb, st->type, mtype_to_picture(mdev->type));
	if (ret)
		return ret;
	mutex_init(&st->cfg_lock);
	mutex_lock(&st->cfg_lock);
	mdpy_core_init(&st->core, st->type);
	mdpy_publish_mode(st);
	mutex_unlock(&st->cfg_lock);
	mutex_init(&st->irq_lock);
	mdpy_mig_init(st);
	mdpy_account_held(sizeof(*st));
	return 0;
}

static void mdpy_release_dev(struct vfio_device *vdev)
{
	struct mdpy_state *st = vdev_to_mdpy(vdev);

	mdpy_mig_destroy(st);
	mutex_destroy(&st->irq_lock);
	mutex_destroy(&st->cfg_lock);
	mdpy_fb_destroy(&st->fb);
	mdpy_account_held(-(long)sizeof(*st));
	mdpy_compat_release_vdev(vdev);
}

/*
 * Every new user gets a device in its power-on state, as vfio-pci resets a
 * device on first open and after last close: nothing the previous VM left
 * in config space or on the screen carries over.
 */
static int mdpy_open_device(struct vfio_device *vdev)
{
	struct mdpy_state *st = vdev_to_mdpy(vdev);

	/* from here the admin's `resolution` is fixed: EBUSY */
	mutex_lock(&st->cfg_lock);
	st->in_use = true;
	mutex_unlock(&st->cfg_lock);
	mdpy_reset(st);
	return 0;
}

/*
 * The last fd and the last mapping are gone (a mapping holds the file), so
 * only a migration file could still reach the framebuffer pages: end it,
 * then give the pages back to the system.
 */
static void mdpy_close_device(struct vfio_device *vdev)
{
	struct mdpy_state *st = vdev_to_mdpy(vdev);

	mdpy_req_release(st);
	/* a saving file may outlive this: end it before its pages go */
	mdpy_mig_release(st);
	mdpy_fb_free_pages(&st->fb);
	mdpy_reset(st);
	mutex_lock(&st->cfg_lock);
	st->in_use = false;
	mutex_unlock(&st->cfg_lock);
}

/*
 * An admin removes the instance while a user holds it: the VFIO core calls
 * this every 10 seconds until the user lets go.  QEMU takes the REQ
 * eventfd as a request to unplug the device.
 */
static void mdpy_request(struct vfio_device *vdev, unsigned int count)
{
	struct mdpy_state *st = vdev_to_mdpy(vdev);

	if (mdpy_req_signal(st))
		dev_info(vdev->dev, "removal requested: asked the user to release the device (request %u)\n",
			 count + 1);
	else
		dev_info(vdev->dev, "removal requested: the user takes no requests; waiting until it closes the device (%u s so far)\n",
			 count * 10);
}

/*
 * Config space: at most 256 bytes, copied through the stack so that no
 * user copy, which may fault, runs under cfg_lock.  Only the @count bytes
 * filled below are ever copied out, so the buffer is exempt from the
 * kernel's stack zeroing (INIT_STACK_ALL_ZERO), which cost a 4-byte read
 * about 10% against the kernel sample in make bench.
 */
static ssize_t mdpy_cfg_rw(struct mdpy_state *st, char __user *ubuf,
			   size_t count, u64 off, bool write)
{
	u8 buf[MDPY_CFG_SIZE] __uninitialized;
	int ret;

	if (count > sizeof(buf))
		return -EINVAL;
	if (write && copy_from_user(buf, ubuf, count))
		return -EFAULT;

	mutex_lock(&st->cfg_lock);
	mdpy_sync_scanout(st);
	if (write) {
		ret = mdpy_cfg_write(&st->core, off, buf, count);
		mdpy_publish_mode(st);
	} else {
		ret = mdpy_cfg_read(&st->core, off, buf, count);
	}
	mutex_unlock(&st->cfg_lock);
	if (ret)
		return ret;

	if (!write && copy_to_user(ubuf, buf, count))
		return -EFAULT;
	return count;
}

static ssize_t mdpy_rw(struct vfio_device *vdev, char __user *ubuf,
		       size_t count, loff_t *ppos, bool write)
{
	struct mdpy_state *st = vdev_to_mdpy(vdev);
	ssize_t ret;
	u32 index;
	u64 off;

	ret = mdpy_access_decode(st->type, (u64)*ppos, count, &index, &off);
	if (ret)
		return ret;

	switch (index) {
	case MDPY_REGION_CONFIG:
		ret = mdpy_cfg_rw(st, ubuf, count, off, write);
		break;
	case MDPY_REGION_BAR0:
		ret = mdpy_fb_rw(&st->fb, off, ubuf, count, write);
		break;
	default:
		ret = -EINVAL;
		break;
	}
	if (ret > 0)
		*ppos += ret;
	return ret;
}

static ssize_t mdpy_read(struct vfio_device *vdev, char __user *buf,
			 size_t count, loff_t *ppos)
{
	return mdpy_rw(vdev, buf, count, ppos, false);
}

static ssize_t mdpy_write(struct vfio_device *vdev, const char __user *buf,
			  size_t count, loff_t *ppos)
{
	return mdpy_rw(vdev, (char __user *)buf, count, ppos, true);
}

static int mdpy_mmap(struct vfio_device *vdev, struct vm_area_struct *vma)
{
	struct mdpy_state *st = vdev_to_mdpy(vdev);
	u64 pos = (u64)vma->vm_pgoff << PAGE_SHIFT;
	u64 len = vma->vm_end - vma->vm_start;
	u32 index;
	u64 off;

	/* vm_pgoff << PAGE_SHIFT must not wrap before we decode it */
	if (vma->vm_pgoff > (U64_MAX >> PAGE_SHIFT))
		return -EINVAL;
	if (mdpy_access_decode(st->type, pos, len, &index, &off))
		return -EINVAL;
	if (index != MDPY_REGION_BAR0)
		return -EINVAL;
	/* a private mapping would copy pages away from the device */
	if (!(vma->vm_flags & VM_SHARED))
		return -EINVAL;

	return mdpy_fb_mmap(&st->fb, vma);
}

const struct vfio_device_ops mdpy_vfio_ops = {
	.name		= "vfio-mdpy",
	.init		= mdpy_init_dev,
	.release	= mdpy_release_dev,
	.open_device	= mdpy_open_device,
	.close_device	= mdpy_close_device,
	.request	= mdpy_request,
	.read		= mdpy_read,
	.write		= mdpy_write,
	.mmap		= mdpy_mmap,
	.ioctl		= mdpy_ioctl,
	MDPY_IOMMUFD_OPS
	MDPY_REGION_INFO_OP
};
