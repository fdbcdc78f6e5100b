# SPDX-License-Identifier: GPL-2.0
#
# VM test rig targets; the top Makefile does `include tests/vm/vm.mk`.
# Every target takes KVER= one series of tests/vm/kernels (default: the
# first, the oldest).

KVER ?= $(firstword $(call kvers,check))
VM_KVERS = $(call kvers,check)
VM_DIR := $(patsubst %/,%,$(dir $(lastword $(MAKEFILE_LIST))))
VM_OUT ?= build/vm

.PHONY: ko vm-fetch vm-check vm-check-all vm-shell

ko: ## Build build/kver-KVER/mdpy.ko against the cached KVER kernel
	$(VM_DIR)/build-ko.sh $(KVER)

vm-fetch: ## Download and cache the KVER kernel image and headers (build/cache)
	$(VM_DIR)/fetch.sh $(KVER) >/dev/null

vm-check: ## Build mdpy.ko, boot KVER under TCG, run all VM suites (results in build/vm/KVER)
	$(VM_DIR)/run.sh $(KVER) $(VM_OUT)/$(KVER)

vm-check-all: ## vm-check on every kernel (tests/vm/kernels; KVERS= narrows)
	@rc=0; for k in $(VM_KVERS); do \
		$(VM_DIR)/run.sh $$k $(VM_OUT)/$$k || rc=1; \
	done; \
	$(VM_DIR)/../tap-summary $(addprefix $(VM_OUT)/,$(VM_KVERS)) && exit $$rc

vm-shell: ## Boot KVER with the test payload to an interactive busybox shell
	$(VM_DIR)/run.sh --shell $(KVER) $(VM_OUT)/$(KVER)-shell
