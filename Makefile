# SPDX-License-Identifier: GPL-2.0
#
# mdpy: a mediated VFIO virtual display.  `make help` lists the targets.

KDIR	?= /lib/modules/$(shell uname -r)/build
BUILD	:= $(CURDIR)/build
MODDIR	?= $(BUILD)/module
override MODDIR := $(abspath $(MODDIR))
CC	?= cc

MOD_SRCS := Kbuild $(wildcard kernel/*.c kernel/*.h kernel/*.sh core/*.c \
	    core/*.h include/uapi/*.h)

# BTF for modules needs pahole and the kernel's vmlinux; nothing here uses it
KBUILD_ARGS := CONFIG_DEBUG_INFO_BTF_MODULES=

.PHONY: all module install install-src deb clean help check check-unit deps

all: module

module: ## Build mdpy.ko for KDIR (default: the running kernel) into MODDIR
	@test -f $(KDIR)/Makefile || { \
		echo "No kernel headers at $(KDIR)."; \
		echo "Install them (apt-get install linux-headers-$$(uname -r)) or pass KDIR=<headers dir>."; \
		exit 1; }
	@scripts/mirror.sh $(MODDIR) $(MOD_SRCS)
	$(MAKE) -C $(KDIR) M=$(MODDIR) $(KBUILD_ARGS) modules
	@echo "built $(MODDIR)/mdpy.ko"

install: module ## Install mdpy.ko into the KDIR kernel's module tree (runs depmod)
	$(MAKE) -C $(KDIR) M=$(MODDIR) $(KBUILD_ARGS) modules_install

# What DKMS builds from: the sources of `module`, in the tree's layout
install-src: ## Copy mdpy.ko's sources into DESTDIR (a DKMS source tree; debian/rules)
	@test -n "$(DESTDIR)" || { echo "install-src: set DESTDIR=<directory>"; exit 1; }
	install -d $(DESTDIR)
	cp --parents -t $(DESTDIR) $(MOD_SRCS)

deb: ## Build build/deb/mdpy-dkms_VER_all.deb and mdpy-drm-dkms_VER_all.deb (DKMS packages)
	@scripts/deb.sh $(BUILD)/deb

UNIT_CFLAGS := -std=gnu11 -O1 -g -Wall -Wextra -Werror \
	       -fsanitize=address,undefined -fno-sanitize-recover=all \
	       -fno-omit-frame-pointer
UNIT_CORE := core/config.c core/device.c core/migrate.c core/types.c
UNIT_NAMES := core mig types
UNIT_BINS := $(addprefix $(BUILD)/unit/test_,$(UNIT_NAMES))

$(BUILD)/unit/test_%: tests/unit/test_%.c tests/unit/tap.h tests/lib/tap.c \
	    tests/lib/tap.h core/*.c core/*.h include/uapi/mdpy.h
	@mkdir -p $(dir $@)
	$(CC) $(UNIT_CFLAGS) -o $@ $< tests/lib/tap.c $(UNIT_CORE)

# every program runs even when one fails; the summary decides
check-unit: $(UNIT_BINS) ## Run the userspace unit tests of core/ (ASan+UBSan)
	@mkdir -p $(BUILD)/results/unit
	@for t in $(UNIT_NAMES); do \
		echo "$(BUILD)/unit/test_$$t"; \
		$(BUILD)/unit/test_$$t > $(BUILD)/results/unit/$$t.tap; \
		cat $(BUILD)/results/unit/$$t.tap; \
	done
	@tests/tap-summary $(BUILD)/results/unit

check: ## Run every test (unit, fuzz smoke, builds, VM suites on every kernel); ends "N passed, N failed"
	@scripts/check.sh

deps: ## Install the Debian packages builds and tests need (as root)
	@scripts/deps.sh

clean: ## Remove build products (keeps the download cache)
	rm -rf $(BUILD)/module $(BUILD)/unit $(BUILD)/results $(BUILD)/kver-* $(BUILD)/vm $(BUILD)/deb

help: ## List the targets
	@grep -hE '^[a-zA-Z0-9_-]+:.*## ' $(MAKEFILE_LIST) | \
		sed -E 's/^([^:]+):.*## (.*)/  \1\t\2/' | expand -t 20
	@echo "Kernels (tests/vm/kernels): $(call kvers,check); bench and stress:" \
		"$(call kvers,bench); KVERS=\"...\" narrows any target to those."

# The kernels under test, by use (check, bench, stress, qemu10): the list is
# written only in tests/vm/kernels.  KVERS (command line or environment)
# replaces it for every target.
kvers = $(or $(KVERS),$(shell tests/vm/kernels.sh $(1)))
GUEST_KVERS ?= $(call kvers,check)

# each part brings its own targets
-include $(sort $(wildcard tests/*/*.mk guest/*.mk bench/*.mk demo/*.mk))
