# SPDX-License-Identifier: GPL-2.0
#
# libFuzzer targets on the portable device model (core/).  The top Makefile
# does `-include tests/fuzz/fuzz.mk`; `make -f tests/fuzz/fuzz.mk TARGET`
# works on its own as well.  Needs clang with libFuzzer (Debian: clang-14).
#
#   make fuzz              every target, FUZZ_SECONDS (default 300) in all
#   make fuzz-smoke        about 50 s; TAP in build/results/fuzz/fuzz.tap
#
# New inputs found go to build/fuzz/corpus/TARGET; crashes are saved as
# build/fuzz/artifacts/TARGET-crash-*; replay one with
# `build/fuzz/fuzz_TARGET FILE`.  tests/fuzz/corpus/ is the committed seed.

FUZZ_DIR := $(patsubst %/,%,$(dir $(lastword $(MAKEFILE_LIST))))
FUZZ_TOP := $(abspath $(FUZZ_DIR)/../..)
FUZZ_OUT ?= $(FUZZ_TOP)/build/fuzz
FUZZ_CC ?= $(shell command -v clang-14 || command -v clang || echo clang)
FUZZ_SECONDS ?= 300
FUZZ_SMOKE_SECONDS ?= 9
FUZZ_TARGETS := device decode fbinit irqset mig mode types

FUZZ_CFLAGS := -std=gnu11 -g -O1 -Wall -Wextra -Werror \
	       -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
	       -fno-omit-frame-pointer
FUZZ_CORE := $(FUZZ_TOP)/core/config.c $(FUZZ_TOP)/core/device.c \
	     $(FUZZ_TOP)/core/migrate.c $(FUZZ_TOP)/core/types.c
FUZZ_DEPS := $(FUZZ_CORE) $(wildcard $(FUZZ_TOP)/core/*.h) \
	     $(FUZZ_TOP)/include/uapi/mdpy.h $(FUZZ_DIR)/fuzz.h
FUZZ_BINS := $(addprefix $(FUZZ_OUT)/fuzz_,$(FUZZ_TARGETS))

.PHONY: fuzz fuzz-smoke fuzz-build fuzz-mig-seeds

FUZZ_NEED_CC = @command -v $(FUZZ_CC) >/dev/null || { \
	echo "$(FUZZ_CC) not found; libFuzzer needs clang: apt-get install clang"; \
	exit 1; }

$(FUZZ_OUT)/fuzz_%: $(FUZZ_DIR)/fuzz_%.c $(FUZZ_DEPS)
	$(FUZZ_NEED_CC)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ $< $(FUZZ_CORE)

# The device target with a deliberately broken write mask: proves the
# invariants bite (fuzz-smoke expects it to crash).
$(FUZZ_OUT)/selftest_device: $(FUZZ_DIR)/fuzz_device.c $(FUZZ_DEPS)
	$(FUZZ_NEED_CC)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -DFUZZ_INJECT_BUG -o $@ $< $(FUZZ_CORE)

# The mig target's seeds are valid streams made by the writer; regenerate
# them (and commit the result) when the stream format changes.
$(FUZZ_OUT)/gen_mig_seeds: $(FUZZ_DIR)/gen_mig_seeds.c $(FUZZ_DEPS)
	@mkdir -p $(dir $@)
	$(CC) -std=gnu11 -O1 -Wall -Wextra -Werror -o $@ $< $(FUZZ_CORE)

fuzz-mig-seeds: $(FUZZ_OUT)/gen_mig_seeds ## Rewrite tests/fuzz/corpus/mig from the stream writer
	@mkdir -p $(FUZZ_DIR)/corpus/mig
	$(FUZZ_OUT)/gen_mig_seeds $(FUZZ_DIR)/corpus/mig

fuzz-build: $(FUZZ_BINS) $(FUZZ_OUT)/selftest_device ## Build the libFuzzer targets of core/ (clang)

fuzz: $(FUZZ_BINS) ## Fuzz core/ for FUZZ_SECONDS (default 300) shared by all targets
	@FUZZ_OUT=$(FUZZ_OUT) $(FUZZ_DIR)/run.sh long \
		$$(( $(FUZZ_SECONDS) / $(words $(FUZZ_TARGETS)) )) \
		$(FUZZ_OUT)/fuzz.tap $(FUZZ_TARGETS)

fuzz-smoke: $(FUZZ_BINS) $(FUZZ_OUT)/selftest_device ## Short fuzz of core/ (~50 s): TAP in build/results/fuzz/fuzz.tap
	@FUZZ_OUT=$(FUZZ_OUT) $(FUZZ_DIR)/run.sh smoke $(FUZZ_SMOKE_SECONDS) \
		$(FUZZ_TOP)/build/results/fuzz/fuzz.tap $(FUZZ_TARGETS)
