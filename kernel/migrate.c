// SPDX-License-Identifier: GPL-2.0
/*
 * mdpy live migration (VFIO migration v2) and device reset.
 *
 * The device has no engine of its own: its state is config space and the
 * framebuffer, so the state machine only decides when data moves.  The
 * stream is built and checked by core/ (mdpy_mig.h); here it is cut into
 * read() and write() calls.
 *
 * Saving (PRE_COPY, STOP_COPY) sends, in passes, the pages whose content
 * differs from what the reader already has: the power-on picture at first,
 * later the copy last sent.  A pass compares content hashes instead of
 * tracking writes, because most writes come through QEMU's mapping of
 * BAR0, which the driver never sees; comparing costs one read of the pages
 * that exist, and only pages that changed are sent again.
 *
 * Resuming stages every page of the stream and applies nothing until the
 * whole stream has been checked (its END record), so a refused stream
 * leaves the device in its power-on state and frees what was staged.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/anon_inodes.h>
#include <linux/bitmap.h>
#include <linux/file.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "compat.h"
#include "mdpy.h"
#include "../core/mdpy_mig.h"

#define MDPY_MIG_GFP	(GFP_KERNEL_ACCOUNT | __GFP_NOWARN)

/*
 * The saving side of a stream.  @lock serialises read() against the state
 * machine, which ends a file (@disabled) or tells it the device stopped
 * (@final); both are taken under st->mig_lock, then @lock.
 */
struct mdpy_mig_save {
	struct file *filp;
	struct mdpy_state *st;
	struct mutex lock;		/* protects everything below */
	bool disabled;			/* the state left: read() fails */
	bool final;			/* STOP_COPY: end after the last pass */
	bool need_scan;			/* look for changed pages first */
	bool header_sent;
	bool first_pass_done;		/* for PRECOPY_INFO's initial_bytes */
	bool eof;			/* config and end sent */
	struct mdpy_mig_tx tx;
	u32 nr_pages;			/* stream pages of BAR0 */
	u32 cursor;			/* next index to look at in @pending */
	u32 run_next, run_left;		/* the run being sent */
	u64 pending_bytes;		/* of the pass, not yet in @buf */
	unsigned long *pending;		/* pages the pass still has to send */
	unsigned long *known;		/* @sent_hash valid */
	u64 *sent_hash;			/* content the reader has */
	u32 buf_pos, buf_len;		/* bytes of @buf not yet read */
	u8 buf[MDPY_MIG_PAGE];
	u8 scratch[MDPY_MIG_PAGE];	/* a page being compared */
};

/* The resuming side: the parser and the pages it staged */
struct mdpy_mig_load {
	struct file *filp;
	struct mdpy_state *st;
	struct mutex lock;		/* protects everything below */
	bool disabled;
	bool refused;			/* logged the one line already */
	bool applied;			/* the stream is the device's state */
	u32 nr_pages;
	void **staged;			/* stream page copies, or NULL */
	u32 nr_staged;
	struct mdpy_mig_rx rx;
	u8 chunk[MDPY_MIG_PAGE];	/* user bytes on their way to @rx */
};

/* ---- power-on state ---------------------------------------------------- */

static void mdpy_power_on(struct mdpy_state *st)
{
	mutex_lock(&st->cfg_lock);
	mdpy_core_reset(&st->core);
	mdpy_publish_mode(st);
	mutex_unlock(&st->cfg_lock);
	mdpy_fb_reset(&st->fb);
}

/* ---- saving ------------------------------------------------------------ */

static u64 mdpy_mig_run_bytes(u32 pages)
{
	return MDPY_MIG_RUN_HDR_SIZE + (u64)pages * MDPY_MIG_PAGE;
}

/* Hash of what the reader holds for stream page @i */
static u64 mdpy_mig_known_hash(struct mdpy_mig_save *ms, u32 i)
{
	if (!test_bit(i, ms->known)) {
		ms->sent_hash[i] = mdpy_mig_initial_hash(ms->st->type, i);
		__set_bit(i, ms->known);
	}
	return ms->sent_hash[i];
}

/*
 * Mark every page whose content differs from what the reader holds, and
 * count the bytes the runs of them take.  Pages that do not exist hold
 * the picture; the reader holds a page other than the picture only if it
 * was sent, and sent pages exist (slots are not emptied while open).
 */
static void mdpy_mig_scan(struct mdpy_mig_save *ms)
{
	struct mdpy_fb *fb = &ms->st->fb;
	bool in_run = false;
	u32 i;

	ms->pending_bytes = 0;
	for (i = 0; i < ms->nr_pages; i++) {
		bool changed = false;
		u64 off = (u64)i * MDPY_MIG_PAGE;

		if (test_bit(i, ms->pending)) {
			changed = true;
		} else if (mdpy_fb_load(fb, off, ms->scratch, MDPY_MIG_PAGE)) {
			changed = mdpy_mig_page_hash(ms->scratch) !=
				  mdpy_mig_known_hash(ms, i);
		}
		if (changed) {
			__set_bit(i, ms->pending);
			ms->pending_bytes += in_run ? MDPY_MIG_PAGE :
					     mdpy_mig_run_bytes(1);
		}
		in_run = changed;
		if (!(i % 64))
			cond_resched();
	}
	ms->cursor = 0;
}

#if defined(MDPY_HAVE_MIG_PRE_COPY) || defined(MDPY_HAVE_MIG_DATA_SIZE)
/*
 * Bytes of the current pass not yet read, for the pre-copy estimates.  A
 * drained pass first looks for pages changed since it was read, which
 * starts the next pass.
 */
static u64 mdpy_mig_pass_left(struct mdpy_mig_save *ms)
{
	if (!ms->pending_bytes && ms->buf_pos == ms->buf_len) {
		mdpy_mig_scan(ms);
		ms->need_scan = false;
	}
	return ms->pending_bytes + (ms->buf_len - ms->buf_pos);
}
#endif

/* Put the next piece of the stream in @buf; false at the end of a pass */
static bool mdpy_mig_next(struct mdpy_mig_save *ms)
{
	u32 first, end;

	/* @buf has been read out: whatever comes next, it holds no more */
	ms->buf_pos = 0;
	ms->buf_len = 0;
	if (!ms->header_sent) {
		ms->buf_len = mdpy_mig_put_header(&ms->tx, ms->st->type,
						  ms->buf);
		ms->header_sent = true;
		return true;
	}
	if (ms->run_left) {
		u32 i = ms->run_next++;

		mdpy_fb_load(&ms->st->fb, (u64)i * MDPY_MIG_PAGE, ms->buf,
			     MDPY_MIG_PAGE);
		mdpy_mig_put_page(&ms->tx, ms->buf);
		/* the copy is what the reader gets, whatever the guest does */
		ms->sent_hash[i] = mdpy_mig_page_hash(ms->buf);
		__set_bit(i, ms->known);
		ms->run_left--;
		ms->pending_bytes -= MDPY_MIG_PAGE;
		ms->buf_len = MDPY_MIG_PAGE;
		return true;
	}
	first = find_next_bit(ms->pending, ms->nr_pages, ms->cursor);
	if (first >= ms->nr_pages)
		return false;
	end = find_next_zero_bit(ms->pending, ms->nr_pages, first);
	bitmap_clear(ms->pending, first, end - first);
	ms->cursor = end;
	ms->run_next = first;
	ms->run_left = end - first;
	ms->pending_bytes -= MDPY_MIG_RUN_HDR_SIZE;
	ms->buf_len = mdpy_mig_put_run(&ms->tx, first, end - first, ms->buf);
	return true;
}

/* The device is stopped: config space and the checksum close the stream */
static void mdpy_mig_close_stream(struct mdpy_mig_save *ms)
{
	struct mdpy_state *st = ms->st;
	size_t n;

	mutex_lock(&st->cfg_lock);
	mdpy_sync_scanout(st);
	n = mdpy_mig_put_config(&ms->tx, &st->core, ms->buf);
	mutex_unlock(&st->cfg_lock);
	n += mdpy_mig_put_end(&ms->tx, ms->buf + n);
	ms->buf_pos = 0;
	ms->buf_len = n;
	ms->eof = true;
}

/*
 * Fill @buf with the next bytes.  Returns 1 when there are some, 0 at the
 * end of the stream, -ENOMSG at a pre-copy pause (nothing changed since
 * the last pass).
 */
static int mdpy_mig_produce(struct mdpy_mig_save *ms)
{
	for (;;) {
		if (ms->buf_pos < ms->buf_len)
			return 1;
		if (ms->eof)
			return 0;
		if (mdpy_mig_next(ms))
			continue;
		/* a pass is over */
		if (ms->header_sent)
			ms->first_pass_done = !ms->need_scan;
		if (ms->need_scan) {
			mdpy_mig_scan(ms);
			ms->need_scan = false;
			continue;
		}
		if (ms->final) {
			mdpy_mig_close_stream(ms);
			continue;
		}
		/* pre-copy: look again; if nothing changed, pause */
		mdpy_mig_scan(ms);
		if (!ms->pending_bytes)
			return -ENOMSG;
	}
}

static ssize_t mdpy_mig_save_read(struct file *filp, char __user *ubuf,
				  size_t len, loff_t *pos)
{
	struct mdpy_mig_save *ms = filp->private_data;
	ssize_t done = 0;
	int ret = 0;

	if (pos)
		return -ESPIPE;

	mutex_lock(&ms->lock);
	if (ms->disabled) {
		ret = -ENODEV;
		goto out;
	}
	while (done < len) {
		size_t n;

		ret = mdpy_mig_produce(ms);
		if (ret <= 0)
			break;
		n = min_t(size_t, len - done, ms->buf_len - ms->buf_pos);
		if (copy_to_user(ubuf + done, ms->buf + ms->buf_pos, n)) {
			ret = -EFAULT;
			break;
		}
		ms->buf_pos += n;
		done += n;
	}
out:
	mutex_unlock(&ms->lock);
	/* data read before a pause or fault still counts */
	return done ? done : ret;
}

#ifdef MDPY_HAVE_MIG_PRE_COPY
/*
 * Estimates for the user to decide when to stop the VM: initial_bytes is
 * what is left of the first pass, dirty_bytes what changed since.
 */
static long mdpy_mig_precopy_info(struct mdpy_mig_save *ms, void __user *arg)
{
	unsigned long minsz = offsetofend(struct vfio_precopy_info, dirty_bytes);
	struct vfio_precopy_info info = {};
	u32 argsz;
	u64 left;
	long ret = 0;

	/* only argsz is input: the answer is built from zero */
	if (get_user(argsz, (u32 __user *)arg))
		return -EFAULT;
	if (argsz < minsz)
		return -EINVAL;

	mutex_lock(&ms->lock);
	if (ms->disabled || ms->final) {
		/* only the PRE_COPY states have these estimates */
		ret = -EINVAL;
		goto out;
	}
	if (ms->need_scan) {
		mdpy_mig_scan(ms);
		ms->need_scan = false;
	}
	/* the pass's count holds the run being sent, too */
	left = ms->pending_bytes + (ms->buf_len - ms->buf_pos);
	if (!ms->header_sent)
		left += MDPY_MIG_HDR_SIZE;
	if (!ms->first_pass_done && left) {
		info.initial_bytes = left;
	} else {
		ms->first_pass_done = true;
		info.dirty_bytes = mdpy_mig_pass_left(ms);
	}
out:
	mutex_unlock(&ms->lock);
	if (ret)
		return ret;
	info.argsz = minsz;
	return copy_to_user(arg, &info, minsz) ? -EFAULT : 0;
}
#endif

static long mdpy_mig_save_ioctl(struct file *filp, unsigned int cmd,
				unsigned long arg)
{
#ifdef MDPY_HAVE_MIG_PRE_COPY
	if (cmd == VFIO_MIG_GET_PRECOPY_INFO)
		return mdpy_mig_precopy_info(filp->private_data,
					     (void __user *)arg);
#endif
	return -ENOTTY;
}

static void mdpy_mig_save_free(struct mdpy_mig_save *ms)
{
	bitmap_free(ms->pending);
	bitmap_free(ms->known);
	kvfree(ms->sent_hash);
	mutex_destroy(&ms->lock);
	kvfree(ms);
}

static int mdpy_mig_save_release(struct inode *inode, struct file *filp)
{
	mdpy_mig_save_free(filp->private_data);
	return 0;
}

static const struct file_operations mdpy_mig_save_fops = {
	.owner		= THIS_MODULE,
	.read		= mdpy_mig_save_read,
	.unlocked_ioctl	= mdpy_mig_save_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.release	= mdpy_mig_save_release,
};

static struct mdpy_mig_save *mdpy_mig_save_open(struct mdpy_state *st,
						bool final)
{
	struct mdpy_mig_save *ms;
	struct file *filp;
	int ret = -ENOMEM;

	/* two page buffers: more than kmalloc should be asked for */
	ms = kvzalloc(sizeof(*ms), MDPY_MIG_GFP);
	if (!ms)
		return ERR_PTR(-ENOMEM);
	mutex_init(&ms->lock);
	ms->st = st;
	ms->final = final;
	ms->need_scan = true;
	ms->nr_pages = mdpy_mig_nr_pages(st->type);
	mdpy_mig_tx_init(&ms->tx);
	ms->pending = bitmap_zalloc(ms->nr_pages, MDPY_MIG_GFP);
	ms->known = bitmap_zalloc(ms->nr_pages, MDPY_MIG_GFP);
	ms->sent_hash = kvcalloc(ms->nr_pages, sizeof(*ms->sent_hash),
				 MDPY_MIG_GFP);
	if (!ms->pending || !ms->known || !ms->sent_hash)
		goto err_free;

	filp = anon_inode_getfile("[mdpy-mig-save]", &mdpy_mig_save_fops, ms,
				  O_RDONLY);
	if (IS_ERR(filp)) {
		ret = PTR_ERR(filp);
		goto err_free;
	}
	stream_open(filp->f_inode, filp);
	ms->filp = filp;
	return ms;

err_free:
	mdpy_mig_save_free(ms);
	return ERR_PTR(ret);
}

/* ---- resuming ---------------------------------------------------------- */

static void mdpy_mig_unstage(struct mdpy_mig_load *ml)
{
	u32 i;

	for (i = 0; i < ml->nr_pages && ml->nr_staged; i++) {
		void *copy = ml->staged[i];

		if (!copy)
			continue;
		ml->staged[i] = NULL;
		ml->nr_staged--;
		kfree(copy);
		mdpy_account_held(-(long)MDPY_MIG_PAGE);
	}
}

/* The parser's page callback: keep a copy until the stream is checked */
static int mdpy_mig_stage(void *ctx, u32 index, const void *page)
{
	struct mdpy_mig_load *ml = ctx;
	void *copy = ml->staged[index];

	if (!copy) {
		copy = kmalloc(MDPY_MIG_PAGE, MDPY_MIG_GFP);
		if (!copy)
			return -ENOMEM;
		ml->staged[index] = copy;
		ml->nr_staged++;
		mdpy_account_held(MDPY_MIG_PAGE);
	}
	memcpy(copy, page, MDPY_MIG_PAGE);
	return 0;
}

/* One line per refused stream, for the admin of the target host */
static void mdpy_mig_refuse(struct mdpy_mig_load *ml, int err)
{
	if (ml->refused)
		return;
	ml->refused = true;
	dev_warn(ml->st->vdev.dev, "migration stream refused: %s (%d)\n",
		 ml->rx.error ? ml->rx.error : "device error", err);
}

/*
 * The stream's END arrived and checked out: its pages and config space
 * become the device's now, while still RESUMING, so a VMM that keeps the
 * target paused (QEMU does until the VM runs) already shows the picture.
 * Called with @ml->lock held.  On failure the device is back at power-on.
 */
static int mdpy_mig_load_apply(struct mdpy_mig_load *ml)
{
	struct mdpy_state *st = ml->st;
	int ret = 0;
	u32 i;

	for (i = 0; i < ml->nr_pages; i++) {
		if (!ml->staged[i])
			continue;
		ret = mdpy_fb_store(&st->fb, (u64)i * MDPY_MIG_PAGE,
				    ml->staged[i], MDPY_MIG_PAGE);
		if (ret)
			break;
		if (!(i % 64))
			cond_resched();
	}
	if (ret) {
		mdpy_mig_refuse(ml, ret);
		mdpy_power_on(st);
	} else {
		mutex_lock(&st->cfg_lock);
		memcpy(st->core.cfg, ml->rx.cfg, sizeof(st->core.cfg));
		mdpy_publish_mode(st);
		mutex_unlock(&st->cfg_lock);
		ml->applied = true;
	}
	mdpy_mig_unstage(ml);
	return ret;
}

static ssize_t mdpy_mig_load_write(struct file *filp, const char __user *ubuf,
				   size_t len, loff_t *pos)
{
	struct mdpy_mig_load *ml = filp->private_data;
	ssize_t done = 0;
	long ret = 0;

	if (pos)
		return -ESPIPE;

	mutex_lock(&ml->lock);
	if (ml->disabled) {
		ret = -ENODEV;
		goto out;
	}
	while (done < len) {
		size_t n = min_t(size_t, len - done, sizeof(ml->chunk));

		if (copy_from_user(ml->chunk, ubuf + done, n)) {
			ret = -EFAULT;
			break;
		}
		ret = mdpy_mig_rx_feed(&ml->rx, ml->chunk, n, mdpy_mig_stage,
				       ml);
		if (ret < 0) {
			mdpy_mig_refuse(ml, ret);
			/* nothing of it reaches the device: drop it now */
			mdpy_mig_unstage(ml);
			break;
		}
		done += n;
		if (ml->rx.phase == MDPY_MIG_RX_DONE && !ml->applied) {
			ret = mdpy_mig_load_apply(ml);
			if (ret)
				break;
		}
		cond_resched();
	}
out:
	mutex_unlock(&ml->lock);
	return ret < 0 ? ret : done;
}

static void mdpy_mig_load_free(struct mdpy_mig_load *ml)
{
	if (ml->staged)
		mdpy_mig_unstage(ml);
	kvfree(ml->staged);
	mutex_destroy(&ml->lock);
	kvfree(ml);
}

static int mdpy_mig_load_release(struct inode *inode, struct file *filp)
{
	mdpy_mig_load_free(filp->private_data);
	return 0;
}

static const struct file_operations mdpy_mig_load_fops = {
	.owner		= THIS_MODULE,
	.write		= mdpy_mig_load_write,
	.release	= mdpy_mig_load_release,
};

static struct mdpy_mig_load *mdpy_mig_load_open(struct mdpy_state *st)
{
	struct mdpy_mig_load *ml;
	struct file *filp;
	int ret = -ENOMEM;

	/* the parser's page buffer makes this two pages: not for kmalloc */
	ml = kvzalloc(sizeof(*ml), MDPY_MIG_GFP);
	if (!ml)
		return ERR_PTR(-ENOMEM);
	mutex_init(&ml->lock);
	ml->st = st;
	ml->nr_pages = mdpy_mig_nr_pages(st->type);
	/* open, so the default mode stays as it is (resolution: EBUSY) */
	mdpy_mig_rx_init(&ml->rx, st->type, &st->core.def);
	ml->staged = kvcalloc(ml->nr_pages, sizeof(*ml->staged), MDPY_MIG_GFP);
	if (!ml->staged)
		goto err_free;

	filp = anon_inode_getfile("[mdpy-mig-load]", &mdpy_mig_load_fops, ml,
				  O_WRONLY);
	if (IS_ERR(filp)) {
		ret = PTR_ERR(filp);
		goto err_free;
	}
	stream_open(filp->f_inode, filp);
	ml->filp = filp;
	return ml;

err_free:
	mdpy_mig_load_free(ml);
	return ERR_PTR(ret);
}

/* RESUMING -> STOP: only a complete, good, applied stream may leave */
static int mdpy_mig_load_finish(struct mdpy_mig_load *ml)
{
	int ret;

	mutex_lock(&ml->lock);
	ret = mdpy_mig_rx_finish(&ml->rx);
	if (!ret && !ml->applied)
		ret = -EINVAL;	/* applying it failed, and said so */
	if (ret) {
		mdpy_mig_refuse(ml, ret);
		/* whatever the user did meanwhile, the target starts afresh */
		mdpy_power_on(ml->st);
		mdpy_mig_unstage(ml);
	}
	mutex_unlock(&ml->lock);
	return ret;
}

/* ---- the state machine ------------------------------------------------- */

/* End both files: later read()/write() fail, the device owns nothing */
static void mdpy_mig_end_files(struct mdpy_state *st)
{
	lockdep_assert_held(&st->mig_lock);

	if (st->mig_save) {
		mutex_lock(&st->mig_save->lock);
		st->mig_save->disabled = true;
		mutex_unlock(&st->mig_save->lock);
		fput(st->mig_save->filp);
		st->mig_save = NULL;
	}
	if (st->mig_load) {
		mutex_lock(&st->mig_load->lock);
		st->mig_load->disabled = true;
		mdpy_mig_unstage(st->mig_load);
		mutex_unlock(&st->mig_load->lock);
		fput(st->mig_load->filp);
		st->mig_load = NULL;
	}
}

/* A saving file for the user; the device keeps a reference of its own */
static struct file *mdpy_mig_start_save(struct mdpy_state *st, bool final)
{
	struct mdpy_mig_save *ms = mdpy_mig_save_open(st, final);

	if (IS_ERR(ms))
		return ERR_CAST(ms);
	get_file(ms->filp);
	st->mig_save = ms;
	return ms->filp;
}

/* One arc of the state machine; the VFIO core has checked it is one */
static struct file *mdpy_mig_step(struct mdpy_state *st,
				  enum vfio_device_mig_state next)
{
	enum vfio_device_mig_state cur = st->mig_state;
	struct mdpy_mig_load *ml;
	int ret;

	/* arcs between running, P2P and stopped: the device has no engine */
	if ((cur == VFIO_DEVICE_STATE_RUNNING &&
	     next == VFIO_DEVICE_STATE_RUNNING_P2P) ||
	    (cur == VFIO_DEVICE_STATE_RUNNING_P2P &&
	     (next == VFIO_DEVICE_STATE_RUNNING ||
	      next == VFIO_DEVICE_STATE_STOP)) ||
	    (cur == VFIO_DEVICE_STATE_STOP &&
	     next == VFIO_DEVICE_STATE_RUNNING_P2P))
		return NULL;

	if (cur == VFIO_DEVICE_STATE_STOP &&
	    next == VFIO_DEVICE_STATE_STOP_COPY)
		return mdpy_mig_start_save(st, true);

	if (cur == VFIO_DEVICE_STATE_STOP_COPY &&
	    next == VFIO_DEVICE_STATE_STOP) {
		mdpy_mig_end_files(st);
		return NULL;
	}

	if (cur == VFIO_DEVICE_STATE_STOP &&
	    next == VFIO_DEVICE_STATE_RESUMING) {
		ml = mdpy_mig_load_open(st);
		if (IS_ERR(ml))
			return ERR_CAST(ml);
		/* pages the stream does not carry show the picture */
		mdpy_power_on(st);
		get_file(ml->filp);
		st->mig_load = ml;
		return ml->filp;
	}

	if (cur == VFIO_DEVICE_STATE_RESUMING &&
	    next == VFIO_DEVICE_STATE_STOP) {
		ret = mdpy_mig_load_finish(st->mig_load);
		if (ret)
			return ERR_PTR(-EINVAL);
		mdpy_mig_end_files(st);
		return NULL;
	}

#ifdef MDPY_HAVE_MIG_PRE_COPY
	if ((cur == VFIO_DEVICE_STATE_RUNNING &&
	     next == VFIO_DEVICE_STATE_PRE_COPY) ||
	    (cur == VFIO_DEVICE_STATE_RUNNING_P2P &&
	     next == VFIO_DEVICE_STATE_PRE_COPY_P2P))
		return mdpy_mig_start_save(st, false);

	if ((cur == VFIO_DEVICE_STATE_PRE_COPY &&
	     next == VFIO_DEVICE_STATE_PRE_COPY_P2P) ||
	    (cur == VFIO_DEVICE_STATE_PRE_COPY_P2P &&
	     next == VFIO_DEVICE_STATE_PRE_COPY))
		return NULL;

	if ((cur == VFIO_DEVICE_STATE_PRE_COPY &&
	     next == VFIO_DEVICE_STATE_RUNNING) ||
	    (cur == VFIO_DEVICE_STATE_PRE_COPY_P2P &&
	     next == VFIO_DEVICE_STATE_RUNNING_P2P)) {
		mdpy_mig_end_files(st);
		return NULL;
	}

	if (cur == VFIO_DEVICE_STATE_PRE_COPY_P2P &&
	    next == VFIO_DEVICE_STATE_STOP_COPY) {
		/* the same file goes on: one last pass, then the end */
		mutex_lock(&st->mig_save->lock);
		st->mig_save->final = true;
		st->mig_save->need_scan = true;
		mutex_unlock(&st->mig_save->lock);
		return NULL;
	}
#endif

	/* vfio_mig_get_next_state() hands out no other arc */
	return ERR_PTR(-EINVAL);
}

static struct file *mdpy_mig_set_state(struct vfio_device *vdev,
				       enum vfio_device_mig_state target)
{
	struct mdpy_state *st = vdev_to_mdpy(vdev);
	enum vfio_device_mig_state next;
	struct file *res = NULL;
	int ret;

	mutex_lock(&st->mig_lock);
	while (st->mig_state != target) {
		ret = vfio_mig_get_next_state(vdev, st->mig_state, target,
					      &next);
		if (ret) {
			res = ERR_PTR(ret);
			break;
		}
		res = mdpy_mig_step(st, next);
		if (IS_ERR(res))
			break;
		st->mig_state = next;
		/* a file is only ever handed out on the last arc */
		if (WARN_ON(res && st->mig_state != target)) {
			fput(res);
			res = ERR_PTR(-EINVAL);
			break;
		}
	}
	mutex_unlock(&st->mig_lock);
	return res;
}

static int mdpy_mig_get_state(struct vfio_device *vdev,
			      enum vfio_device_mig_state *state)
{
	struct mdpy_state *st = vdev_to_mdpy(vdev);

	mutex_lock(&st->mig_lock);
	*state = st->mig_state;
	mutex_unlock(&st->mig_lock);
	return 0;
}

#ifdef MDPY_HAVE_MIG_DATA_SIZE
/*
 * What STOP_COPY would send now.  QEMU adds this to what pre-copy still
 * has to move and stops the VM only once the sum fits its downtime, so
 * during pre-copy it must shrink to what changed since the last pass
 * (a scan, at a pass's end); otherwise every page that exists may differ
 * from the picture.
 */
static int mdpy_mig_get_data_size(struct vfio_device *vdev,
				  unsigned long *stop_copy_length)
{
	struct mdpy_state *st = vdev_to_mdpy(vdev);
	struct mdpy_mig_save *ms;
	u64 pages, len = 0;	/* 0: no pre-copy pass to ask */

	mutex_lock(&st->mig_lock);
	ms = st->mig_save;
	if (ms) {
		mutex_lock(&ms->lock);
		if (!ms->disabled && ms->header_sent && !ms->final)
			len = mdpy_mig_pass_left(ms) +
			      MDPY_MIG_CONFIG_REC_SIZE + MDPY_MIG_END_REC_SIZE;
		mutex_unlock(&ms->lock);
	}
	mutex_unlock(&st->mig_lock);

	if (!len) {
		pages = mdpy_fb_resident(&st->fb) * (PAGE_SIZE / MDPY_MIG_PAGE);
		len = MDPY_MIG_IDLE_SIZE + pages * mdpy_mig_run_bytes(1);
	}
	*stop_copy_length = len;
	return 0;
}
#endif

static const struct vfio_migration_ops mdpy_mig_ops = {
	.migration_set_state	= mdpy_mig_set_state,
	.migration_get_state	= mdpy_mig_get_state,
#ifdef MDPY_HAVE_MIG_DATA_SIZE
	.migration_get_data_size = mdpy_mig_get_data_size,
#endif
};

void mdpy_mig_init(struct mdpy_state *st)
{
	mutex_init(&st->mig_lock);
	st->mig_state = VFIO_DEVICE_STATE_RUNNING;
	st->vdev.mig_ops = &mdpy_mig_ops;
	st->vdev.migration_flags = VFIO_MIGRATION_STOP_COPY |
				   VFIO_MIGRATION_P2P;
#ifdef MDPY_HAVE_MIG_PRE_COPY
	st->vdev.migration_flags |= VFIO_MIGRATION_PRE_COPY;
#endif
}

void mdpy_mig_destroy(struct mdpy_state *st)
{
	mutex_destroy(&st->mig_lock);
}

/*
 * The user is gone (last close): end any stream before the pages go, as
 * a saving file may outlive the device file and would read them.
 */
void mdpy_mig_release(struct mdpy_state *st)
{
	mutex_lock(&st->mig_lock);
	mdpy_mig_end_files(st);
	st->mig_state = VFIO_DEVICE_STATE_RUNNING;
	mutex_unlock(&st->mig_lock);
}

/*
 * Power-on state for config space and framebuffer, and RUNNING for the
 * migration state machine (VFIO_DEVICE_RESET, first open, last close).
 */
void mdpy_reset(struct mdpy_state *st)
{
	mdpy_mig_release(st);
	mdpy_power_on(st);
}
