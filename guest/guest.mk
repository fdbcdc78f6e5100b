# SPDX-License-Identifier: GPL-2.0
#
# Guest DRM driver targets; the top Makefile does `-include guest/guest.mk`.
# Each kernel builds in its own directory (GUEST_BUILD-KVER, by default
# build/guest-KVER) from per-file symlinks, so objects for different kernels
# never mix; the W=1/sparse check builds in one of its own, so it can run
# while a VM payload builds the module the L2 guest loads.

GUEST_DIR := $(patsubst %/,%,$(dir $(lastword $(MAKEFILE_LIST))))
GUEST_SRCS := $(wildcard $(GUEST_DIR)/Kbuild $(GUEST_DIR)/*.c $(GUEST_DIR)/*.h \
		$(GUEST_DIR)/*.sh) include/uapi/mdpy.h
GUEST_MAKE_ARGS ?=
GUEST_BUILD ?= $(CURDIR)/build/guest

.PHONY: guest install-guest-src

guest: ## Build build/guest-KVER/mdpy-drm.ko (guest DRM driver) for every kernel in tests/vm/kernels
	@set -e; for k in $(GUEST_KVERS); do \
		KMAKE=; eval "$$(tests/vm/fetch.sh $$k)"; \
		d=$(GUEST_BUILD)-$$k; \
		scripts/mirror.sh $$d $(GUEST_SRCS); \
		$${KMAKE:-$(MAKE)} -C $$KDIR M=$$d/$(GUEST_DIR) CONFIG_DEBUG_INFO_BTF_MODULES= \
			$(GUEST_MAKE_ARGS) modules; \
		cp $$d/$(GUEST_DIR)/mdpy-drm.ko $$d/mdpy-drm.ko; \
		echo "built $$d/mdpy-drm.ko"; \
	done

# The guest/ sources and the uAPI header, in the tree's layout (guest/Kbuild
# reaches the header as ../include): what mdpy-drm-dkms installs.
install-guest-src: ## Copy mdpy-drm.ko's sources into DESTDIR (a DKMS source tree; debian/rules)
	@test -n "$(DESTDIR)" || { echo "install-guest-src: set DESTDIR=<directory>"; exit 1; }
	install -d $(DESTDIR)
	cp --parents -t $(DESTDIR) $(GUEST_SRCS)
