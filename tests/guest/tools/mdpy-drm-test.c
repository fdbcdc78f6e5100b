// SPDX-License-Identifier: GPL-2.0
/*
 * mdpy-drm-test: drive the mdpy-drm guest driver the way a display server
 * would, and check on the host side what reached the screen.
 *
 *   mdpy-drm-test draw [--wait] [DEV]     in the guest: check the KMS
 *       topology, create a dumb buffer, modeset, draw the test card
 *       ("pattern drawn"), switch the display off through the connector's
 *       DPMS property and report damage while it is off ("blank drawn"),
 *       switch it on again ("pattern drawn"), then change one rectangle
 *       and report only that through DIRTYFB ("partial drawn").  --wait
 *       reads a line from stdin after each picture, so whoever watches the
 *       screen can look first.
 *   mdpy-drm-test mode [--wait] [--dev DEV] [--preferred WxH]
 *       [--refuse WxH]... WxH...   in the guest: set each mode WxH the
 *       connector lists in turn, each time with the test card drawn at
 *       that size ("pattern drawn WxH"); then ask for each --refuse size
 *       as a user-defined mode, which must fail with EINVAL while the
 *       last picture stays ("pattern drawn" again).  Closing the device
 *       at the end gives the display back to the fbdev console.
 *   mdpy-drm-test fbdraw [--wait] [--setvar] [--pan] [FBDEV]  in the
 *       guest: the same two pictures through a plain fbdev mmap (for
 *       fbdev-only drivers such as the kernel's sample mdpy-fb): check the
 *       XRGB8888 layout, put the console into graphics mode, draw the card
 *       ("pattern drawn"), then rewrite only the damage rectangle ("partial
 *       drawn").  Nothing but the mmap (and fsync, which only hurries
 *       deferred I/O along) tells the driver about the pixels (--setvar:
 *       first FBIOPUT_VSCREENINFO once with the mode read and
 *       FB_ACTIVATE_FORCE, guest/README.md's fix for a display no console
 *       has set up; --pan: a pan after each).
 *   mdpy-drm-test fbhash [FBDEV]          in the guest: hash the visible
 *       part of an fbdev (what the console drew)
 *   mdpy-drm-test con2fb [FBDEV]          in the guest: put the text
 *       consoles on FBDEV (for a kernel booted with fbcon=map:9)
 *   mdpy-drm-test check full|partial|black|HASH FILE.ppm   on the host
 *       side: a QEMU screendump must equal the card, the partial-update
 *       picture, be all black, or have the given fbhash and show some text
 *   mdpy-drm-test card full|partial W H OUT.ppm   write an expected picture
 *   mdpy-drm-test fps [--dev DEV] [--size WxH] [--rect WxH] [--secs S]
 *       [--wait]   in the guest, on any KMS driver with dumb buffers (the
 *       display benchmark, bench/displays.sh): modeset WxH, then how many
 *       frames a second it can push, whole frames and a small moving
 *       square, each reported through DIRTYFB, after an idle phase
 *
 * Results are printed as "ok - ..." / "not ok - ..." lines.  Exit status
 * is 0 only if every check passed.  Plain kernel uAPI, no libdrm, so it
 * links statically and runs in a busybox initramfs.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>
#include <linux/fb.h>
#include <linux/kd.h>
#include <drm/drm.h>
#include <drm/drm_fourcc.h>
#include <drm/drm_mode.h>

#include "testcard.h"

static int failures;

static void result(int ok, const char *fmt, ...)
{
	va_list ap;

	printf("%s - ", ok ? "ok" : "not ok");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
	if (!ok)
		failures++;
}

static void die(const char *what)
{
	result(0, "%s: %s", what, strerror(errno));
	exit(2);
}

static int xioctl(int fd, unsigned long req, void *arg)
{
	int ret;

	do {
		ret = ioctl(fd, req, arg);
	} while (ret == -1 && (errno == EINTR || errno == EAGAIN));
	return ret;
}

static void wait_line(int wait)
{
	char buf[64];

	if (wait && !fgets(buf, sizeof(buf), stdin))
		fprintf(stderr, "stdin closed, going on\n");
}

/*
 * Tell the L2 test (l2.py reads "WHAT drawn WxH" from the serial line) that
 * a picture is on the screen, and with --wait let it look before going on.
 */
static unsigned int screen;	/* N of /dev/dri/cardN, when not 0 */

static void drawn(const char *what, unsigned int w, unsigned int h, int wait)
{
	/* which display, for an L2 with more than one ("screen N") */
	if (screen)
		printf("%s drawn %ux%u screen %u\n", what, w, h, screen);
	else
		printf("%s drawn %ux%u\n", what, w, h);
	fflush(stdout);
	wait_line(wait);
}

/* ---- draw --------------------------------------------------------------- */

#define MAX_MODES	64

struct kms {
	uint32_t crtc, conn;
	uint32_t dpms;		/* the connector's DPMS property */
	struct drm_mode_modeinfo mode;		/* the preferred one */
	struct drm_mode_modeinfo modes[MAX_MODES];
	unsigned int count_modes;
};

/*
 * Whether the device behind DEV (a /dev/dri/cardN) has the mode capability
 * of include/uapi/mdpy.h: a vendor capability whose field at +4 says
 * "MODE".  Read from the PCI config space in sysfs (root sees all 256
 * bytes), walking the capability list as the driver does.  0 if not,
 * else its offset; *fb_bytes gets its FB_BYTES.
 */
static unsigned int modecap(const char *dev, uint32_t *fb_bytes)
{
	const char *name = strrchr(dev, '/');
	unsigned char cfg[256];
	unsigned int pos, hops;
	char path[128];
	uint32_t magic;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/sys/class/drm/%s/device/config",
		 name ? name + 1 : dev);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		die(path);
	n = pread(fd, cfg, sizeof(cfg), 0);
	close(fd);
	if (n < 0x40)
		die("PCI config space");
	if (!(cfg[0x06] & 0x10))	/* status: capability list */
		return 0;
	for (pos = cfg[0x34] & ~3u, hops = 0; pos >= 0x40 && pos + 12 <= (unsigned int)n &&
	     hops < 48; pos = cfg[pos + 1] & ~3u, hops++) {
		if (cfg[pos] != 0x09)
			continue;
		memcpy(&magic, cfg + pos + 4, 4);
		if (magic == 0x45444f4d) {	/* MDPY_MODECAP_MAGIC_VALUE */
			memcpy(fb_bytes, cfg + pos + 8, 4);
			return pos;
		}
	}
	return 0;
}

/* The id of the connector property called NAME, 0 if it has none */
static uint32_t conn_prop(int fd, uint32_t conn_id, const char *name)
{
	struct drm_mode_get_connector conn = { .connector_id = conn_id };
	struct drm_mode_get_property prop;
	uint32_t ids[64];
	uint64_t values[64];
	unsigned int i;

	if (xioctl(fd, DRM_IOCTL_MODE_GETCONNECTOR, &conn))
		die("GETCONNECTOR");
	if (conn.count_props > 64)
		conn.count_props = 64;
	conn.props_ptr = (uintptr_t)ids;
	conn.prop_values_ptr = (uintptr_t)values;
	conn.count_modes = 0;
	conn.count_encoders = 0;
	if (xioctl(fd, DRM_IOCTL_MODE_GETCONNECTOR, &conn))
		die("GETCONNECTOR");
	for (i = 0; i < conn.count_props && i < 64; i++) {
		memset(&prop, 0, sizeof(prop));
		prop.prop_id = ids[i];
		if (xioctl(fd, DRM_IOCTL_MODE_GETPROPERTY, &prop))
			die("GETPROPERTY");
		if (!strcmp(prop.name, name))
			return ids[i];
	}
	return 0;
}

/* DPMS on the connector, as a screen saver or "xset dpms force off" does */
static void set_dpms(int fd, const struct kms *k, uint64_t mode)
{
	struct drm_mode_obj_set_property sp = {
		.value = mode,
		.prop_id = k->dpms,
		.obj_id = k->conn,
		.obj_type = DRM_MODE_OBJECT_CONNECTOR,
	};

	if (xioctl(fd, DRM_IOCTL_MODE_OBJ_SETPROPERTY, &sp))
		die(mode == DRM_MODE_DPMS_ON ? "DPMS on" : "DPMS off");
}

/*
 * The first CRTC and the first connector of FD into K, and the connector's
 * counts into CONN (its lists not fetched yet).  RES keeps the device's
 * counts, for the caller to judge.  -1 if there is none of either or more
 * than KMS_MAX of anything.
 */
#define KMS_MAX	8

static int kms_first(int fd, struct drm_mode_card_res *res, struct kms *k,
		     struct drm_mode_get_connector *conn)
{
	uint32_t crtcs[KMS_MAX], conns[KMS_MAX], encs[KMS_MAX];

	if (xioctl(fd, DRM_IOCTL_MODE_GETRESOURCES, res))
		die("GETRESOURCES");
	if (!res->count_crtcs || !res->count_connectors ||
	    res->count_crtcs > KMS_MAX || res->count_connectors > KMS_MAX ||
	    res->count_encoders > KMS_MAX)
		return -1;
	res->crtc_id_ptr = (uintptr_t)crtcs;
	res->connector_id_ptr = (uintptr_t)conns;
	res->encoder_id_ptr = (uintptr_t)encs;
	res->count_fbs = 0;
	if (xioctl(fd, DRM_IOCTL_MODE_GETRESOURCES, res))
		die("GETRESOURCES");
	k->crtc = crtcs[0];
	k->conn = conns[0];
	conn->connector_id = k->conn;
	if (xioctl(fd, DRM_IOCTL_MODE_GETCONNECTOR, conn))
		die("GETCONNECTOR");
	return 0;
}

/*
 * Check the topology mdpy-drm promises and pick what to light up.  On a
 * device without the mode capability (an older host, the kernel's
 * sample) the connector has exactly one mode; with it, several, all of
 * which fit the BAR, and exactly one preferred.
 */
static void kms_probe(int fd, const char *dev, struct kms *k)
{
	struct drm_mode_card_res res = { 0 };
	struct drm_mode_get_connector conn = { 0 };
	uint32_t fb_bytes = 0;
	uint64_t cap = 0;
	struct drm_get_cap gc = { .capability = DRM_CAP_DUMB_BUFFER };
	unsigned int i, preferred = 0, fit = 0, cappos;
	int ret;

	if (xioctl(fd, DRM_IOCTL_GET_CAP, &gc))
		die("DRM_CAP_DUMB_BUFFER");
	cap = gc.value;
	result(cap == 1, "driver offers dumb buffers");

	ret = kms_first(fd, &res, k, &conn);
	result(res.count_crtcs == 1 && res.count_connectors == 1 &&
	       res.count_encoders == 1,
	       "one crtc, one encoder, one connector (got %u/%u/%u)",
	       res.count_crtcs, res.count_encoders, res.count_connectors);
	if (ret)
		exit(2);
	result(conn.connector_type == DRM_MODE_CONNECTOR_VIRTUAL,
	       "connector is virtual (type %u)", conn.connector_type);
	result(conn.connection == 1, "connector is connected");
	if (!conn.count_modes || conn.count_modes > MAX_MODES)
		die("connector modes");
	conn.modes_ptr = (uintptr_t)k->modes;
	conn.count_props = 0;
	conn.count_encoders = 0;
	if (xioctl(fd, DRM_IOCTL_MODE_GETCONNECTOR, &conn))
		die("GETCONNECTOR");
	k->count_modes = conn.count_modes;
	k->mode = k->modes[0];
	printf("# modes:");
	for (i = 0; i < conn.count_modes; i++) {
		const struct drm_mode_modeinfo *m = &k->modes[i];

		printf(" %ux%u%s", m->hdisplay, m->vdisplay,
		       m->type & DRM_MODE_TYPE_PREFERRED ? "*" : "");
		if (m->type & DRM_MODE_TYPE_PREFERRED) {
			k->mode = *m;
			preferred++;
		}
	}
	printf("\n");
	cappos = modecap(dev, &fb_bytes);
	if (cappos) {
		for (i = 0, fit = 0; i < conn.count_modes; i++)
			fit += (uint64_t)k->modes[i].hdisplay *
			       k->modes[i].vdisplay * 4 <= fb_bytes;
		result(fit == conn.count_modes && conn.count_modes > 1,
		       "mode capability at %#x: %u modes, all within its %u bytes",
		       cappos, conn.count_modes, fb_bytes);
	} else {
		result(conn.count_modes == 1,
		       "no mode capability: exactly one mode (got %u)",
		       conn.count_modes);
	}
	result(preferred == 1, "mode %ux%u is the one preferred (%u preferred)",
	       k->mode.hdisplay, k->mode.vdisplay, preferred);
	k->dpms = conn_prop(fd, k->conn, "DPMS");
	result(k->dpms != 0, "connector has a DPMS property");
	if (!k->dpms)
		exit(2);
}

static void fill(uint32_t *px, unsigned int pitch, unsigned int w,
		 unsigned int h, int partial)
{
	unsigned int x, y;

	for (y = 0; y < h; y++)
		for (x = 0; x < w; x++)
			px[y * (pitch / 4) + x] = partial ?
				partial_pixel(x, y, w, h) :
				card_pixel(x, y, w, h);
}

/* A dumb buffer with a framebuffer on it, mapped */
struct dumbfb {
	uint32_t handle, fb_id, pitch;
	unsigned int w, h;
	uint32_t *px;
	uint64_t size;
};

/* A WxH framebuffer, with the test card in it if DRAW */
static void fb_make(int fd, unsigned int w, unsigned int h, int draw,
		    struct dumbfb *f)
{
	struct drm_mode_create_dumb cd = { .width = w, .height = h, .bpp = 32 };
	struct drm_mode_fb_cmd2 fb = { 0 };
	struct drm_mode_map_dumb md = { 0 };

	if (xioctl(fd, DRM_IOCTL_MODE_CREATE_DUMB, &cd))
		die("CREATE_DUMB");
	fb.width = w;
	fb.height = h;
	fb.pixel_format = DRM_FORMAT_XRGB8888;
	fb.handles[0] = cd.handle;
	fb.pitches[0] = cd.pitch;
	if (xioctl(fd, DRM_IOCTL_MODE_ADDFB2, &fb))
		die("ADDFB2 XRGB8888");
	f->handle = cd.handle;
	f->fb_id = fb.fb_id;
	f->pitch = cd.pitch;
	f->w = w;
	f->h = h;
	f->size = cd.size;
	md.handle = cd.handle;
	if (xioctl(fd, DRM_IOCTL_MODE_MAP_DUMB, &md))
		die("MAP_DUMB");
	f->px = mmap(NULL, cd.size, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		     md.offset);
	if (f->px == MAP_FAILED)
		die("mmap dumb buffer");
	if (draw)
		fill(f->px, cd.pitch, w, h, 0);
}

static void fb_free(int fd, struct dumbfb *f)
{
	struct drm_mode_destroy_dumb dd = { .handle = f->handle };

	munmap(f->px, f->size);
	if (xioctl(fd, DRM_IOCTL_MODE_RMFB, &f->fb_id))
		die("RMFB");
	if (xioctl(fd, DRM_IOCTL_MODE_DESTROY_DUMB, &dd))
		die("DESTROY_DUMB");
}

static int cmd_draw(int argc, char **argv)
{
	const char *dev = "/dev/dri/card0";
	struct drm_mode_crtc crtc = { 0 };
	struct drm_clip_rect clip, all;
	struct drm_mode_fb_dirty_cmd dirty = { 0 };
	struct dumbfb f;
	struct card_rect r;
	struct kms k;
	unsigned int w, h, x, y;
	int wait = 0, fd, i;

	for (i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--wait"))
			wait = 1;
		else
			dev = argv[i];
	}

	fd = open(dev, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		die(dev);
	kms_probe(fd, dev, &k);
	w = k.mode.hdisplay;
	h = k.mode.vdisplay;

	/* 1: the whole card, shown by a modeset */
	fb_make(fd, w, h, 1, &f);
	result(f.pitch >= w * 4, "dumb buffer %ux%u, pitch %u", w, h,
	       f.pitch);
	crtc.crtc_id = k.crtc;
	crtc.fb_id = f.fb_id;
	crtc.set_connectors_ptr = (uintptr_t)&k.conn;
	crtc.count_connectors = 1;
	crtc.mode = k.mode;
	crtc.mode_valid = 1;
	if (xioctl(fd, DRM_IOCTL_MODE_SETCRTC, &crtc))
		die("SETCRTC");
	result(1, "modeset %ux%u with the test card", w, h);
	drawn("pattern", w, h, wait);

	/*
	 * 2: display off.  The device has no off switch, so the driver must
	 * paint it black, and damage reported meanwhile must not light it
	 * up again.
	 */
	set_dpms(fd, &k, DRM_MODE_DPMS_OFF);
	all.x1 = 0;
	all.y1 = 0;
	all.x2 = w;
	all.y2 = h;
	dirty.fb_id = f.fb_id;
	dirty.clips_ptr = (uintptr_t)&all;
	dirty.num_clips = 1;
	if (xioctl(fd, DRM_IOCTL_MODE_DIRTYFB, &dirty))
		die("DIRTYFB while off");
	result(1, "DPMS off, then DIRTYFB of the whole frame");
	drawn("blank", w, h, wait);

	/* 3: on again: the whole card, repainted without any damage report */
	set_dpms(fd, &k, DRM_MODE_DPMS_ON);
	result(1, "DPMS on");
	drawn("pattern", w, h, wait);

	/* 4: one rectangle changes and is reported; a scribble is not */
	r = card_damage(w, h);
	for (y = r.y1; y < r.y2; y++)
		for (x = r.x1; x < r.x2; x++)
			f.px[y * (f.pitch / 4) + x] = partial_pixel(x, y, w, h);
	for (y = 2; y < 6; y++)
		for (x = 0; x < w; x++)
			f.px[y * (f.pitch / 4) + x] = CARD_SCRIBBLE;
	for (y = 0; y < h; y++)
		f.px[y * (f.pitch / 4) + w - 3] = CARD_SCRIBBLE;
	clip.x1 = r.x1;
	clip.y1 = r.y1;
	clip.x2 = r.x2;
	clip.y2 = r.y2;
	dirty.fb_id = f.fb_id;
	dirty.clips_ptr = (uintptr_t)&clip;
	dirty.num_clips = 1;
	if (xioctl(fd, DRM_IOCTL_MODE_DIRTYFB, &dirty))
		die("DIRTYFB");
	result(1, "DIRTYFB with one clip %u,%u-%u,%u", r.x1, r.y1, r.x2, r.y2);
	drawn("partial", w, h, wait);

	fb_free(fd, &f);
	close(fd);
	result(1, "client released its buffer and closed the device");
	return failures ? 1 : 0;
}

/* ---- mode --------------------------------------------------------------- */

/* SETCRTC: F on the CRTC in mode M; 0 or an errno */
static int set_crtc(int fd, struct kms *k, const struct dumbfb *f,
		    const struct drm_mode_modeinfo *m)
{
	struct drm_mode_crtc crtc = {
		.crtc_id = k->crtc,
		.fb_id = f->fb_id,
		.set_connectors_ptr = (uintptr_t)&k->conn,
		.count_connectors = 1,
		.mode = *m,
		.mode_valid = 1,
	};

	return xioctl(fd, DRM_IOCTL_MODE_SETCRTC, &crtc) ? errno : 0;
}

/* The value of option NAME at argv[*i], stepping *i over it; else NULL */
static const char *opt_val(int argc, char **argv, unsigned int *i,
			   const char *name)
{
	if (strcmp(argv[*i], name) || *i + 1 >= (unsigned int)argc)
		return NULL;
	return argv[++*i];
}

/* --wait or --dev DEV at argv[*i], the options mode and fps share */
static int opt_wait_dev(int argc, char **argv, unsigned int *i, int *wait,
			const char **dev)
{
	const char *v;

	if (!strcmp(argv[*i], "--wait")) {
		*wait = 1;
		return 1;
	}
	v = opt_val(argc, argv, i, "--dev");
	if (v)
		*dev = v;
	return v != NULL;
}

static int parse_size(const char *arg, unsigned int *w, unsigned int *h)
{
	char end;

	if (sscanf(arg, "%ux%u%c", w, h, &end) != 2 || !*w || !*h ||
	    *w > 16384 || *h > 16384) {
		fprintf(stderr, "bad size '%s' (want WxH)\n", arg);
		exit(2);
	}
	return 0;
}

static const struct drm_mode_modeinfo *find_mode(const struct kms *k,
						 unsigned int w, unsigned int h)
{
	unsigned int i;

	for (i = 0; i < k->count_modes; i++)
		if (k->modes[i].hdisplay == w && k->modes[i].vdisplay == h)
			return &k->modes[i];
	return NULL;
}

/*
 * mode [--wait] [--dev DEV] [--preferred WxH] [--refuse WxH]... WxH...:
 * set each listed mode in turn with the test card at that size, as a
 * display server switching resolution does; then ask for each --refuse
 * size (a mode the connector does not list, built by hand as a
 * user-defined mode), which the driver must refuse with EINVAL while the
 * last picture stays.
 */
static int cmd_mode(int argc, char **argv)
{
	const char *dev = "/dev/dri/card0";
	const char *sizes[16], *refuse[8], *v;
	unsigned int nsizes = 0, nrefuse = 0, pw = 0, ph = 0, w, h, i;
	const struct drm_mode_modeinfo *m;
	struct drm_mode_modeinfo um;
	struct dumbfb cur = { 0 }, nf;
	int wait = 0, fd, ret;
	struct kms k;

	for (i = 0; i < (unsigned int)argc; i++) {
		if (opt_wait_dev(argc, argv, &i, &wait, &dev))
			continue;
		if ((v = opt_val(argc, argv, &i, "--preferred")))
			parse_size(v, &pw, &ph);
		else if (nrefuse < 8 && (v = opt_val(argc, argv, &i, "--refuse")))
			refuse[nrefuse++] = v;
		else if (nsizes < 16)
			sizes[nsizes++] = argv[i];
	}

	fd = open(dev, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		die(dev);
	if (sscanf(dev, "/dev/dri/card%u", &screen) != 1)
		screen = 0;
	kms_probe(fd, dev, &k);
	if (pw)
		result(k.mode.hdisplay == pw && k.mode.vdisplay == ph,
		       "preferred mode is %ux%u (got %ux%u)", pw, ph,
		       k.mode.hdisplay, k.mode.vdisplay);

	for (i = 0; i < nsizes; i++) {
		parse_size(sizes[i], &w, &h);
		m = find_mode(&k, w, h);
		result(m != NULL, "connector lists %ux%u", w, h);
		if (!m)
			continue;
		fb_make(fd, w, h, 1, &nf);
		ret = set_crtc(fd, &k, &nf, m);
		result(!ret, "modeset to %ux%u with the test card%s%s", w, h,
		       ret ? ": " : "", ret ? strerror(ret) : "");
		if (ret) {
			fb_free(fd, &nf);
			continue;
		}
		if (cur.fb_id)
			fb_free(fd, &cur);
		cur = nf;
		drawn("pattern", w, h, wait);
	}

	for (i = 0; i < nrefuse; i++) {
		parse_size(refuse[i], &w, &h);
		result(!find_mode(&k, w, h), "connector does not list %ux%u",
		       w, h);
		memset(&um, 0, sizeof(um));
		um.clock = (uint64_t)w * h * 60 / 1000;
		um.hdisplay = um.hsync_start = um.hsync_end = um.htotal = w;
		um.vdisplay = um.vsync_start = um.vsync_end = um.vtotal = h;
		um.vrefresh = 60;
		um.type = DRM_MODE_TYPE_USERDEF;
		snprintf(um.name, sizeof(um.name), "%ux%u", w, h);
		fb_make(fd, w, h, 0, &nf);
		ret = set_crtc(fd, &k, &nf, &um);
		result(ret == EINVAL, "modeset to %ux%u refused with EINVAL (%s)",
		       w, h, ret ? strerror(ret) : "it was accepted");
		fb_free(fd, &nf);
		/* nothing of the refused commit may show */
		if (cur.fb_id)
			drawn("pattern", cur.w, cur.h, wait);
	}

	/* closing takes our framebuffers down; fbdev gets the display back */
	close(fd);
	result(1, "client closed the device");
	return failures ? 1 : 0;
}

/* ---- fbdraw ------------------------------------------------------------- */

/*
 * --pan: pan to where we are after drawing.  Where the kernel's deferred
 * I/O misses mmap writes (6.12), DRM fbdev emulation then commits the
 * plane again and the driver copies the whole frame.
 */
static void fb_pan(int fd, struct fb_var_screeninfo *var)
{
	result(!xioctl(fd, FBIOPAN_DISPLAY, var), "FBIOPAN_DISPLAY after drawing");
}

/*
 * An fbdev that shadows its memory (DRM fbdev emulation) notices mmap
 * writes through deferred I/O some time later; fsync hurries that along,
 * so the picture is on its way by the time we say it is drawn.  Drivers
 * without deferred I/O accept or refuse it; both are fine.
 */
static void fb_flush(int fd)
{
	if (fsync(fd) && errno != EINVAL)
		printf("# fsync on the fbdev: %s\n", strerror(errno));
}

static int cmd_fbdraw(int argc, char **argv)
{
	const char *dev = "/dev/fb0";
	struct fb_var_screeninfo var;
	struct fb_fix_screeninfo fix;
	struct card_rect r;
	unsigned int w, h, x, y, stride;
	size_t len;
	uint32_t *px;
	int wait = 0, setvar = 0, pan = 0, fd, tty, i;

	for (i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--wait"))
			wait = 1;
		else if (!strcmp(argv[i], "--setvar"))
			setvar = 1;
		else if (!strcmp(argv[i], "--pan"))
			pan = 1;
		else
			dev = argv[i];
	}

	/* /dev/fbN with N > 0: the host checks that display's dumps */
	if (sscanf(dev, "/dev/fb%u", &screen) != 1)
		screen = 0;
	fd = open(dev, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		die(dev);
	if (xioctl(fd, FBIOGET_VSCREENINFO, &var) ||
	    xioctl(fd, FBIOGET_FSCREENINFO, &fix))
		die("fb screeninfo");
	w = var.xres;
	h = var.yres;
	result(var.bits_per_pixel == 32 && var.red.offset == 16 &&
	       var.green.offset == 8 && var.blue.offset == 0 &&
	       var.red.length == 8 && var.green.length == 8 &&
	       var.blue.length == 8,
	       "fbdev %ux%u is XRGB8888 (%u bpp, r%u/%u g%u/%u b%u/%u)", w, h,
	       var.bits_per_pixel, var.red.offset, var.red.length,
	       var.green.offset, var.green.length, var.blue.offset,
	       var.blue.length);
	result(fix.type == FB_TYPE_PACKED_PIXELS &&
	       fix.visual == FB_VISUAL_TRUECOLOR,
	       "packed pixels, truecolor (type %u, visual %u)", fix.type,
	       fix.visual);
	len = (size_t)fix.line_length * h;
	result(fix.line_length >= w * 4 && fix.smem_len >= len,
	       "line length %u, %u bytes of framebuffer memory for %zu",
	       fix.line_length, fix.smem_len, len);
	if (var.bits_per_pixel != 32 || fix.line_length < w * 4 ||
	    fix.smem_len < len || !w || !h)
		exit(2);
	/*
	 * What an fbdev program does once on a display nobody has set up.
	 * FORCE: the fbdev core skips the driver when the mode equals the
	 * current one, and only the driver's set_par commits the display.
	 */
	if (setvar) {
		var.activate = FB_ACTIVATE_NOW | FB_ACTIVATE_FORCE;
		result(!xioctl(fd, FBIOPUT_VSCREENINFO, &var),
		       "FBIOPUT_VSCREENINFO (FB_ACTIVATE_FORCE) with the mode read");
	}
	stride = fix.line_length / 4;
	px = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (px == MAP_FAILED)
		die("mmap fbdev");

	/* The console must not draw over the picture: graphics mode, as X does */
	tty = open("/dev/tty0", O_RDWR | O_CLOEXEC);
	if (tty < 0 || xioctl(tty, KDSETMODE, (void *)KD_GRAPHICS))
		printf("# no graphics mode on /dev/tty0: %s\n", strerror(errno));

	/* 1: the whole card */
	for (y = 0; y < h; y++)
		for (x = 0; x < w; x++)
			px[y * stride + x] = card_pixel(x, y, w, h);
	fb_flush(fd);
	if (pan)
		fb_pan(fd, &var);
	result(1, "test card written through the fbdev mmap");
	drawn("pattern", w, h, wait);

	/* 2: only the damage rectangle is rewritten */
	r = card_damage(w, h);
	for (y = r.y1; y < r.y2; y++)
		for (x = r.x1; x < r.x2; x++)
			px[y * stride + x] = partial_pixel(x, y, w, h);
	fb_flush(fd);
	if (pan)
		fb_pan(fd, &var);
	result(1, "rectangle %u,%u-%u,%u rewritten", r.x1, r.y1, r.x2, r.y2);
	drawn("partial", w, h, wait);

	if (tty >= 0) {
		xioctl(tty, KDSETMODE, (void *)KD_TEXT);
		close(tty);
	}
	munmap(px, len);
	close(fd);
	return failures ? 1 : 0;
}

/* ---- fbhash ------------------------------------------------------------- */

/* FNV-1a over R, G, B of every visible pixel, row by row */
struct hash {
	uint64_t h;
	unsigned long lit;	/* pixels that are not black */
};

static void hash_init(struct hash *s)
{
	s->h = 0xcbf29ce484222325ull;
	s->lit = 0;
}

static void hash_px(struct hash *s, uint8_t r, uint8_t g, uint8_t b)
{
	const uint8_t c[3] = { r, g, b };
	int i;

	for (i = 0; i < 3; i++) {
		s->h ^= c[i];
		s->h *= 0x100000001b3ull;
	}
	if (r | g | b)
		s->lit++;
}

static int cmd_fbhash(int argc, char **argv)
{
	const char *dev = argc > 0 ? argv[0] : "/dev/fb0";
	struct fb_var_screeninfo var;
	struct fb_fix_screeninfo fix;
	struct hash s;
	uint8_t *line;
	unsigned int x, y;
	int fd;

	fd = open(dev, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		die(dev);
	if (ioctl(fd, FBIOGET_VSCREENINFO, &var) ||
	    ioctl(fd, FBIOGET_FSCREENINFO, &fix))
		die("fb screeninfo");
	if (var.bits_per_pixel != 32)
		die("fb is not 32 bpp");
	line = malloc(fix.line_length);
	if (!line)
		die("malloc");
	hash_init(&s);
	for (y = 0; y < var.yres; y++) {
		off_t off = (off_t)(y + var.yoffset) * fix.line_length +
			    var.xoffset * 4;

		if (pread(fd, line, var.xres * 4, off) != (ssize_t)(var.xres * 4))
			die("read fb");
		/* XRGB8888 in memory: B, G, R, X */
		for (x = 0; x < var.xres; x++)
			hash_px(&s, line[4 * x + 2], line[4 * x + 1],
				line[4 * x]);
	}
	printf("fbhash %ux%u %016" PRIx64 " lit %lu\n", var.xres, var.yres,
	       s.h, s.lit);
	close(fd);
	return 0;
}

/* ---- con2fb ------------------------------------------------------------- */

/*
 * Map the first text console to FBDEV.  With fbcon=map:9 fbcon leaves
 * every framebuffer alone; mapping one console at run time makes it take
 * over all of them, as it does at boot without the option.
 */
static int cmd_con2fb(int argc, char **argv)
{
	const char *dev = argc > 0 ? argv[0] : "/dev/fb0";
	struct fb_con2fbmap map = { .console = 1 };
	struct stat st;
	int fd;

	fd = open(dev, O_RDWR | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st))
		die(dev);
	map.framebuffer = minor(st.st_rdev);
	if (xioctl(fd, FBIOPUT_CON2FBMAP, &map))
		die("FBIOPUT_CON2FBMAP");
	close(fd);
	return 0;
}

/* ---- check -------------------------------------------------------------- */

static int ppm_int(FILE *f)
{
	int c, v = 0, any = 0;

	for (;;) {
		c = getc(f);
		if (c == '#')
			while (c != '\n' && c != EOF)
				c = getc(f);
		if (c == EOF)
			return -1;
		if (c >= '0' && c <= '9')
			break;
	}
	while (c >= '0' && c <= '9') {
		v = v * 10 + (c - '0');
		any = 1;
		c = getc(f);
	}
	return any ? v : -1;
}

static uint8_t *read_ppm(const char *path, unsigned int *w, unsigned int *h)
{
	FILE *f = fopen(path, "rb");
	int pw, ph, max;
	size_t n;
	uint8_t *rgb;

	if (!f)
		die(path);
	if (getc(f) != 'P' || getc(f) != '6') {
		errno = EINVAL;
		die("not a P6 PPM");
	}
	pw = ppm_int(f);
	ph = ppm_int(f);
	max = ppm_int(f);
	if (pw <= 0 || ph <= 0 || max != 255) {
		errno = EINVAL;
		die("PPM header");
	}
	n = (size_t)pw * ph * 3;
	rgb = malloc(n);
	if (!rgb || fread(rgb, 1, n, f) != n)
		die("PPM pixels");
	fclose(f);
	*w = pw;
	*h = ph;
	return rgb;
}

static int cmd_check(int argc, char **argv)
{
	unsigned int w, h, x, y, fx = 0, fy = 0;
	unsigned long bad = 0;
	uint32_t got, want, fgot = 0, fwant = 0;
	const char *what;
	uint8_t *rgb;
	struct hash s;

	if (argc != 2) {
		fprintf(stderr, "usage: check full|partial|black|HASH FILE.ppm\n");
		return 2;
	}
	what = argv[0];
	rgb = read_ppm(argv[1], &w, &h);

	if (strcmp(what, "full") && strcmp(what, "partial") &&
	    strcmp(what, "black")) {
		char want_hash[32];

		hash_init(&s);
		for (y = 0; y < h; y++)
			for (x = 0; x < w; x++) {
				uint8_t *p = rgb + 3 * ((size_t)y * w + x);

				hash_px(&s, p[0], p[1], p[2]);
			}
		snprintf(want_hash, sizeof(want_hash), "%016" PRIx64, s.h);
		result(!strcmp(want_hash, what),
		       "%ux%u screen equals the console's fbdev (hash %s, fbdev %s)",
		       w, h, want_hash, what);
		/* a blank screen would hash equal to a blank fbdev */
		result(s.lit >= 200, "console text is visible (%lu lit pixels)",
		       s.lit);
		return failures ? 1 : 0;
	}

	for (y = 0; y < h; y++)
		for (x = 0; x < w; x++) {
			uint8_t *p = rgb + 3 * ((size_t)y * w + x);

			got = (uint32_t)p[0] << 16 | p[1] << 8 | p[2];
			if (what[0] == 'b')
				want = 0;
			else if (what[0] == 'f')
				want = card_pixel(x, y, w, h);
			else
				want = partial_pixel(x, y, w, h);
			if (got != want && !bad++) {
				fx = x;
				fy = y;
				fgot = got;
				fwant = want;
			}
		}
	if (bad)
		result(0, "%ux%u screen shows the %s picture: %lu pixels differ, first at %u,%u: #%06x, want #%06x",
		       w, h, what, bad, fx, fy, fgot, fwant);
	else
		result(1, "%ux%u screen shows the %s picture pixel for pixel",
		       w, h, what);
	return failures ? 1 : 0;
}

static int cmd_card(int argc, char **argv)
{
	unsigned int w, h, x, y;
	uint32_t v;
	FILE *f;

	if (argc != 4 || (strcmp(argv[0], "full") && strcmp(argv[0], "partial"))) {
		fprintf(stderr, "usage: card full|partial W H OUT.ppm\n");
		return 2;
	}
	w = strtoul(argv[1], NULL, 0);
	h = strtoul(argv[2], NULL, 0);
	if (!w || !h || w > 8192 || h > 8192) {
		fprintf(stderr, "bad size %ux%u\n", w, h);
		return 2;
	}
	f = fopen(argv[3], "wb");
	if (!f)
		die(argv[3]);
	fprintf(f, "P6\n%u %u\n255\n", w, h);
	for (y = 0; y < h; y++)
		for (x = 0; x < w; x++) {
			v = argv[0][0] == 'f' ? card_pixel(x, y, w, h) :
						partial_pixel(x, y, w, h);
			putc(v >> 16 & 0xff, f);
			putc(v >> 8 & 0xff, f);
			putc(v & 0xff, f);
		}
	if (fclose(f))
		die(argv[3]);
	return 0;
}

/* ---- fps ---------------------------------------------------------------- */

/*
 * The first connector of any KMS driver with dumb buffers, and its mode
 * WxH: no mdpy-specific check, so the same client measures QEMU's own
 * displays (bochs, virtio-gpu) and mdpy-drm alike.  0 if found.
 */
static int kms_generic(int fd, unsigned int w, unsigned int h, struct kms *k)
{
	struct drm_mode_card_res res = { 0 };
	struct drm_mode_get_connector conn = { 0 };
	static struct drm_mode_modeinfo modes[512];
	unsigned int i;

	if (kms_first(fd, &res, k, &conn))
		return -1;
	if (!conn.count_modes || conn.count_modes > 512)
		return -1;
	conn.modes_ptr = (uintptr_t)modes;
	conn.count_props = 0;
	conn.count_encoders = 0;
	if (xioctl(fd, DRM_IOCTL_MODE_GETCONNECTOR, &conn))
		die("GETCONNECTOR");
	for (i = 0; i < conn.count_modes; i++)
		if (modes[i].hdisplay == w && modes[i].vdisplay == h) {
			k->mode = modes[i];
			return 0;
		}
	return -1;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * DIRTYFB of NCLIPS rectangles.  A framebuffer the driver scans out
 * directly has no dirty hook (bochs: its dumb buffers live in the
 * device's VRAM) and answers ENOSYS: the pixels are already there.
 */
static void fps_dirty(int fd, uint32_t fb_id, struct drm_clip_rect *clips,
		      unsigned int nclips)
{
	struct drm_mode_fb_dirty_cmd dirty = {
		.fb_id = fb_id,
		.clips_ptr = (uintptr_t)clips,
		.num_clips = nclips,
	};

	if (xioctl(fd, DRM_IOCTL_MODE_DIRTYFB, &dirty) && errno != ENOSYS)
		die("DIRTYFB");
}

/*
 * One phase of SECS seconds between "fps begin PHASE" and "fps end PHASE
 * frames N secs T fps F" on stdout, which the host times its CPU
 * counters by.  idle: the picture stays.  full: every frame rewrites and
 * reports the whole frame.  rect: an RWxRH square moves across the frame,
 * each frame reports its old and its new place.
 */
static void fps_phase(int fd, struct dumbfb *f, const char *phase,
		      double secs, unsigned int rw, unsigned int rh)
{
	struct drm_clip_rect clips[2];
	unsigned int n = 0, x, y, px = 0, py = 0, nx, ny, stride = f->pitch / 4;
	uint32_t c;
	double t0, t;

	printf("fps begin %s\n", phase);
	fflush(stdout);
	t0 = now();
	t = t0;
	if (!strcmp(phase, "idle")) {
		usleep(secs * 1e6);
		t = now();
	}
	while (strcmp(phase, "idle") && t - t0 < secs) {
		/* a colour per frame, so every frame differs from the last */
		c = 0x00204080u + n * 0x00030507u;
		if (!strcmp(phase, "full")) {
			for (y = 0; y < f->h; y++)
				for (x = 0; x < f->w; x++)
					f->px[y * stride + x] = c ^ (x & 0xff);
			clips[0] = (struct drm_clip_rect){ 0, 0, f->w, f->h };
			fps_dirty(fd, f->fb_id, clips, 1);
		} else {
			/* the square walks diagonally, wrapping at the edges */
			nx = (n * 7 * rw / 8) % (f->w - rw);
			ny = (n * 5 * rh / 8) % (f->h - rh);
			for (y = py; y < py + rh; y++)
				for (x = px; x < px + rw; x++)
					f->px[y * stride + x] = 0;
			for (y = ny; y < ny + rh; y++)
				for (x = nx; x < nx + rw; x++)
					f->px[y * stride + x] = c;
			clips[0] = (struct drm_clip_rect){ px, py, px + rw, py + rh };
			clips[1] = (struct drm_clip_rect){ nx, ny, nx + rw, ny + rh };
			fps_dirty(fd, f->fb_id, clips, 2);
			px = nx;
			py = ny;
		}
		n++;
		t = now();
	}
	printf("fps end %s frames %u secs %.2f fps %.2f\n", phase, n, t - t0,
	       n / (t - t0));
	fflush(stdout);
}

/*
 * fps [--dev DEV] [--size WxH] [--rect WxH] [--secs S] [--wait]: set mode
 * WxH (default 1920x1080) on the first connector of DEV with a black
 * dumb buffer, then the phases idle, full and rect, S seconds each
 * (default 20).  --wait prints "fps ready PHASE" and reads a line from
 * stdin before each phase, so the host can let the display settle first.
 */
static int cmd_fps(int argc, char **argv)
{
	const char *dev = "/dev/dri/card0", *v;
	const char *phases[] = { "idle", "full", "rect" };
	unsigned int w = 1920, h = 1080, rw = 64, rh = 64, i;
	struct drm_get_cap gc = { .capability = DRM_CAP_DUMB_BUFFER };
	double secs = 20;
	int wait = 0, fd, ret;
	struct dumbfb f;
	struct kms k;

	for (i = 0; i < (unsigned int)argc; i++) {
		if (opt_wait_dev(argc, argv, &i, &wait, &dev))
			continue;
		if ((v = opt_val(argc, argv, &i, "--size")))
			parse_size(v, &w, &h);
		else if ((v = opt_val(argc, argv, &i, "--rect")))
			parse_size(v, &rw, &rh);
		else if ((v = opt_val(argc, argv, &i, "--secs")))
			secs = atof(v);
		else {
			fprintf(stderr, "fps: unknown argument '%s'\n", argv[i]);
			return 2;
		}
	}
	if (rw >= w || rh >= h || secs <= 0) {
		fprintf(stderr, "fps: the square must fit the frame, S > 0\n");
		return 2;
	}

	fd = open(dev, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		die(dev);
	if (xioctl(fd, DRM_IOCTL_GET_CAP, &gc) || !gc.value) {
		result(0, "%s offers dumb buffers", dev);
		return 1;
	}
	if (kms_generic(fd, w, h, &k)) {
		result(0, "%s: a connector lists %ux%u", dev, w, h);
		return 1;
	}
	fb_make(fd, w, h, 0, &f);
	memset(f.px, 0, f.size);
	ret = set_crtc(fd, &k, &f, &k.mode);
	result(!ret, "fps: modeset %ux%u on %s%s%s", w, h, dev,
	       ret ? ": " : "", ret ? strerror(ret) : "");
	if (ret)
		return 1;
	for (i = 0; i < 3; i++) {
		if (wait) {
			printf("fps ready %s\n", phases[i]);
			fflush(stdout);
			wait_line(1);
		}
		fps_phase(fd, &f, phases[i], secs, rw, rh);
	}
	fb_free(fd, &f);
	close(fd);
	return failures ? 1 : 0;
}

int main(int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "draw"))
		return cmd_draw(argc - 2, argv + 2);
	if (argc >= 2 && !strcmp(argv[1], "mode"))
		return cmd_mode(argc - 2, argv + 2);
	if (argc >= 2 && !strcmp(argv[1], "fbdraw"))
		return cmd_fbdraw(argc - 2, argv + 2);
	if (argc >= 2 && !strcmp(argv[1], "fbhash"))
		return cmd_fbhash(argc - 2, argv + 2);
	if (argc >= 2 && !strcmp(argv[1], "con2fb"))
		return cmd_con2fb(argc - 2, argv + 2);
	if (argc >= 2 && !strcmp(argv[1], "check"))
		return cmd_check(argc - 2, argv + 2);
	if (argc >= 2 && !strcmp(argv[1], "card"))
		return cmd_card(argc - 2, argv + 2);
	if (argc >= 2 && !strcmp(argv[1], "fps"))
		return cmd_fps(argc - 2, argv + 2);
	fprintf(stderr,
		"usage: mdpy-drm-test draw [--wait] [DEV]\n"
		"       mdpy-drm-test mode [--wait] [--dev DEV] [--preferred WxH]\n"
		"                          [--refuse WxH]... WxH...\n"
		"       mdpy-drm-test fbdraw [--wait] [--setvar] [--pan] [FBDEV]\n"
		"       mdpy-drm-test fbhash [FBDEV]\n"
		"       mdpy-drm-test con2fb [FBDEV]\n"
		"       mdpy-drm-test check full|partial|black|HASH FILE.ppm\n"
		"       mdpy-drm-test card full|partial W H OUT.ppm\n"
		"       mdpy-drm-test fps [--dev DEV] [--size WxH] [--rect WxH]\n"
		"                         [--secs S] [--wait]\n");
	return 2;
}
