# SPDX-License-Identifier: GPL-2.0
#
# The L2 guests' test client; the top Makefile includes tests/*/*.mk.

GUEST_TOOLS_DIR := $(patsubst %/,%,$(dir $(lastword $(MAKEFILE_LIST))))/tools

.PHONY: guest-tools

guest-tools: ## Build build/guest-tools/mdpy-drm-test (static DRM test client of the L2 guests)
	@$(MAKE) -s -C $(GUEST_TOOLS_DIR)
