# SPDX-License-Identifier: GPL-2.0
#
# The Debian packages' proof; the top Makefile includes tests/*/*.mk.

.PHONY: check-deb

check-deb: ## Build the .debs, install them with apt in a Debian 12 chroot, boot the installed mdpy.ko (root)
	@tests/deb/check.sh $(BUILD)/results/deb
