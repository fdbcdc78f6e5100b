/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every DRM API difference mdpy-drm cares about, in one place.  The
 * MDPY_DRM_HAVE_* macros come from probe.sh, which looks at the headers
 * being built against instead of trusting version numbers.
 */
#ifndef MDPY_DRM_COMPAT_H
#define MDPY_DRM_COMPAT_H

#include <drm/drm_fb_helper.h>
#include "compat-probes.h"

#if defined(MDPY_DRM_HAVE_CLIENTS_DIR)
#include <drm/clients/drm_client_setup.h>
#include <drm/drm_fbdev_shmem.h>
#elif defined(MDPY_DRM_HAVE_FBDEV_SHMEM_DRIVER_OPS)
#include <drm/drm_client_setup.h>
#include <drm/drm_fbdev_shmem.h>
#elif defined(MDPY_DRM_HAVE_FBDEV_SHMEM)
#include <drm/drm_fbdev_shmem.h>
#elif defined(MDPY_DRM_HAVE_FBDEV_GENERIC_H)
#include <drm/drm_fbdev_generic.h>
#endif

/*
 * The state an atomic commit carries, as the helper hooks receive it.
 * The driver names it through this macro so one source fits both names.
 */
#ifdef MDPY_DRM_HAVE_ATOMIC_COMMIT_STRUCT
#define mdpy_drm_atomic_state	drm_atomic_commit
#else
#define mdpy_drm_atomic_state	drm_atomic_state
#endif

/*
 * Fields of struct drm_driver that only some kernels have.  The fbdev
 * probe hook is how drm_client_setup() finds the shmem fbdev code.
 */
#ifdef MDPY_DRM_HAVE_FBDEV_SHMEM_DRIVER_OPS
#define MDPY_DRM_FBDEV_DRIVER_OPS	DRM_FBDEV_SHMEM_DRIVER_OPS,
#else
#define MDPY_DRM_FBDEV_DRIVER_OPS
#endif

#ifdef MDPY_DRM_HAVE_DRIVER_DATE
/* the date string means nothing to anyone; kernels still asking get one */
#define MDPY_DRM_DRIVER_DATE		.date = "20250101",
#else
#define MDPY_DRM_DRIVER_DATE
#endif

/*
 * Start fbdev emulation (the boot console) on a registered device.  Our
 * buffers are GEM shmem objects: newer kernels have an fbdev emulation
 * that draws into such a buffer directly; 6.1 has only the generic one,
 * which keeps its own shadow copy and flushes it through the same damage
 * path.  32 bpp is XRGB8888, the device's only format.
 */
static inline void mdpy_drm_fbdev_setup(struct drm_device *drm)
{
#if defined(MDPY_DRM_HAVE_FBDEV_SHMEM_DRIVER_OPS)
	drm_client_setup_with_fourcc(drm, DRM_FORMAT_XRGB8888);
#elif defined(MDPY_DRM_HAVE_FBDEV_SHMEM)
	drm_fbdev_shmem_setup(drm, 32);
#else
	drm_fbdev_generic_setup(drm, 32);
#endif
}

#endif /* MDPY_DRM_COMPAT_H */
