# SPDX-License-Identifier: GPL-2.0
#
# `make bench-displays`; the top Makefile includes bench/*.mk.  Not part of
# make check: it boots four L2 guests (about 20 minutes).

BENCH_DISPLAYS_DIR := $(patsubst %/,%,$(dir $(lastword $(MAKEFILE_LIST))))

.PHONY: bench-displays

bench-displays: ## mdpy vs bochs-display vs virtio-gpu-pci: L2 fps at 1920x1080 and QEMU CPU with VNC (build/bench/displays.txt)
	$(BENCH_DISPLAYS_DIR)/displays.sh
