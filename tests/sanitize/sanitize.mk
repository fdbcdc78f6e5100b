# SPDX-License-Identifier: GPL-2.0
#
# The driver's VM suites on a KASAN + lockdep + kmemleak kernel built from
# Debian's linux-source-6.12; the top Makefile includes tests/*/*.mk.  Not
# part of make check: the first run builds a kernel.

SAN_DIR := $(patsubst %/,%,$(dir $(lastword $(MAKEFILE_LIST))))
SAN_OUT ?= build/sanitize

.PHONY: check-sanitize sanitize-kernel

sanitize-kernel: ## Build (once) and cache the sanitizer kernel (KVER=6.12-san)
	$(SAN_DIR)/build-kernel.sh >/dev/null

check-sanitize: ## Conformance, stress and display suites on the sanitizer kernel; fails on any report
	$(SAN_DIR)/check-sanitize.sh $(SAN_OUT)
