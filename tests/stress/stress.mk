# SPDX-License-Identifier: GPL-2.0
#
# In-VM stress of mdpy.ko; the top Makefile does `-include tests/stress/stress.mk`.
# make check runs the short version through tests/stress/vm-payload.sh like
# every other suite; `make stress` runs the long one on every kernel.

STRESS_DIR := $(patsubst %/,%,$(dir $(lastword $(MAKEFILE_LIST))))
STRESS_KVERS = $(call kvers,stress)
STRESS_OUT ?= build/stress-vm

.PHONY: stress stress-short stress-bin

stress-bin: ## Build the static stress program build/stress/mdpy-stress
	$(MAKE) -s -C $(STRESS_DIR) O=$(abspath build/stress)

stress: ## Long stress in the VM per kernel (1M ops, 1000 create/remove cycles each)
	@rc=0; for k in $(STRESS_KVERS); do \
		MDPY_STRESS=long $(STRESS_DIR)/vm-stress.sh $$k $(STRESS_OUT)/$$k || rc=1; \
	done; \
	tests/tap-summary $(addprefix $(STRESS_OUT)/,$(STRESS_KVERS)) && exit $$rc

stress-short: ## Only the short stress suite in the VM on KVER (default: the oldest kernel)
	MDPY_STRESS=short $(STRESS_DIR)/vm-stress.sh $(KVER) $(STRESS_OUT)/$(KVER)-short
