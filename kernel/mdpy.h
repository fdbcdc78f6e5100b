/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mdpy host driver: the per-instance state, and the few functions one
 * kernel/ file offers another.  Calls go one way only:
 *
 *   main.c -> device.c -> ioctl.c -> migrate.c -> fb.c -> account.c
 *   (main.c and device.c also use account.c; device.c also uses fb.c and
 *   migrate.c)
 *
 * Each prototype below says why another file needs it.
 */
#ifndef MDPY_H
#define MDPY_H

#include <linux/atomic.h>
#include <linux/eventfd.h>
#include <linux/mdev.h>
#include <linux/mm_types.h>
#include <linux/mutex.h>
#include <linux/vfio.h>

#include "../core/mdpy_core.h"
#include "compat-probes.h"

/*
 * The power-on picture in whole pages, shared by every instance of one
 * type: where a device's mappings can be found through its own inode
 * (MDPY_HAVE_VDEV_INODE), a read fault of a page that an instance never
 * wrote maps the page from here, read-only, so a display that is watched
 * but not drawn on holds no memory of its own (fb.c).
 */
struct mdpy_fb_picture {
	struct mutex lock;		/* protects the three below */
	unsigned int users;		/* instances of the type */
	unsigned long nr_pages;
	struct page **pages;		/* slots filled lock-free (cmpxchg) */
};

/*
 * Framebuffer (BAR0) memory, allocated a page at a time on first touch.
 * While the device is open a slot in @pages goes from NULL to a filled
 * page exactly once (cmpxchg), so readers need no lock: they load the slot
 * with acquire semantics and see a fully initialised page or NULL.  Slots
 * are emptied only when nothing can reach the pages (last close, release).
 */
struct mdpy_fb {
	const struct mdpy_type *type;
	struct mdpy_fb_picture *picture;	/* its type's */
	unsigned long nr_pages;		/* BAR0 size in pages */
	struct page **pages;
	atomic_long_t resident;		/* slots filled, for accounting */
	/*
	 * Whether BAR0 was written since the last reset, by any path: set
	 * lock-free by every write, cleared by mdpy_fb_reset(), which also
	 * write-protects every mapping again so that the next write through
	 * one is seen (the vm_ops' page_mkwrite).
	 */
	atomic_t written;
#ifdef MDPY_HAVE_VDEV_INODE
	struct address_space *mapping;	/* the device inode's, once mapped */
#else
	struct mutex mm_lock;		/* protects the two below */
	struct list_head mms;		/* struct mdpy_fb_mm: who maps us */
	unsigned long rearm_pass;
#endif
};

/* An mdev type as the mdev core sees it, tied to its core description */
struct mdpy_mdev_type {
	struct mdev_type mtype;
	const struct mdpy_type *type;
	struct mdpy_fb_picture picture;
	char pretty_name[32];
};

static inline const struct mdpy_type *mtype_to_type(struct mdev_type *mtype)
{
	return container_of(mtype, struct mdpy_mdev_type, mtype)->type;
}

static inline struct mdpy_fb_picture *mtype_to_picture(struct mdev_type *mtype)
{
	return &container_of(mtype, struct mdpy_mdev_type, mtype)->picture;
}

/* One mdev instance */
struct mdpy_mig_save;
struct mdpy_mig_load;

struct mdpy_state {
	struct vfio_device vdev;
	const struct mdpy_type *type;
	struct mdpy_fb fb;
	u64 reserved;			/* bytes this instance holds in the budget */

	struct mutex cfg_lock;		/* protects the three below */
	struct mdpy_core core;
	bool in_use;			/* open: the default mode is fixed */
	/*
	 * The current mode, width | height << 32, and MDPY_MODE_SHOWN when
	 * config space says the guest uses the display, for the plane query
	 * that QEMU sends every refresh: one load, no lock.  Written with
	 * mdpy_publish_mode() wherever config space may have changed.  A
	 * BAR0 write fb.c saw, and config space did not yet, is in
	 * @fb.written.
	 */
	u64 mode;

	struct mutex irq_lock;		/* protects @req_trigger */
	struct eventfd_ctx *req_trigger;	/* REQ eventfd, or NULL */

	/* taken before a migration file's lock and before @cfg_lock */
	struct mutex mig_lock;		/* protects the three below */
	enum vfio_device_mig_state mig_state;
	struct mdpy_mig_save *mig_save;	/* saving file, or NULL */
	struct mdpy_mig_load *mig_load;	/* resuming file, or NULL */
};

static inline struct mdpy_state *vdev_to_mdpy(struct vfio_device *vdev)
{
	return container_of(vdev, struct mdpy_state, vdev);
}

/*
 * Under @cfg_lock: config space's FLAGS show a BAR0 write that fb.c saw
 * lock-free (a SET command the core sees itself)
 */
static inline void mdpy_sync_scanout(struct mdpy_state *st)
{
	lockdep_assert_held(&st->cfg_lock);
	if (atomic_read(&st->fb.written))
		mdpy_core_set_scanout(&st->core);
}

/* Sides are at most 16384, so the top bit of @mode is free */
#define MDPY_MODE_SHOWN		BIT_ULL(63)

/* Under @cfg_lock, after anything that may change the current mode */
static inline void mdpy_publish_mode(struct mdpy_state *st)
{
	struct mdpy_mode m;

	lockdep_assert_held(&st->cfg_lock);
	mdpy_core_mode(&st->core, &m);
	WRITE_ONCE(st->mode, (u64)m.width | (u64)m.height << 32 |
		   (mdpy_core_scanout(&st->core) ? MDPY_MODE_SHOWN : 0));
}

/* device.c: main.c creates VFIO devices with these ops */
extern const struct vfio_device_ops mdpy_vfio_ops;

/*
 * ioctl.c: device.c's ops table dispatches ioctls here; the request op and
 * last close reach the REQ eventfd, which SET_IRQS owns.
 */
long mdpy_ioctl(struct vfio_device *vdev, unsigned int cmd, unsigned long arg);
bool mdpy_req_signal(struct mdpy_state *st);
void mdpy_req_release(struct mdpy_state *st);

/*
 * migrate.c: device.c sets up and ends the migration state machine with
 * the instance; a reset (ioctl.c, and device.c at open and last close)
 * also ends any migration, so it lives there.
 */
void mdpy_mig_init(struct mdpy_state *st);
void mdpy_mig_destroy(struct mdpy_state *st);
void mdpy_mig_release(struct mdpy_state *st);
void mdpy_reset(struct mdpy_state *st);

/*
 * fb.c: device.c routes BAR0 accesses here; migrate.c resets the picture
 * and moves whole pages in and out of a migration stream.
 */
int mdpy_fb_init(struct mdpy_fb *fb, const struct mdpy_type *type,
		 struct mdpy_fb_picture *picture);
void mdpy_fb_destroy(struct mdpy_fb *fb);
void mdpy_fb_reset(struct mdpy_fb *fb);
void mdpy_fb_free_pages(struct mdpy_fb *fb);
ssize_t mdpy_fb_rw(struct mdpy_fb *fb, u64 off, char __user *buf,
		   size_t count, bool write);
int mdpy_fb_mmap(struct mdpy_fb *fb, struct vm_area_struct *vma);
bool mdpy_fb_load(struct mdpy_fb *fb, u64 off, void *buf, size_t len);
int mdpy_fb_store(struct mdpy_fb *fb, u64 off, const void *buf, size_t len);
unsigned long mdpy_fb_resident(struct mdpy_fb *fb);

/*
 * account.c: the one place that knows what instances may take (count and
 * memory budget) and what they hold.  main.c reserves at create and shows
 * the totals; fb.c and device.c report what they allocate and free.
 */
int mdpy_account_init(unsigned int max_instances);
int mdpy_account_reserve(const char *type_name, u64 bytes);
void mdpy_account_unreserve(u64 bytes);
unsigned int mdpy_account_available(u64 bytes);
void mdpy_account_held(long bytes);
extern const struct attribute_group mdpy_account_group;

#endif /* MDPY_H */
