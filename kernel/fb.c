// SPDX-License-Identifier: GPL-2.0
/*
 * mdpy framebuffer memory (BAR0).
 *
 * Pages are allocated on first touch, so an idle instance costs only its
 * page table, and the BAR's power-of-two padding costs nothing unless a
 * guest writes there.  A page is filled with the power-on picture before it
 * is published; reads of pages never touched are answered from the core's
 * picture rule without allocating.  From v6.10, where a device's mappings
 * can be found through its own inode, a read fault of such a page maps the
 * picture's page that all instances of the type share, read-only, so that
 * a display that is shown but not drawn on holds nothing of its own; the
 * first write gives the instance its page and unmaps the shared one.
 *
 * Slots are never cleared while the device is open, which keeps the data
 * path lock-free: mmap faults, read/write and reset can all run at once.
 *
 * Pages and page tables are charged to the memory cgroup of the task that
 * makes them (the VMM touching the BAR, the admin creating the instance;
 * a shared picture page, like a page cache page, to the first reader).
 * A page that cannot be had, because the cgroup is at its limit or memory
 * is short, fails that access like a bad device access (SIGBUS, -ENOMEM)
 * rather than waking an OOM killer for memory the guest can do without.
 *
 * Whether the guest has written BAR0 since the last reset is part of the
 * device's state (the SCANOUT flag): a trapped write says so directly; a
 * mapping is writable only after page_mkwrite has seen a write to that
 * page, and a reset write-protects every mapping again.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/mm.h>
#include <linux/pagemap.h>
#include <linux/sched/mm.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "compat.h"
#include "mdpy.h"

#define MDPY_FB_GFP	(GFP_KERNEL_ACCOUNT | __GFP_RETRY_MAYFAIL | __GFP_NOWARN)

/*
 * VMMs move trapped BAR bytes in 1, 2, 4 and 8 byte accesses.  A user
 * copy of constant size skips the hardened-usercopy object check, which
 * would otherwise cost more than the access itself.  Returns the bytes not
 * copied, like copy_{to,from}_user().
 */
static __always_inline unsigned long mdpy_copy_n(void *kbuf,
						 char __user *ubuf, size_t n,
						 bool to_user)
{
	return to_user ? copy_to_user(ubuf, kbuf, n) :
			 copy_from_user(kbuf, ubuf, n);
}

static unsigned long mdpy_copy_user(void *kbuf, char __user *ubuf, size_t n,
				    bool to_user)
{
	/* inlined with a literal size, each case copies a constant size */
	switch (n) {
	case 1:
		return mdpy_copy_n(kbuf, ubuf, 1, to_user);
	case 2:
		return mdpy_copy_n(kbuf, ubuf, 2, to_user);
	case 4:
		return mdpy_copy_n(kbuf, ubuf, 4, to_user);
	case 8:
		return mdpy_copy_n(kbuf, ubuf, 8, to_user);
	default:
		return mdpy_copy_n(kbuf, ubuf, n, to_user);
	}
}

/* Lock-free, on every write: only the first one since reset stores */
static inline void mdpy_fb_note_write(struct mdpy_fb *fb)
{
	if (!atomic_read(&fb->written))
		atomic_set(&fb->written, 1);
}

static struct page *mdpy_fb_lookup(struct mdpy_fb *fb, unsigned long idx)
{
	/* pairs with the cmpxchg in mdpy_fb_publish(): see the page's fill too */
	return smp_load_acquire(&fb->pages[idx]);
}

/* A new page for page @idx of BAR0, filled with the power-on picture */
static struct page *mdpy_fb_alloc_page(struct mdpy_fb *fb, unsigned long idx)
{
	struct page *page = alloc_page(MDPY_FB_GFP);

	if (!page) {
		pr_warn_ratelimited("no memory for a framebuffer page (the memory cgroup of %s[%d] is at its limit, or memory is short)\n",
				    current->comm, task_pid_nr(current));
		return NULL;
	}
	mdpy_fb_initial(fb->type, (u64)idx << PAGE_SHIFT, page_address(page),
			PAGE_SIZE);
	return page;
}

static const struct vm_operations_struct mdpy_fb_vm_ops;

#ifdef MDPY_HAVE_VDEV_INODE
#define MDPY_FB_SHARED_PICTURE	true

static void mdpy_fb_track_init(struct mdpy_fb *fb)
{
	fb->mapping = NULL;
}

static int mdpy_fb_track(struct mdpy_fb *fb, struct vm_area_struct *vma)
{
	/* the same for every file of the device: its own inode's */
	WRITE_ONCE(fb->mapping, vma->vm_file->f_mapping);
	return 0;
}

/* Unmap @n pages of BAR0 from @idx in every mapping: the next access faults */
static void mdpy_fb_unmap(struct mdpy_fb *fb, unsigned long idx,
			  unsigned long n)
{
	struct address_space *mapping = READ_ONCE(fb->mapping);

	if (mapping)
		unmap_mapping_range(mapping, (loff_t)idx << PAGE_SHIFT,
				    (loff_t)n << PAGE_SHIFT, 0);
}

/* Write-protect every mapping of BAR0 again: the next write faults */
static void mdpy_fb_rearm(struct mdpy_fb *fb)
{
	mdpy_fb_unmap(fb, 0, fb->nr_pages);
}

static int mdpy_fb_picture_get(struct mdpy_fb_picture *pic,
			       unsigned long nr_pages)
{
	int ret = 0;

	mutex_lock(&pic->lock);
	if (!pic->users) {
		pic->pages = kvcalloc(nr_pages, sizeof(*pic->pages),
				      GFP_KERNEL_ACCOUNT);
		if (!pic->pages) {
			ret = -ENOMEM;
			goto out;
		}
		pic->nr_pages = nr_pages;
		mdpy_account_held(nr_pages * sizeof(*pic->pages));
	}
	pic->users++;
out:
	mutex_unlock(&pic->lock);
	return ret;
}

/*
 * The type's last instance is gone, and with it every mapping of these
 * pages (a pin taken through one keeps its page until it is let go).
 */
static void mdpy_fb_picture_put(struct mdpy_fb_picture *pic)
{
	unsigned long i, freed = 0;

	mutex_lock(&pic->lock);
	if (--pic->users)
		goto out;
	for (i = 0; i < pic->nr_pages; i++) {
		if (pic->pages[i]) {
			put_page(pic->pages[i]);
			freed++;
		}
		if (!(i % 512))
			cond_resched();
	}
	kvfree(pic->pages);
	pic->pages = NULL;
	mdpy_account_held(-(long)(freed * PAGE_SIZE +
				  pic->nr_pages * sizeof(*pic->pages)));
out:
	mutex_unlock(&pic->lock);
}

/* The shared picture's page at @idx, made on first use */
static struct page *mdpy_fb_picture_page(struct mdpy_fb *fb, unsigned long idx)
{
	struct page **slot = &fb->picture->pages[idx];
	struct page *page, *old;

	/* pairs with the cmpxchg below: the page's fill is seen too */
	page = smp_load_acquire(slot);
	if (page)
		return page;
	page = mdpy_fb_alloc_page(fb, idx);
	if (!page)
		return NULL;
	old = cmpxchg(slot, NULL, page);
	if (old) {
		__free_page(page);
		return old;
	}
	mdpy_account_held(PAGE_SIZE);
	return page;
}

/*
 * Page @idx has a page of its own now: mappings that show the shared
 * picture there must fault again.  The picture page's lock orders the
 * unmap after a read fault that is mapping it (mdpy_fb_fault_picture()).
 */
static void mdpy_fb_unshare(struct mdpy_fb *fb, unsigned long idx)
{
	struct page *pic = READ_ONCE(fb->picture->pages[idx]);

	if (!pic)
		return;
	lock_page(pic);
	mdpy_fb_unmap(fb, idx, 1);
	unlock_page(pic);
}

/*
 * Publish @page as page @idx's own, unless one was first (returned).
 * Where the picture's page exists, its mappings go first, under its lock,
 * so no access through a mapping can see the picture once the slot is
 * set; a picture page made meanwhile is unmapped after.
 */
static struct page *mdpy_fb_publish(struct mdpy_fb *fb, unsigned long idx,
				    struct page *page)
{
	struct page *pic = READ_ONCE(fb->picture->pages[idx]);
	struct page *old;

	if (pic) {
		lock_page(pic);
		mdpy_fb_unmap(fb, idx, 1);
	}
	/* fully ordered: the fill is visible before the slot is */
	old = cmpxchg(&fb->pages[idx], NULL, page);
	if (pic)
		unlock_page(pic);
	else
		mdpy_fb_unshare(fb, idx);
	return old;
}

/*
 * A read fault of a page that has none of its own: the shared picture's,
 * locked, so that it is in the page table before a racing write that
 * publishes an own page can unmap it (mdpy_fb_unshare()), or that write
 * is seen here.
 */
static vm_fault_t mdpy_fb_fault_picture(struct vm_fault *vmf,
					struct mdpy_fb *fb)
{
	struct page *pic = mdpy_fb_picture_page(fb, vmf->pgoff);
	struct page *page;

	if (!pic)
		return VM_FAULT_SIGBUS;
	/* against the own page's cmpxchg and mdpy_fb_unshare()'s load */
	smp_mb();
	lock_page(pic);
	page = mdpy_fb_lookup(fb, vmf->pgoff);
	if (page) {
		unlock_page(pic);
		get_page(page);
		vmf->page = page;
		return 0;
	}
	get_page(pic);
	vmf->page = pic;
	return VM_FAULT_LOCKED;
}
#else
#define MDPY_FB_SHARED_PICTURE	false

/*
 * Before v6.10 the files of every VFIO device share one anonymous inode,
 * so a device's mappings cannot be found through its address space.  fb
 * keeps the address spaces (mm) that map BAR0 instead, each with its
 * number of our VMAs.  Mappings are not copied into a child (VM_DONTCOPY),
 * so only mmap brings a new mm; a split adds a VMA to an mm already here.
 * The mmap lock is held around mmap, open and close, and is taken after
 * @mm_lock never: mdpy_fb_rearm() drops @mm_lock first.
 */
struct mdpy_fb_mm {
	struct list_head node;
	struct mm_struct *mm;		/* mmgrab()ed while listed */
	unsigned long vmas;
	unsigned long pass;		/* the last rearm pass that took it */
};

static void mdpy_fb_track_init(struct mdpy_fb *fb)
{
	mutex_init(&fb->mm_lock);
	INIT_LIST_HEAD(&fb->mms);
	fb->rearm_pass = 0;
}

static struct mdpy_fb_mm *mdpy_fb_find_mm(struct mdpy_fb *fb,
					  struct mm_struct *mm)
{
	struct mdpy_fb_mm *m;

	lockdep_assert_held(&fb->mm_lock);
	list_for_each_entry(m, &fb->mms, node)
		if (m->mm == mm)
			return m;
	return NULL;
}

static int mdpy_fb_track(struct mdpy_fb *fb, struct vm_area_struct *vma)
{
	struct mdpy_fb_mm *m;
	int ret = 0;

	vm_flags_set(vma, VM_DONTCOPY);
	mutex_lock(&fb->mm_lock);
	m = mdpy_fb_find_mm(fb, vma->vm_mm);
	if (m) {
		m->vmas++;
		goto out;
	}
	m = kzalloc(sizeof(*m), GFP_KERNEL_ACCOUNT);
	if (!m) {
		ret = -ENOMEM;
		goto out;
	}
	m->mm = vma->vm_mm;
	mmgrab(m->mm);
	m->vmas = 1;
	list_add(&m->node, &fb->mms);
out:
	mutex_unlock(&fb->mm_lock);
	return ret;
}

static void mdpy_fb_vm_open(struct vm_area_struct *vma)
{
	struct mdpy_fb *fb = vma->vm_private_data;
	struct mdpy_fb_mm *m;

	mutex_lock(&fb->mm_lock);
	m = mdpy_fb_find_mm(fb, vma->vm_mm);
	if (m)
		m->vmas++;
	mutex_unlock(&fb->mm_lock);
}

static void mdpy_fb_vm_close(struct vm_area_struct *vma)
{
	struct mdpy_fb *fb = vma->vm_private_data;
	struct mdpy_fb_mm *m;

	mutex_lock(&fb->mm_lock);
	m = mdpy_fb_find_mm(fb, vma->vm_mm);
	if (m && !--m->vmas) {
		list_del(&m->node);
		mmdrop(m->mm);
		kfree(m);
	}
	mutex_unlock(&fb->mm_lock);
}

static void mdpy_fb_zap_mm(struct mdpy_fb *fb, struct mm_struct *mm)
{
	VMA_ITERATOR(vmi, mm, 0);
	struct vm_area_struct *vma;

	for_each_vma(vmi, vma)
		if (vma->vm_ops == &mdpy_fb_vm_ops &&
		    vma->vm_private_data == fb)
			zap_page_range(vma, vma->vm_start,
				       vma->vm_end - vma->vm_start);
}

/*
 * Write-protect every mapping of BAR0 again: one mm at a time, each under
 * its own mmap lock, which must not be waited for under @mm_lock.
 */
static void mdpy_fb_rearm(struct mdpy_fb *fb)
{
	struct mdpy_fb_mm *m;
	struct mm_struct *mm;
	unsigned long pass;

	mutex_lock(&fb->mm_lock);
	pass = ++fb->rearm_pass;
	for (;;) {
		mm = NULL;
		list_for_each_entry(m, &fb->mms, node) {
			if (m->pass != pass) {
				m->pass = pass;
				mm = m->mm;
				mmgrab(mm);
				break;
			}
		}
		mutex_unlock(&fb->mm_lock);
		if (!mm)
			return;
		if (mmget_not_zero(mm)) {
			mmap_read_lock(mm);
			mdpy_fb_zap_mm(fb, mm);
			mmap_read_unlock(mm);
			mmput(mm);
		}
		mmdrop(mm);
		mutex_lock(&fb->mm_lock);
	}
}

/*
 * The shared picture needs every mapping of one page unmapped when that
 * page gets its own, from inside a fault too, where other mms' mmap locks
 * cannot be taken: a read fault allocates here, as before.
 */
static int mdpy_fb_picture_get(struct mdpy_fb_picture *pic,
			       unsigned long nr_pages)
{
	return 0;
}

static void mdpy_fb_picture_put(struct mdpy_fb_picture *pic)
{
}

static void mdpy_fb_unshare(struct mdpy_fb *fb, unsigned long idx)
{
}

static struct page *mdpy_fb_publish(struct mdpy_fb *fb, unsigned long idx,
				    struct page *page)
{
	/* fully ordered: the fill is visible before the slot is */
	return cmpxchg(&fb->pages[idx], NULL, page);
}

static vm_fault_t mdpy_fb_fault_picture(struct vm_fault *vmf,
					struct mdpy_fb *fb)
{
	return VM_FAULT_SIGBUS;		/* not reached: nothing shared */
}
#endif

int mdpy_fb_init(struct mdpy_fb *fb, const struct mdpy_type *type,
		 struct mdpy_fb_picture *picture)
{
	int ret;

	fb->type = type;
	fb->picture = picture;
	fb->nr_pages = mdpy_bar_size(type) >> PAGE_SHIFT;
	fb->pages = kvcalloc(fb->nr_pages, sizeof(*fb->pages),
			     GFP_KERNEL_ACCOUNT);
	if (!fb->pages)
		return -ENOMEM;
	ret = mdpy_fb_picture_get(picture, fb->nr_pages);
	if (ret) {
		kvfree(fb->pages);
		fb->pages = NULL;
		return ret;
	}
	mdpy_account_held(fb->nr_pages * sizeof(*fb->pages));
	atomic_long_set(&fb->resident, 0);
	atomic_set(&fb->written, 0);
	mdpy_fb_track_init(fb);
	return 0;
}

/*
 * Free every page, back to an idle instance showing the power-on picture.
 * Only when no file or mapping can reach the device (last close, release).
 */
void mdpy_fb_free_pages(struct mdpy_fb *fb)
{
	unsigned long i, freed = 0;

	for (i = 0; i < fb->nr_pages; i++) {
		if (fb->pages[i]) {
			put_page(fb->pages[i]);
			fb->pages[i] = NULL;
			freed++;
		}
		if (!(i % 512))
			cond_resched();
	}
	atomic_long_sub(freed, &fb->resident);
	/* one update for the whole device, from what was really freed */
	mdpy_account_held(-(long)(freed * PAGE_SIZE));
}

void mdpy_fb_destroy(struct mdpy_fb *fb)
{
	mdpy_fb_free_pages(fb);
	mdpy_fb_picture_put(fb->picture);
	kvfree(fb->pages);
	mdpy_account_held(-(long)(fb->nr_pages * sizeof(*fb->pages)));
	fb->pages = NULL;
#ifndef MDPY_HAVE_VDEV_INODE
	mutex_destroy(&fb->mm_lock);
#endif
}

/* The page at @idx, allocated and filled with the power-on picture if new */
static struct page *mdpy_fb_page(struct mdpy_fb *fb, unsigned long idx)
{
	struct page *page = mdpy_fb_lookup(fb, idx);
	struct page *old;

	if (page)
		return page;

	page = mdpy_fb_alloc_page(fb, idx);
	if (!page)
		return NULL;
	old = mdpy_fb_publish(fb, idx, page);
	if (old) {
		__free_page(page);
		return old;
	}
	atomic_long_inc(&fb->resident);
	mdpy_account_held(PAGE_SIZE);
	return page;
}

/* Reads up to this many bytes take their pattern from the stack */
#define MDPY_FB_SMALL_READ	256

/*
 * Bytes never written hold the power-on picture, copied straight to the
 * user buffer.  The picture is made of runs of one colour (a row, or the
 * zero padding; see mdpy_fb_run_end()), and neighbouring rows often share
 * theirs, so @buf holds one colour repeated from a pixel boundary: any
 * stretch of a run is a copy from buf + (off % pixel size), and @buf is
 * filled again only when the colour changes.  Long reads get a page for
 * @buf, so that one copy moves up to a page; short ones a few pixels'
 * worth on the stack.
 */
struct mdpy_fb_pat {
	u32 *buf;
	size_t size;		/* bytes, a multiple of the pixel size */
	u32 pixel;		/* the colour in @buf, once @filled */
	bool filled;
};

static int mdpy_fb_read_initial(const struct mdpy_type *type, u64 off,
				char __user *buf, size_t count,
				struct mdpy_fb_pat *pat)
{
	while (count) {
		size_t run = min_t(u64, count, mdpy_fb_run_end(type, off) - off);
		size_t phase = off % MDPY_BYTES_PER_PIXEL;
		u32 pixel;

		/* the run's colour, as its bytes lie in memory */
		mdpy_fb_initial(type, off - phase, &pixel, sizeof(pixel));
		if (!pat->filled || pat->pixel != pixel) {
			memset32(pat->buf, pixel, pat->size / sizeof(u32));
			pat->pixel = pixel;
			pat->filled = true;
		}
		count -= run;
		off += run;
		while (run) {
			size_t n = min(run, pat->size - phase);

			if (copy_to_user(buf, (u8 *)pat->buf + phase, n))
				return -EFAULT;
			buf += n;
			run -= n;
			/* n ends on a pixel boundary unless the run ends */
			phase = (phase + n) % MDPY_BYTES_PER_PIXEL;
		}
	}
	return 0;
}

/*
 * Short reads, or no page free for the pattern: a small one on the stack,
 * in a function of its own so that the hot path of trapped accesses has
 * no such array to initialise (INIT_STACK_ALL_ZERO kernels zero it).
 */
static noinline int mdpy_fb_read_initial_small(const struct mdpy_type *type,
					       u64 off, char __user *buf,
					       size_t count)
{
	u32 stack_pat[MDPY_FB_SMALL_READ / sizeof(u32)];
	struct mdpy_fb_pat pat = { .buf = stack_pat,
				   .size = sizeof(stack_pat) };

	return mdpy_fb_read_initial(type, off, buf, count, &pat);
}

/*
 * BAR0 bytes through the device file.  A read of a page never touched is
 * answered from the picture rule; a write allocates the page.
 */
ssize_t mdpy_fb_rw(struct mdpy_fb *fb, u64 off, char __user *buf,
		   size_t count, bool write)
{
	struct mdpy_fb_pat pat = { };	/* a page, for long reads */
	bool pat_tried = false;
	size_t done = 0;
	ssize_t ret;

	while (done < count) {
		size_t pgoff = off & ~PAGE_MASK;
		size_t n = min_t(size_t, count - done, PAGE_SIZE - pgoff);
		unsigned long idx = off >> PAGE_SHIFT;
		struct page *page = write ? mdpy_fb_page(fb, idx) :
					    mdpy_fb_lookup(fb, idx);
		int err;

		if (page) {
			if (mdpy_copy_user(page_address(page) + pgoff,
					   buf + done, n, !write)) {
				ret = -EFAULT;
				goto out;
			}
			/* only a write that happened: a failed one changes nothing */
			if (write)
				mdpy_fb_note_write(fb);
		} else if (write) {
			ret = -ENOMEM;
			goto out;
		} else {
			if (!pat_tried && count - done > MDPY_FB_SMALL_READ) {
				pat_tried = true;
				pat.buf = (u32 *)__get_free_page(GFP_KERNEL |
								 __GFP_NOWARN);
				if (pat.buf)
					pat.size = PAGE_SIZE;
			}
			if (pat.buf)
				err = mdpy_fb_read_initial(fb->type, off,
							   buf + done, n, &pat);
			else
				err = mdpy_fb_read_initial_small(fb->type, off,
								 buf + done, n);
			if (err) {
				ret = err;
				goto out;
			}
		}
		done += n;
		off += n;
		cond_resched();
	}
	ret = done;
out:
	free_page((unsigned long)pat.buf);
	return ret;
}

/*
 * Kernel-side copies of whole pieces of a page, for migration: @len bytes
 * at @off that lie within one page.  mdpy_fb_load() answers untouched
 * pages from the power-on rule and says whether the page exists (only an
 * existing page can differ from the picture).
 */
bool mdpy_fb_load(struct mdpy_fb *fb, u64 off, void *buf, size_t len)
{
	struct page *page = mdpy_fb_lookup(fb, off >> PAGE_SHIFT);

	if (!page) {
		mdpy_fb_initial(fb->type, off, buf, len);
		return false;
	}
	memcpy(buf, page_address(page) + (off & ~PAGE_MASK), len);
	return true;
}

int mdpy_fb_store(struct mdpy_fb *fb, u64 off, const void *buf, size_t len)
{
	struct page *page = mdpy_fb_page(fb, off >> PAGE_SHIFT);

	if (!page)
		return -ENOMEM;
	memcpy(page_address(page) + (off & ~PAGE_MASK), buf, len);
	return 0;
}

/* Pages that exist, each of which may differ from the power-on picture */
unsigned long mdpy_fb_resident(struct mdpy_fb *fb)
{
	return atomic_long_read(&fb->resident);
}

/*
 * Back to the power-on picture; pages stay, mappings see the new bytes.
 * Not written since: if it was, mappings are write-protected again.
 */
void mdpy_fb_reset(struct mdpy_fb *fb)
{
	unsigned long i;

	/* a write racing with the reset may go unseen, as on hardware */
	if (atomic_xchg(&fb->written, 0))
		mdpy_fb_rearm(fb);

	for (i = 0; i < fb->nr_pages; i++) {
		struct page *page = mdpy_fb_lookup(fb, i);

		if (page)
			mdpy_fb_initial(fb->type, (u64)i << PAGE_SHIFT,
					page_address(page), PAGE_SIZE);
		/* a 4K-page hd BAR is 2048 pages to rewrite */
		if (!(i % 64))
			cond_resched();
	}
}

/* Pages a read fault maps at once: an aligned group, as fault-around */
#define MDPY_FB_AROUND	16

/* Map the run of @n own @pages at @addr, past any already mapped */
static void mdpy_fb_insert_run(struct vm_area_struct *vma, unsigned long addr,
			       struct page **pages, unsigned long n)
{
	while (n) {
		unsigned long left = n;
		int ret = vm_insert_pages(vma, addr, pages, &left);
		unsigned long done = n - left;

		if (ret != -EBUSY)
			return;
		/* one page was mapped already: go on after it */
		done++;
		addr += done << PAGE_SHIFT;
		pages += done;
		n -= min(done, n);
	}
}

/*
 * A read fault also maps the pages of the instance's own around it, in the
 * aligned group of MDPY_FB_AROUND pages that holds it (a copy may run
 * backwards): a first pass over a mapping then takes a fault per group,
 * not per page.  Pages without their own are left to their faults.
 */
static void mdpy_fb_map_around(struct vm_fault *vmf, struct mdpy_fb *fb)
{
	struct vm_area_struct *vma = vmf->vma;
	unsigned long fault = vmf->address & PAGE_MASK;
	unsigned long start = max(vma->vm_start,
				  ALIGN_DOWN(fault, MDPY_FB_AROUND * PAGE_SIZE));
	unsigned long end = min(vma->vm_end,
				start + MDPY_FB_AROUND * PAGE_SIZE);
	struct page *run[MDPY_FB_AROUND];
	unsigned long addr, n = 0, first = start;

	for (addr = start; addr < end; addr += PAGE_SIZE) {
		/* never below the VMA's first page, so never below 0 */
		unsigned long idx = vmf->pgoff + (addr >> PAGE_SHIFT) -
				    (fault >> PAGE_SHIFT);
		struct page *page = NULL;

		if (addr != fault && idx < fb->nr_pages)
			page = mdpy_fb_lookup(fb, idx);
		if (page) {
			if (!n)
				first = addr;
			run[n++] = page;
			continue;
		}
		if (n)
			mdpy_fb_insert_run(vma, first, run, n);
		n = 0;
	}
	if (n)
		mdpy_fb_insert_run(vma, first, run, n);
}

static vm_fault_t mdpy_fb_fault(struct vm_fault *vmf)
{
	struct mdpy_fb *fb = vmf->vma->vm_private_data;
	struct page *page;

	/* BAR0 is region 0, so the file page offset is the BAR page index */
	if (vmf->pgoff >= fb->nr_pages)
		return VM_FAULT_SIGBUS;
	if (MDPY_FB_SHARED_PICTURE && !(vmf->flags & FAULT_FLAG_WRITE) &&
	    !mdpy_fb_lookup(fb, vmf->pgoff))
		return mdpy_fb_fault_picture(vmf, fb);
	/* no page (memcg limit): the access fails, no OOM killer for it */
	page = mdpy_fb_page(fb, vmf->pgoff);
	if (!page)
		return VM_FAULT_SIGBUS;
	if (!(vmf->flags & FAULT_FLAG_WRITE))
		mdpy_fb_map_around(vmf, fb);
	get_page(page);
	vmf->page = page;
	return 0;
}

/*
 * The first write to a page through a mapping since it was mapped or
 * write-protected: the guest is using the display.  The page has no
 * address space, so the fault code must not look for one: it is locked
 * here and VM_FAULT_LOCKED says so.  A write to the shared picture gives
 * the instance its own page instead and unmaps the picture's: the retried
 * access faults that page in.
 */
static vm_fault_t mdpy_fb_mkwrite(struct vm_fault *vmf)
{
	struct mdpy_fb *fb = vmf->vma->vm_private_data;

	if (MDPY_FB_SHARED_PICTURE) {
		struct page *own = mdpy_fb_lookup(fb, vmf->pgoff);

		/* not the instance's own page: the shared picture's */
		if (vmf->page != own) {
			if (own)
				mdpy_fb_unshare(fb, vmf->pgoff);
			else if (!mdpy_fb_page(fb, vmf->pgoff))
				return VM_FAULT_SIGBUS;
			return VM_FAULT_NOPAGE;
		}
	}
	mdpy_fb_note_write(fb);
	lock_page(vmf->page);
	return VM_FAULT_LOCKED;
}

static const struct vm_operations_struct mdpy_fb_vm_ops = {
#ifndef MDPY_HAVE_VDEV_INODE
	.open = mdpy_fb_vm_open,
	.close = mdpy_fb_vm_close,
#endif
	.fault = mdpy_fb_fault,
	.page_mkwrite = mdpy_fb_mkwrite,
};

int mdpy_fb_mmap(struct mdpy_fb *fb, struct vm_area_struct *vma)
{
	int ret = mdpy_fb_track(fb, vma);

	if (ret)
		return ret;
	vma->vm_ops = &mdpy_fb_vm_ops;
	vma->vm_private_data = fb;
	vm_flags_set(vma, VM_DONTEXPAND | VM_DONTDUMP | VM_MIXEDMAP);
	return 0;
}
