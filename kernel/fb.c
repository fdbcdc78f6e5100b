// SPDX-License-Identifier: GPL-2.0
/*
 * mdpy framebuffer memory (BAR0).
 *
 * Pages are allocated on first touch, so an idle instance costs only its
 * page table, and the BAR's power-of-two padding costs nothing unless a
 * guest writes there.  A page is filled with the power-on picture before it
 * is published; reads of pages never touched are answered from the core's
 * picture rule without allocating.
 *
 * Slots are never cleared while the device is open, which keeps the data
 * path lock-free: mmap faults, read/write and reset can all run at once.
 *
 * Pages and page tables are charged to the memory cgroup of the task that
 * makes them (the VMM touching the BAR, the admin creating the instance).
 * A page that cannot be had, because the cgroup is at its limit or memory
 * is short, fails that access like a bad device access (SIGBUS, -ENOMEM)
 * rather than waking an OOM killer for memory the guest can do without.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/mm.h>
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
static unsigned long mdpy_copy_user(void *kbuf, char __user *ubuf, size_t n,
				    bool to_user)
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

int mdpy_fb_init(struct mdpy_fb *fb, const struct mdpy_type *type)
{
	fb->type = type;
	fb->nr_pages = mdpy_bar_size(type) >> PAGE_SHIFT;
	fb->pages = kvcalloc(fb->nr_pages, sizeof(*fb->pages),
			     GFP_KERNEL_ACCOUNT);
	if (!fb->pages)
		return -ENOMEM;
	mdpy_account_held(fb->nr_pages * sizeof(*fb->pages));
	atomic_long_set(&fb->resident, 0);
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
	kvfree(fb->pages);
	mdpy_account_held(-(long)(fb->nr_pages * sizeof(*fb->pages)));
	fb->pages = NULL;
}

static struct page *mdpy_fb_lookup(struct mdpy_fb *fb, unsigned long idx)
{
	/* pairs with the cmpxchg in mdpy_fb_page(): see the page's fill too */
	return smp_load_acquire(&fb->pages[idx]);
}

/* The page at @idx, allocated and filled with the power-on picture if new */
static struct page *mdpy_fb_page(struct mdpy_fb *fb, unsigned long idx)
{
	struct page *page = mdpy_fb_lookup(fb, idx);
	struct page *old;

	if (page)
		return page;

	page = alloc_page(MDPY_FB_GFP);
	if (!page) {
		pr_warn_ratelimited("no memory for a framebuffer page (the memory cgroup of %s[%d] is at its limit, or memory is short)\n",
				    current->comm, task_pid_nr(current));
		return NULL;
	}
	mdpy_fb_initial(fb->type, (u64)idx << PAGE_SHIFT, page_address(page),
			PAGE_SIZE);

	/* fully ordered: the fill above is visible before the slot is */
	old = cmpxchg(&fb->pages[idx], NULL, page);
	if (old) {
		__free_page(page);
		return old;
	}
	atomic_long_inc(&fb->resident);
	mdpy_account_held(PAGE_SIZE);
	return page;
}

/*
 * Bytes never written hold the power-on picture, copied straight to the
 * user buffer: a row is one colour, so a short pattern made at the start of
 * each run (see mdpy_fb_run_end()) is copied as often as the run needs,
 * instead of building whole pages first.
 */
static int mdpy_fb_read_initial(const struct mdpy_type *type, u64 off,
				char __user *buf, size_t count)
{
	u8 pat[256];	/* a multiple of the pixel size */

	while (count) {
		size_t run = min_t(u64, count, mdpy_fb_run_end(type, off) - off);
		size_t plen = min(run, sizeof(pat));

		mdpy_fb_initial(type, off, pat, plen);
		count -= run;
		off += run;
		while (run) {
			size_t n = min(run, plen);

			if (copy_to_user(buf, pat, n))
				return -EFAULT;
			buf += n;
			run -= n;
		}
	}
	return 0;
}

ssize_t mdpy_fb_read(struct mdpy_fb *fb, u64 off, char __user *buf,
		     size_t count)
{
	size_t done = 0;

	while (done < count) {
		size_t pgoff = off & ~PAGE_MASK;
		size_t n = min_t(size_t, count - done, PAGE_SIZE - pgoff);
		struct page *page = mdpy_fb_lookup(fb, off >> PAGE_SHIFT);

		if (page) {
			if (mdpy_copy_user(page_address(page) + pgoff, buf + done,
					   n, true))
				return -EFAULT;
		} else if (mdpy_fb_read_initial(fb->type, off, buf + done, n)) {
			return -EFAULT;
		}
		done += n;
		off += n;
		cond_resched();
	}
	return done;
}

ssize_t mdpy_fb_write(struct mdpy_fb *fb, u64 off, const char __user *buf,
		      size_t count)
{
	size_t done = 0;

	while (done < count) {
		size_t pgoff = off & ~PAGE_MASK;
		size_t n = min_t(size_t, count - done, PAGE_SIZE - pgoff);
		struct page *page = mdpy_fb_page(fb, off >> PAGE_SHIFT);

		if (!page)
			return -ENOMEM;
		if (mdpy_copy_user(page_address(page) + pgoff,
				   (char __user *)buf + done, n, false))
			return -EFAULT;
		done += n;
		off += n;
		cond_resched();
	}
	return done;
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

/* Back to the power-on picture; pages stay, mappings see the new bytes */
void mdpy_fb_reset(struct mdpy_fb *fb)
{
	unsigned long i;

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

static vm_fault_t mdpy_fb_fault(struct vm_fault *vmf)
{
	struct mdpy_fb *fb = vmf->vma->vm_private_data;
	struct page *page;

	/* BAR0 is region 0, so the file page offset is the BAR page index */
	if (vmf->pgoff >= fb->nr_pages)
		return VM_FAULT_SIGBUS;
	/* no page (memcg limit): the access fails, no OOM killer for it */
	page = mdpy_fb_page(fb, vmf->pgoff);
	if (!page)
		return VM_FAULT_SIGBUS;
	get_page(page);
	vmf->page = page;
	return 0;
}

static const struct vm_operations_struct mdpy_fb_vm_ops = {
	.fault = mdpy_fb_fault,
};

int mdpy_fb_mmap(struct mdpy_fb *fb, struct vm_area_struct *vma)
{
	vma->vm_ops = &mdpy_fb_vm_ops;
	vma->vm_private_data = fb;
	vm_flags_set(vma, VM_DONTEXPAND | VM_DONTDUMP);
	return 0;
}
