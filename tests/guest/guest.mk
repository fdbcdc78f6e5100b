# SPDX-License-Identifier: GPL-2.0
#
# The L2 guest suites under QEMU 11.1; the top Makefile includes tests/*/*.mk
# (after guest/guest.mk, whose GUEST_DIR this must not redefine).

GUEST_TESTS_DIR := $(patsubst %/,%,$(dir $(lastword $(MAKEFILE_LIST))))

.PHONY: check-guest-qemu11

check-guest-qemu11: ## L2 guest suites 70 and 72 on 7.3 under QEMU 11.1 (boot display with SeaBIOS; not in make check)
	@rm -rf $(BUILD)/vm/7.3-qemu11
	@GUEST_QEMU11=1 $(GUEST_TESTS_DIR)/vm-guest.sh 7.3 $(BUILD)/vm/7.3-qemu11 \
		70-guest-drm 72-guest-mdpyfb
	@tests/tap-summary $(BUILD)/vm/7.3-qemu11
