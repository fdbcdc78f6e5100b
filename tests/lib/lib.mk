# SPDX-License-Identifier: GPL-2.0
#
# The test library as a static archive, for a consumer's Makefile: set O
# (output directory) and CC, then `include .../tests/lib/lib.mk` and link
# $(TESTLIB), or let $(call testlib_prog,CFLAGS) link the .c files among a
# static program's prerequisites with it.  Each consumer builds its own
# copy under $(O)/testlib, so builds never share objects.

TESTLIB_DIR := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))
TESTLIB_HDRS := $(TESTLIB_DIR)/tap.h $(TESTLIB_DIR)/testlib.h
TESTLIB_OBJS := $(addprefix $(O)/testlib/,tap.o sys.o mdev.o vfio.o proc.o mig.o)
TESTLIB := $(O)/testlib/testlib.a
TESTLIB_CFLAGS ?= -O2 -g -Wall -Wextra -Werror -std=gnu11 -pthread

$(O)/testlib/%.o: $(TESTLIB_DIR)/%.c $(TESTLIB_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(TESTLIB_CFLAGS) -c -o $@ $<

$(TESTLIB): $(TESTLIB_OBJS)
	rm -f $@
	$(AR) rcs $@ $^

define testlib_prog
	@mkdir -p $(dir $@)
	$(CC) $(1) -static -o $@ $(filter %.c,$^) $(TESTLIB) -pthread
endef
