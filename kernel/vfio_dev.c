// SPDX-License-Identifier: GPL-2.0
/*
 * mdpy VFIO device file: read/write/mmap dispatch to config space and
 * BAR0, and the vfio_device_ops table.
 */
#include <linux/lockdep.h>
#include <linux/uaccess.h>

#include "compat.h"
#include "mdpy.h"

static int mdpy_cfg_access(struct mdpy_state *st, u64 off, u8 *buf,
			   size_t count, bool write)
{
	lockdep_assert_held(&st->cfg_lock);

	if (write)
		return mdpy_cfg_write(&st->core, off, buf, count);
	return mdpy_cfg_read(&st->core, off, buf, count);
}

/*
 * Config bytes go through a kernel buffer (@tmp, at least @count long), so
 * no user copy, which may fault, runs under cfg_lock.
 */
static ssize_t mdpy_cfg_move(struct mdpy_state *st, u8 *tmp,
			     char __user *ubuf, size_t count, u64 off,
			     bool write)
{
	int ret;

	if (write && mdpy_copy_user(tmp, ubuf, count, false))
		return -EFAULT;

	mutex_lock(&st->cfg_lock);
	ret = mdpy_cfg_access(st, off, tmp, count, write);
	mutex_unlock(&st->cfg_lock);
	if (ret)
		return ret;

	if (!write && mdpy_copy_user(tmp, ubuf, count, true))
		return -EFAULT;
	return count;
}

/* Odd or long accesses (at most 256 bytes): only they pay for a big buffer */
static noinline_for_stack ssize_t
mdpy_cfg_rw_bounce(struct mdpy_state *st, char __user *ubuf, size_t count,
		   u64 off, bool write)
{
	u8 tmp[MDPY_CFG_SIZE];

	if (count > sizeof(tmp))
		return -EINVAL;
	return mdpy_cfg_move(st, tmp, ubuf, count, off, write);
}

static ssize_t mdpy_cfg_rw(struct mdpy_state *st, char __user *ubuf,
			   size_t count, u64 off, bool write)
{
	u8 tmp[4];

	if (count != 1 && count != 2 && count != 4)
		return mdpy_cfg_rw_bounce(st, ubuf, count, off, write);
	return mdpy_cfg_move(st, tmp, ubuf, count, off, write);
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
		if (write)
			ret = mdpy_fb_write(&st->fb, off,
					    (const char __user *)ubuf, count);
		else
			ret = mdpy_fb_read(&st->fb, off, ubuf, count);
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

/* Power-on state for config space and framebuffer (VFIO_DEVICE_RESET) */
void mdpy_reset(struct mdpy_state *st)
{
	mutex_lock(&st->cfg_lock);
	mdpy_core_reset(&st->core);
	mutex_unlock(&st->cfg_lock);
	mdpy_fb_reset(&st->fb);
}

const struct vfio_device_ops mdpy_vfio_ops = {
	.name		= "vfio-mdpy",
	.init		= mdpy_init_dev,
	.release	= mdpy_release_dev,
	.read		= mdpy_read,
	.write		= mdpy_write,
	.mmap		= mdpy_mmap,
	.ioctl		= mdpy_ioctl,
	MDPY_IOMMUFD_OPS
	MDPY_REGION_INFO_OP
};
