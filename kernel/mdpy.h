/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mdpy host driver: per-instance state shared by the kernel glue files.
 */
#ifndef MDPY_H
#define MDPY_H

#include <linux/atomic.h>
#include <linux/mdev.h>
#include <linux/mm_types.h>
#include <linux/mutex.h>
#include <linux/uaccess.h>
#include <linux/vfio.h>

#include "../core/mdpy_core.h"

/*
 * Framebuffer (BAR0) memory, allocated a page at a time on first touch.
 * A slot in @pages goes from NULL to a filled page exactly once (cmpxchg)
 * and stays until mdpy_fb_destroy(), so readers need no lock: they load the
 * slot with acquire semantics and see a fully initialised page or NULL.
 */
struct mdpy_fb {
	const struct mdpy_type *type;
	unsigned long nr_pages;		/* BAR0 size in pages */
	struct page **pages;
	atomic_long_t resident;		/* slots filled, for accounting */
};

int mdpy_fb_init(struct mdpy_fb *fb, const struct mdpy_type *type);
void mdpy_fb_destroy(struct mdpy_fb *fb);
void mdpy_fb_reset(struct mdpy_fb *fb);
ssize_t mdpy_fb_read(struct mdpy_fb *fb, u64 off, char __user *buf,
		     size_t count);
ssize_t mdpy_fb_write(struct mdpy_fb *fb, u64 off, const char __user *buf,
		      size_t count);
int mdpy_fb_mmap(struct mdpy_fb *fb, struct vm_area_struct *vma);

/*
 * VMMs move config space and trapped BAR bytes in 1, 2, 4 and 8 byte
 * accesses.  A user copy of constant size skips the hardened-usercopy
 * object check, which would otherwise cost more than the access itself.
 * Returns the bytes not copied, like copy_{to,from}_user().
 */
static inline unsigned long mdpy_copy_user(void *kbuf, char __user *ubuf,
					   size_t n, bool to_user)
{
	switch (n) {
	case 1:
		return to_user ? copy_to_user(ubuf, kbuf, 1) :
				 copy_from_user(kbuf, ubuf, 1);
	case 2:
		return to_user ? copy_to_user(ubuf, kbuf, 2) :
				 copy_from_user(kbuf, ubuf, 2);
	case 4:
		return to_user ? copy_to_user(ubuf, kbuf, 4) :
				 copy_from_user(kbuf, ubuf, 4);
	case 8:
		return to_user ? copy_to_user(ubuf, kbuf, 8) :
				 copy_from_user(kbuf, ubuf, 8);
	default:
		return to_user ? copy_to_user(ubuf, kbuf, n) :
				 copy_from_user(kbuf, ubuf, n);
	}
}

/* One mdev instance */
struct mdpy_state {
	struct vfio_device vdev;
	const struct mdpy_type *type;
	struct mdpy_fb fb;
	struct mdpy_plane plane;	/* fixed by the type, set at init */
	struct mutex cfg_lock;		/* protects @core */
	struct mdpy_core core;
};

static inline struct mdpy_state *vdev_to_mdpy(struct vfio_device *vdev)
{
	return container_of(vdev, struct mdpy_state, vdev);
}

/*
 * Driver-wide count of the memory mdpy holds for its devices (instance
 * structs, page tables, framebuffer pages, transient bounce buffers),
 * shown as the parent's held_bytes: 0 whenever no instance exists, so
 * tests can prove to the byte that nothing leaked.
 */
void mdpy_mem_account(long bytes);

int mdpy_init_dev(struct vfio_device *vdev);
void mdpy_release_dev(struct vfio_device *vdev);
void mdpy_reset(struct mdpy_state *st);
long mdpy_ioctl(struct vfio_device *vdev, unsigned int cmd, unsigned long arg);

extern const struct vfio_device_ops mdpy_vfio_ops;

#endif /* MDPY_H */
