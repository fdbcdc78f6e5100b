# SPDX-License-Identifier: GPL-2.0
#
# `make lint`; the top Makefile includes this file.  make check runs the
# same script (scripts/check.sh).

LINT_DIR := $(patsubst %/,%,$(dir $(lastword $(MAKEFILE_LIST))))

.PHONY: lint

lint: ## shellcheck every shell script, pyflakes every Python file (TAP in build/results/lint/lint.tap)
	@$(LINT_DIR)/lint.sh
