/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every kernel API difference mdpy cares about, in one place.  The
 * MDPY_HAVE_* macros come from probe.sh, which looks at the headers being
 * built against instead of trusting version numbers.
 */
#ifndef MDPY_COMPAT_H
#define MDPY_COMPAT_H

#include <linux/eventfd.h>
#include <linux/mm.h>
#include <linux/vfio.h>
#include "compat-probes.h"

#ifndef MDPY_HAVE_VM_FLAGS_SET
static inline void vm_flags_set(struct vm_area_struct *vma, vm_flags_t flags)
{
	vma->vm_flags |= flags;
}
#endif

/* Older compiler_attributes.h lack it: then locals are zeroed as before */
#ifndef __uninitialized
#define __uninitialized
#endif

/* v6.8 dropped eventfd_signal()'s count argument (it was always 1) */
#ifdef MDPY_HAVE_EVENTFD_SIGNAL_CTX_ONLY
#define mdpy_eventfd_signal(ctx)	eventfd_signal(ctx)
#else
#define mdpy_eventfd_signal(ctx)	eventfd_signal(ctx, 1)
#endif

/* The last step of vfio_device_ops.release */
static inline void mdpy_compat_release_vdev(struct vfio_device *vdev)
{
#ifdef MDPY_HAVE_VFIO_FREE_DEVICE
	vfio_free_device(vdev);
#endif
}

/*
 * The kernel-dependent members of mdpy_vfio_ops (vfio_dev.c): the iommufd
 * ops, and the region-info op, each empty where the kernel lacks it.
 */
#ifdef MDPY_HAVE_IOMMUFD_EMULATED
#define MDPY_IOMMUFD_OPS						\
	.bind_iommufd = vfio_iommufd_emulated_bind,			\
	.unbind_iommufd = vfio_iommufd_emulated_unbind,			\
	.attach_ioas = vfio_iommufd_emulated_attach_ioas,		\
	MDPY_IOMMUFD_DETACH_OP
#else
#define MDPY_IOMMUFD_OPS
#endif

#ifdef MDPY_HAVE_DETACH_IOAS
#define MDPY_IOMMUFD_DETACH_OP						\
	.detach_ioas = vfio_iommufd_emulated_detach_ioas,
#else
#define MDPY_IOMMUFD_DETACH_OP
#endif

/*
 * v6.19 moved VFIO_DEVICE_GET_REGION_INFO into the VFIO core, which asks the
 * driver through get_region_info_caps (ioctl.c); without the op every
 * region query fails with -EINVAL.
 */
#ifdef MDPY_HAVE_GET_REGION_INFO_CAPS
int mdpy_get_region_info_caps(struct vfio_device *vdev,
			      struct vfio_region_info *info,
			      struct vfio_info_cap *caps);
#define MDPY_REGION_INFO_OP						\
	.get_region_info_caps = mdpy_get_region_info_caps,
#else
#define MDPY_REGION_INFO_OP
#endif

#endif /* MDPY_COMPAT_H */
