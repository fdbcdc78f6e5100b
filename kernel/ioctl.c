// SPDX-License-Identifier: GPL-2.0
/*
 * mdpy VFIO device ioctls, and the state only they change: the REQ
 * eventfd.  VFIO_DEVICE_RESET is migrate.c's, as a reset also ends any
 * migration.
 *
 * Each handler copies in only the fixed part it needs, checks argsz and
 * flags before anything else, and copies out a struct that was zeroed
 * first, so no uninitialised byte reaches userspace.
 */
#include <linux/eventfd.h>
#include <linux/uaccess.h>

#include "compat.h"
#include "mdpy.h"

static long mdpy_get_info(void __user *arg)
{
	unsigned long minsz = offsetofend(struct vfio_device_info, num_irqs);
	struct vfio_device_info info = {};

	if (copy_from_user(&info, arg, minsz))
		return -EFAULT;
	if (info.argsz < minsz)
		return -EINVAL;

	info.flags = VFIO_DEVICE_FLAGS_PCI | VFIO_DEVICE_FLAGS_RESET;
	info.num_regions = MDPY_NUM_REGIONS;
	info.num_irqs = VFIO_PCI_NUM_IRQS;
	return copy_to_user(arg, &info, minsz) ? -EFAULT : 0;
}

/*
 * The one answer to "what is region info->index": the ioctl below (kernels
 * up to v6.18) and the core's get_region_info_caps op (v6.19 on) both use
 * it, so userspace sees the same regions whichever path asks.  Every field
 * but argsz and index is written.
 */
static int mdpy_region_info(struct mdpy_state *st,
			    struct vfio_region_info *info)
{
	if (info->index >= MDPY_NUM_REGIONS)
		return -EINVAL;

	info->offset = mdpy_region_offset(info->index);
	info->size = mdpy_region_size(st->type, info->index);
	info->cap_offset = 0;
	switch (info->index) {
	case MDPY_REGION_BAR0:
		info->flags = VFIO_REGION_INFO_FLAG_READ |
			      VFIO_REGION_INFO_FLAG_WRITE |
			      VFIO_REGION_INFO_FLAG_MMAP;
		break;
	case MDPY_REGION_CONFIG:
		info->flags = VFIO_REGION_INFO_FLAG_READ |
			      VFIO_REGION_INFO_FLAG_WRITE;
		break;
	default:
		info->flags = 0;	/* absent: size 0 */
		break;
	}
	return 0;
}

static long mdpy_get_region_info(struct mdpy_state *st, void __user *arg)
{
	unsigned long minsz = offsetofend(struct vfio_region_info, offset);
	struct vfio_region_info info = {};
	int ret;

	if (copy_from_user(&info, arg, minsz))
		return -EFAULT;
	if (info.argsz < minsz)
		return -EINVAL;

	ret = mdpy_region_info(st, &info);
	if (ret)
		return ret;
	return copy_to_user(arg, &info, minsz) ? -EFAULT : 0;
}

#ifdef MDPY_HAVE_GET_REGION_INFO_CAPS
/*
 * v6.19+: the core copies the request in, checks argsz, and copies the
 * answer (and any capability chain) out.  mdpy adds no capabilities.
 */
int mdpy_get_region_info_caps(struct vfio_device *vdev,
			      struct vfio_region_info *info,
			      struct vfio_info_cap *caps)
{
	return mdpy_region_info(vdev_to_mdpy(vdev), info);
}
#endif

/* Only the REQ index has an interrupt: an eventfd, set with SET_IRQS */
static long mdpy_get_irq_info(void __user *arg)
{
	unsigned long minsz = offsetofend(struct vfio_irq_info, count);
	struct vfio_irq_info info = {};

	if (copy_from_user(&info, arg, minsz))
		return -EFAULT;
	if (info.argsz < minsz || info.index >= VFIO_PCI_NUM_IRQS)
		return -EINVAL;

	info.count = mdpy_irq_count(info.index);
	info.flags = info.count ? VFIO_IRQ_INFO_EVENTFD : 0;
	return copy_to_user(arg, &info, minsz) ? -EFAULT : 0;
}

/* Replace the REQ eventfd with @ctx (NULL: none) */
static void mdpy_req_set(struct mdpy_state *st, struct eventfd_ctx *ctx)
{
	struct eventfd_ctx *old;

	mutex_lock(&st->irq_lock);
	old = st->req_trigger;
	st->req_trigger = ctx;
	mutex_unlock(&st->irq_lock);
	if (old)
		eventfd_ctx_put(old);
}

/* Signal the REQ eventfd; false if the user has set none */
bool mdpy_req_signal(struct mdpy_state *st)
{
	bool set;

	mutex_lock(&st->irq_lock);
	set = st->req_trigger;
	if (set)
		mdpy_eventfd_signal(st->req_trigger);
	mutex_unlock(&st->irq_lock);
	return set;
}

/* The last user is gone: its eventfd goes too */
void mdpy_req_release(struct mdpy_state *st)
{
	mdpy_req_set(st, NULL);
}

static long mdpy_set_irqs(struct mdpy_state *st, void __user *arg)
{
	unsigned long minsz = offsetofend(struct vfio_irq_set, count);
	struct vfio_irq_set hdr;
	struct mdpy_irq_set req;
	struct eventfd_ctx *ctx;
	u8 data[sizeof(s32)];
	u32 data_size;
	s32 fd = -1;
	int op;

	BUILD_BUG_ON(sizeof(hdr) != sizeof(req));
	if (copy_from_user(&hdr, arg, minsz))
		return -EFAULT;
	req = (struct mdpy_irq_set) {
		.argsz = hdr.argsz, .flags = hdr.flags, .index = hdr.index,
		.start = hdr.start, .count = hdr.count,
	};
	if (mdpy_irq_set_check(&req, &data_size) ||
	    data_size > sizeof(data))
		return -EINVAL;
	if (data_size && copy_from_user(data, arg + minsz, data_size))
		return -EFAULT;

	op = mdpy_irq_set_decode(&req, data, &fd);
	switch (op) {
	case MDPY_IRQ_OP_NONE:
		return 0;
	case MDPY_IRQ_OP_CLEAR:
		mdpy_req_set(st, NULL);
		return 0;
	case MDPY_IRQ_OP_SIGNAL:
		mdpy_req_signal(st);
		return 0;
	case MDPY_IRQ_OP_SET_FD:
		ctx = eventfd_ctx_fdget(fd);
		if (IS_ERR(ctx))
			return PTR_ERR(ctx);
		mdpy_req_set(st, ctx);
		return 0;
	default:
		return op < 0 ? op : -EINVAL;
	}
}

#define MDPY_PLANE_FLAGS (VFIO_GFX_PLANE_TYPE_PROBE | \
			  VFIO_GFX_PLANE_TYPE_DMABUF | \
			  VFIO_GFX_PLANE_TYPE_REGION)

static long mdpy_query_plane(struct mdpy_state *st, void __user *arg)
{
	unsigned long minsz = offsetofend(struct vfio_device_gfx_plane_info,
					  region_index);
	struct vfio_device_gfx_plane_info info = {};
	u64 packed = READ_ONCE(st->mode);
	struct mdpy_mode mode = {
		.width = (u32)packed,
		.height = (u32)(packed >> 32) & ~(u32)(MDPY_MODE_SHOWN >> 32),
	};
	bool scanout = (packed & MDPY_MODE_SHOWN) ||
		       atomic_read(&st->fb.written);
	struct mdpy_plane plane;

	if (copy_from_user(&info, arg, minsz))
		return -EFAULT;
	/* QEMU 7.2 sends the shorter pre-v6.7 struct: take anything this long */
	if (info.argsz < minsz || (info.flags & ~MDPY_PLANE_FLAGS))
		return -EINVAL;

	if (mdpy_plane_get(&mode, scanout, info.drm_plane_type, &plane))
		return -EINVAL;

	switch (info.flags) {
	case VFIO_GFX_PLANE_TYPE_PROBE | VFIO_GFX_PLANE_TYPE_REGION:
		return 0;	/* region planes are what we offer */
	case VFIO_GFX_PLANE_TYPE_REGION:
		break;
	default:
		return -EINVAL;	/* no dma-buf, and nothing else to probe */
	}

	/*
	 * The guest's current mode: QEMU resizes its window when it changes.
	 * Until the guest uses the display, format and size 0: QEMU then
	 * shows its ramfb if it has one (ramfb=on), else what it showed.
	 */
	info.drm_format = plane.format;
	info.drm_format_mod = 0;	/* DRM_FORMAT_MOD_LINEAR */
	info.width = plane.width;
	info.height = plane.height;
	info.stride = plane.stride;
	info.size = plane.size;
	info.x_pos = 0;
	info.y_pos = 0;
	info.x_hot = 0;
	info.y_hot = 0;
	info.region_index = plane.region_index;

	/*
	 * The fixed part is the whole answer (the v6.7+ tail is reserved).  A
	 * constant size lets the copy skip the hardened-usercopy object check:
	 * QEMU asks for a plane every refresh.
	 */
	return copy_to_user(arg, &info, minsz) ? -EFAULT : 0;
}

long mdpy_ioctl(struct vfio_device *vdev, unsigned int cmd, unsigned long arg)
{
	struct mdpy_state *st = vdev_to_mdpy(vdev);
	void __user *uarg = (void __user *)arg;

	switch (cmd) {
	case VFIO_DEVICE_GET_INFO:
		return mdpy_get_info(uarg);
	case VFIO_DEVICE_GET_REGION_INFO:
		return mdpy_get_region_info(st, uarg);
	case VFIO_DEVICE_GET_IRQ_INFO:
		return mdpy_get_irq_info(uarg);
	case VFIO_DEVICE_SET_IRQS:
		return mdpy_set_irqs(st, uarg);
	case VFIO_DEVICE_QUERY_GFX_PLANE:
		return mdpy_query_plane(st, uarg);
	case VFIO_DEVICE_RESET:
		mdpy_reset(st);
		return 0;
	default:
		return -ENOTTY;
	}
}
