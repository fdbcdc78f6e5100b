# SPDX-License-Identifier: GPL-2.0
#
# The Debian packages' proof; the top Makefile includes tests/*/*.mk.

.PHONY: check-deb

check-deb: ## Build the .debs, install them with apt in Debian 12 and 13 chroots, boot the installed modules (VM, L2 guest; root)
	@tests/deb/check.sh $(BUILD)/results/deb
