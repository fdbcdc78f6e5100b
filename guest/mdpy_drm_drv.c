// SPDX-License-Identifier: GPL-2.0
/*
 * mdpy-drm: PCI glue and DRM driver registration for the mdpy display.
 *
 * Probe reads the framebuffer layout from the vendor capability, looks for
 * the mode capability (a host that lets the guest change resolution),
 * refuses anything it cannot show correctly, maps the frame part of BAR0
 * write-combined and registers a DRM device plus fbdev emulation.  Every
 * resource is devm/drmm managed, so probe errors, unbind and rmmod unwind
 * through the same path; drm_dev_unplug() fences off the BAR for open
 * files that outlive the PCI device.
 */
#include <linux/aperture.h>
#include <linux/io.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <drm/drm_atomic_helper.h>
#include <drm/drm_drv.h>
#include <drm/drm_file.h>
#include <drm/drm_fourcc.h>
#include <drm/drm_gem.h>
#include <drm/drm_gem_shmem_helper.h>
#include <drm/drm_ioctl.h>
#include <drm/drm_module.h>
#include <drm/drm_print.h>

#include <uapi/mdpy.h>

#include "compat.h"
#include "mdpy_drm.h"

DEFINE_DRM_GEM_FOPS(mdpy_drm_fops);

static const struct drm_driver mdpy_drm_driver = {
	.driver_features = DRIVER_MODESET | DRIVER_GEM | DRIVER_ATOMIC,
	.fops = &mdpy_drm_fops,
	DRM_GEM_SHMEM_DRIVER_OPS,
	MDPY_DRM_FBDEV_DRIVER_OPS
	.name = MDPY_DRM_NAME,
	.desc = "mdpy virtual display",
	MDPY_DRM_DRIVER_DATE
	.major = 1,
	.minor = 0,
};

/*
 * Read and check the vendor capability.  The device ABI puts it at a fixed
 * offset, so look there rather than walking the capability list.
 */
static int mdpy_drm_read_layout(struct pci_dev *pdev, struct mdpy_drm *mdpy)
{
	struct device *dev = &pdev->dev;
	u32 format, width, height;
	u8 id, len;

	pci_read_config_byte(pdev, MDPY_VENDORCAP_OFFSET, &id);
	pci_read_config_byte(pdev, MDPY_VENDORCAP_OFFSET + 2, &len);
	if (id != PCI_CAP_ID_VNDR || len < MDPY_VENDORCAP_SIZE) {
		dev_err(dev, "no mdpy vendor capability at %#x (id %#x, length %u)\n",
			MDPY_VENDORCAP_OFFSET, id, len);
		return -ENODEV;
	}

	pci_read_config_dword(pdev, MDPY_FORMAT_OFFSET, &format);
	pci_read_config_dword(pdev, MDPY_WIDTH_OFFSET, &width);
	pci_read_config_dword(pdev, MDPY_HEIGHT_OFFSET, &height);

	if (format != MDPY_FORMAT_XRGB8888) {
		dev_err(dev, "unsupported pixel format %#010x (only XRGB8888, %#010x)\n",
			format, MDPY_FORMAT_XRGB8888);
		return -ENODEV;
	}
	if (!width || !height ||
	    width > MDPY_DRM_MAX_DIM || height > MDPY_DRM_MAX_DIM) {
		dev_err(dev, "unsupported resolution %ux%u (1..%u each way)\n",
			width, height, MDPY_DRM_MAX_DIM);
		return -ENODEV;
	}

	mdpy->width = width;
	mdpy->height = height;
	mdpy->pitch = width * MDPY_BYTES_PER_PIXEL;
	/* 96 dpi, so toolkits that scale by physical size see 1:1 */
	mdpy->mode = (struct drm_display_mode) {
		DRM_MODE_INIT(60, width, height,
			      DRM_MODE_RES_MM(width, 96ul),
			      DRM_MODE_RES_MM(height, 96ul))
	};
	return 0;
}

/*
 * The mode capability is optional: an older host has none, and then the
 * device keeps the one mode read above.  It is the vendor capability
 * whose magic field says "MODE"; walk the list rather than trust the
 * offset, so a host may move it.  Anything odd about it means "no mode
 * capability", never a failed probe: the fixed mode still works.
 */
static void mdpy_drm_read_modecap(struct pci_dev *pdev, struct mdpy_drm *mdpy)
{
	struct device *dev = &pdev->dev;
	u32 magic, fb_bytes, width, height;
	u8 pos, len, version;
	resource_size_t bar = pci_resource_len(pdev, MDPY_FB_BAR);

	for (pos = pci_find_capability(pdev, PCI_CAP_ID_VNDR); pos;
	     pos = pci_find_next_capability(pdev, pos, PCI_CAP_ID_VNDR)) {
		pci_read_config_dword(pdev, pos + MDPY_MODECAP_MAGIC -
				      MDPY_MODECAP_OFFSET, &magic);
		if (magic == MDPY_MODECAP_MAGIC_VALUE)
			break;
	}
	if (!pos)
		return;

	pci_read_config_byte(pdev, pos + 2, &len);
	pci_read_config_byte(pdev, pos + MDPY_MODECAP_VERSION_OFFSET -
			     MDPY_MODECAP_OFFSET, &version);
	pci_read_config_dword(pdev, pos + MDPY_MODECAP_FB_BYTES -
			      MDPY_MODECAP_OFFSET, &fb_bytes);
	pci_read_config_dword(pdev, pos + MDPY_MODECAP_DEFAULT_WIDTH -
			      MDPY_MODECAP_OFFSET, &width);
	pci_read_config_dword(pdev, pos + MDPY_MODECAP_DEFAULT_HEIGHT -
			      MDPY_MODECAP_OFFSET, &height);
	/* mode setting needs only version 1's fields, up to CTRL */
	if (len < MDPY_MODECAP_SIZE_V1 || version < 1) {
		dev_warn(dev, "mode capability at %#x: length %u, version %u: using the fixed mode\n",
			 pos, len, version);
		return;
	}
	/* A frame must fit the BAR the guest really got */
	if (fb_bytes > bar)
		fb_bytes = bar;
	mdpy->modecap = pos;
	mdpy->fb_bytes = fb_bytes;
	mdpy->default_width = width;
	/* both the default and the current mode must be modes it can set */
	if (mdpy_drm_mode_fits(mdpy, width, height) != MODE_OK ||
	    mdpy_drm_mode_fits(mdpy, mdpy->width, mdpy->height) != MODE_OK) {
		dev_warn(dev, "mode capability: default %ux%u or current %ux%u does not fit %u bytes: using the fixed mode\n",
			 width, height, mdpy->width, mdpy->height, fb_bytes);
		mdpy->modecap = 0;
		return;
	}
	mdpy->mode = (struct drm_display_mode) {
		DRM_MODE_INIT(60, width, height,
			      DRM_MODE_RES_MM(width, 96ul),
			      DRM_MODE_RES_MM(height, 96ul))
	};
}

/* Claim and map the visible frame at the start of BAR0 */
static int mdpy_drm_map_bar(struct pci_dev *pdev, struct mdpy_drm *mdpy)
{
	struct device *dev = &pdev->dev;
	resource_size_t start = pci_resource_start(pdev, MDPY_FB_BAR);
	resource_size_t len = pci_resource_len(pdev, MDPY_FB_BAR);
	resource_size_t need = (resource_size_t)mdpy->pitch * mdpy->height;

	/* modes may change: map every byte any of them can use */
	if (mdpy->modecap)
		need = mdpy->fb_bytes;

	if (!(pci_resource_flags(pdev, MDPY_FB_BAR) & IORESOURCE_MEM) || !start) {
		dev_err(dev, "BAR%d is not an assigned memory BAR\n", MDPY_FB_BAR);
		return -ENODEV;
	}
	if (len < need) {
		dev_err(dev, "BAR%d is %pa bytes, %ux%u XRGB8888 needs %pa\n",
			MDPY_FB_BAR, &len, mdpy->width, mdpy->height, &need);
		return -ENODEV;
	}

	if (!devm_request_mem_region(dev, start, need, MDPY_DRM_NAME)) {
		dev_err(dev, "BAR%d at %pa is in use\n", MDPY_FB_BAR, &start);
		return -EBUSY;
	}
	/* write-combined: the CPU streams pixels, nobody reads them back */
	mdpy->vram = devm_ioremap_wc(dev, start, need);
	if (!mdpy->vram)
		return -ENOMEM;
	return 0;
}

static int mdpy_drm_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct mdpy_drm *mdpy;
	struct drm_device *drm;
	int ret;

	mdpy = devm_drm_dev_alloc(&pdev->dev, &mdpy_drm_driver,
				  struct mdpy_drm, drm);
	if (IS_ERR(mdpy))
		return PTR_ERR(mdpy);
	drm = &mdpy->drm;

	ret = mdpy_drm_read_layout(pdev, mdpy);
	if (ret)
		return ret;
	mdpy_drm_read_modecap(pdev, mdpy);

	/* A firmware framebuffer on our BAR (if any) must let go first */
	ret = aperture_remove_conflicting_pci_devices(pdev, mdpy_drm_driver.name);
	if (ret)
		return ret;

	ret = pcim_enable_device(pdev);
	if (ret)
		return ret;

	ret = mdpy_drm_map_bar(pdev, mdpy);
	if (ret)
		return ret;

	ret = mdpy_drm_kms_init(mdpy);
	if (ret)
		return ret;

	pci_set_drvdata(pdev, drm);
	ret = drm_dev_register(drm, 0);
	if (ret)
		return ret;

	if (mdpy->modecap)
		drm_info(drm, "%ux%u XRGB8888 (default %ux%u, modes up to %u bytes), BAR%d at %pa\n",
			 mdpy->width, mdpy->height, mdpy->mode.hdisplay,
			 mdpy->mode.vdisplay, mdpy->fb_bytes, MDPY_FB_BAR,
			 &pdev->resource[MDPY_FB_BAR].start);
	else
		drm_info(drm, "%ux%u XRGB8888, BAR%d at %pa\n", mdpy->width,
			 mdpy->height, MDPY_FB_BAR,
			 &pdev->resource[MDPY_FB_BAR].start);
	mdpy_drm_fbdev_setup(drm);
	return 0;
}

static void mdpy_drm_remove(struct pci_dev *pdev)
{
	struct drm_device *drm = pci_get_drvdata(pdev);

	/*
	 * Unplug first: from here on drm_dev_enter() fails, so the shutdown
	 * commit below and any open file skip the BAR, which devres unmaps
	 * when we return.
	 */
	drm_dev_unplug(drm);
	drm_atomic_helper_shutdown(drm);
}

static void mdpy_drm_shutdown(struct pci_dev *pdev)
{
	drm_atomic_helper_shutdown(pci_get_drvdata(pdev));
}

static const struct pci_device_id mdpy_drm_pci_ids[] = {
	{ PCI_DEVICE_SUB(MDPY_PCI_VENDOR_ID, MDPY_PCI_DEVICE_ID,
			 MDPY_PCI_SUBSYSTEM_VENDOR_ID, MDPY_PCI_SUBSYSTEM_ID) },
	{ }
};
MODULE_DEVICE_TABLE(pci, mdpy_drm_pci_ids);

static struct pci_driver mdpy_drm_pci_driver = {
	.name = MDPY_DRM_NAME,
	.id_table = mdpy_drm_pci_ids,
	.probe = mdpy_drm_probe,
	.remove = mdpy_drm_remove,
	.shutdown = mdpy_drm_shutdown,
};

/* honours the nomodeset kernel parameter like every other DRM driver */
drm_module_pci_driver(mdpy_drm_pci_driver);

MODULE_DESCRIPTION("DRM/KMS driver for the mdpy virtual display");
MODULE_LICENSE("GPL");
