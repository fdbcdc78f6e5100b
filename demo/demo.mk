# SPDX-License-Identifier: GPL-2.0
#
# The demo; the top Makefile includes demo/*.mk.

DEMO_DIR := $(patsubst %/,%,$(dir $(lastword $(MAKEFILE_LIST))))

.PHONY: run

run: ## Demo: VM + mdpy-hd + nested QEMU display -> ./mdpy-screenshot.png
	@$(DEMO_DIR)/demo.sh
