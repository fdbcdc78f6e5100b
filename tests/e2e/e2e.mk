# SPDX-License-Identifier: GPL-2.0
#
# Real-client targets; the top Makefile does `-include tests/e2e/e2e.mk`.

E2E_DIR := $(patsubst %/,%,$(dir $(lastword $(MAKEFILE_LIST))))

.PHONY: check-qemu10 e2e-selftest e2e-mutants

check-qemu10: ## QEMU display suite with QEMU 10.0 from bookworm-backports as the nested QEMU
	@$(E2E_DIR)/check-qemu10.sh $(call kvers,qemu10)

e2e-selftest: ## Prove the qtest/QMP harness on the host with QEMU's bochs-display
	@python3 $(E2E_DIR)/nested.py selftest

e2e-mutants: ## Prove the display suite fails on broken plane info, BAR0 mapping, config space (KVER, default 6.1)
	@$(E2E_DIR)/mutants.sh $(KVER)
