# SPDX-License-Identifier: GPL-2.0
#
# `make bench`; the top Makefile includes this file.

BENCH_DIR := $(patsubst %/,%,$(dir $(lastword $(MAKEFILE_LIST))))

.PHONY: bench

bench: ## Benchmark mdpy.ko vs the kernel's sample vs a memfd in a VM per kernel (tables, build/bench/KVER.json)
	$(BENCH_DIR)/run.sh $(call kvers,bench)
