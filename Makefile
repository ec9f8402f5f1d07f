# Build and test the seedops.veeam_em collection.  GNU make, bash.  `make help` lists the targets.
#
# Every target creates .venv (python3.11 + requirements-dev.txt) when it is missing or older than
# requirements-dev.txt / requirements.txt, and runs the tools from it.  Targets work without stdin and with
# CI=true; `make test` is what .ci/run runs.

SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
.DELETE_ON_ERROR:
MAKEFLAGS += --no-builtin-rules --no-print-directory

ROOT := $(patsubst %/,%,$(dir $(abspath $(lastword $(MAKEFILE_LIST)))))
NAMESPACE := seedops
NAME := veeam_em
VERSION := $(shell sed -n 's/^version:[[:space:]]*//p' $(ROOT)/galaxy.yml 2>/dev/null)

# --- Python environment -------------------------------------------------------------------------------
PYTHON_BASE ?= python3.11
PY_VERSION ?= 3.11
VENV := $(ROOT)/.venv
BIN := $(VENV)/bin
VENV_STAMP := $(VENV)/.requirements-dev.stamp
export PATH := $(BIN):$(subst $(BIN):,,$(PATH))
export PIP_NO_INPUT := 1
export PIP_DISABLE_PIP_VERSION_CHECK := 1
# ansible-* tools: no cowsay, no prompts, readable CI logs.
export ANSIBLE_NOCOWS := 1
export ANSIBLE_FORCE_COLOR ?= 0

# --- Layout ---------------------------------------------------------------------------------------------
BUILD := $(ROOT)/build
# build/collections/ansible_collections/seedops/veeam_em -> the repository root (ANSIBLE_COLLECTIONS_PATH)
COLLECTIONS_PATH := $(BUILD)/collections
COLLECTION_LINK := $(COLLECTIONS_PATH)/ansible_collections/$(NAMESPACE)/$(NAME)
# ansible-test needs the collection at .../ansible_collections/NAMESPACE/NAME and only the files it tests:
# a mirror of these paths (relative to COLLECTION_SRC), re-synced by every target that uses it.
COLLECTION_SRC ?= $(ROOT)
TEST_TREE := $(BUILD)/ansible-test/ansible_collections/$(NAMESPACE)/$(NAME)
TEST_TREE_PATHS := plugins meta examples docs/docsite changelogs tests/unit tests/sanity tests/integration \
	tests/config.yml README.md galaxy.yml LICENSE LICENSES COPYING CHANGELOG.rst requirements.txt bindep.txt
# The tree lies inside this git work tree, in an ignored directory: without this, ansible-test would take
# the repository's git as the source of truth and find no files at all in the tree.
ANSIBLE_TEST := env -C $(TEST_TREE) ANSIBLE_TEST_CONTENT_ROOT=$(TEST_TREE) $(BIN)/ansible-test
DIST := $(BUILD)/dist
TARBALL := $(DIST)/$(NAMESPACE)-$(NAME)-$(VERSION).tar.gz
WITH_SIMULATOR := $(ROOT)/scripts/with-simulator.sh
INTEGRATION_CONFIG := tests/integration/integration_config.yml

# Extra arguments, e.g. make sanity SANITY_ARGS='--test pep8' / make system PYTEST_ARGS='-k session -x'
SANITY_ARGS ?=
UNITS_ARGS ?=
INTEGRATION_ARGS ?=
SYSTEM_TESTS ?= tests/system
PYTEST_ARGS ?=
LINT_ARGS ?=
DEMO_ARGS ?=

# The steps of `make test`, in order; it stops at the first failure.
TEST_STEPS := venv sanity units system integration changelog-lint docs-lint docs lint build ee

.PHONY: help venv collection-link ansible-test-tree get-pip sanity units system integration \
	changelog-lint changelog docs-lint lint build ee docs demo bench test clean distclean

help:
	@echo 'make venv             create/update .venv ($(PYTHON_BASE), requirements-dev.txt)'
	@echo 'make collection-link  build/collections/ansible_collections/$(NAMESPACE)/$(NAME) -> repository root'
	@echo 'make ansible-test-tree  mirror the tested files into build/ansible-test/ansible_collections/...'
	@echo 'make sanity           ansible-test sanity --venv --python $(PY_VERSION)   (SANITY_ARGS=...)'
	@echo 'make units            ansible-test units --venv --python $(PY_VERSION)    (UNITS_ARGS=...)'
	@echo 'make system           pytest tests/system with coverage of plugins/module_utils (PYTEST_ARGS=...)'
	@echo 'make integration      ansible-test integration --local against the EM simulator (INTEGRATION_ARGS=...)'
	@echo 'make changelog-lint   antsibull-changelog lint'
	@echo 'make changelog        antsibull-changelog release (version $(VERSION) from galaxy.yml) -> CHANGELOG.rst'
	@echo 'make docs-lint        antsibull-docs lint-collection-docs --plugin-docs'
	@echo 'make lint             ansible-lint --profile production examples tests/integration'
	@echo 'make build            ansible-galaxy collection build -> build/dist'
	@echo 'make ee               ansible-builder create -f execution-environment.yml --context build/ee'
	@echo 'make docs             antsibull-docs sphinx-init + sphinx build -> build/docs/build/html'
	@echo 'make demo             examples/demo.yml against the EM simulator'
	@echo 'make bench            benchmarks/run.py'
	@echo 'make test             $(TEST_STEPS)'
	@echo 'make clean            remove build/ and generated files (keeps .venv); make distclean also removes .venv'

# --- .venv ----------------------------------------------------------------------------------------------
venv: $(VENV_STAMP)

$(VENV_STAMP): $(ROOT)/requirements-dev.txt $(ROOT)/requirements.txt
	@if [[ ! -x $(BIN)/python ]]; then \
		echo "== creating .venv with $(PYTHON_BASE)"; \
		command -v $(PYTHON_BASE) >/dev/null || { echo "ERROR: $(PYTHON_BASE) not found on PATH" >&2; exit 1; }; \
		$(PYTHON_BASE) -m venv $(VENV); \
	fi
	@echo "== installing requirements-dev.txt into .venv"
	$(BIN)/python -m pip install -r $(ROOT)/requirements-dev.txt
	@touch $@

# --- Trees the tools work on ----------------------------------------------------------------------------
collection-link:
	@mkdir -p $(dir $(COLLECTION_LINK))
	@if [[ -e $(COLLECTION_LINK) && ! -L $(COLLECTION_LINK) ]]; then \
		echo "ERROR: $(COLLECTION_LINK) exists and is not a symlink; remove it" >&2; exit 1; fi
	@# relative, so that it still points at the work tree when the repository is moved or cloned elsewhere
	@ln -sfn ../../../.. $(COLLECTION_LINK)
	@test -f $(COLLECTION_LINK)/galaxy.yml
	@echo "== $(COLLECTION_LINK:$(ROOT)/%=%) -> $$(readlink $(COLLECTION_LINK))"

ansible-test-tree: venv
	@echo "== syncing the ansible-test tree"
	@$(BIN)/python $(ROOT)/scripts/sync_tree.py $(COLLECTION_SRC) $(TEST_TREE) $(TEST_TREE_PATHS)

# ansible-test bootstraps pip in its virtual environments with a get-pip script that it cannot download
# here: write a stand-in into ~/.ansible/test/cache when missing (an existing file is left alone).
get-pip: venv
	@$(BIN)/python $(ROOT)/scripts/ensure_get_pip.py

# --- Tests ----------------------------------------------------------------------------------------------
# --venv: ansible-test installs each sanity test's requirements into its own virtual environment under
# ~/.ansible/test/venv and reuses them on later runs.
sanity: venv ansible-test-tree get-pip
	@echo "== ansible-test sanity --venv --python $(PY_VERSION)"
	$(ANSIBLE_TEST) sanity --venv --python $(PY_VERSION) $(SANITY_ARGS)

units: venv ansible-test-tree get-pip
	@if [[ -z "$$(find $(TEST_TREE)/tests/unit -name 'test_*.py' 2>/dev/null | head -n 1)" ]]; then \
		echo "== units: no tests/unit/**/test_*.py yet, nothing to run"; exit 0; fi; \
	echo "== ansible-test units --venv --python $(PY_VERSION) --coverage"; \
	$(ANSIBLE_TEST) coverage erase --venv >/dev/null; \
	$(ANSIBLE_TEST) units --venv --python $(PY_VERSION) --coverage $(UNITS_ARGS); \
	echo "== line and branch coverage of plugins/module_utils by the unit tests"; \
	$(ANSIBLE_TEST) coverage report --venv --include 'plugins/module_utils/*' --show-missing

# The module_utils are imported as ansible_collections.seedops.veeam_em.plugins.module_utils.* through the
# build/collections symlink; coverage resolves symlinks, so the real directory is the one to measure (files
# never imported then show up with 0%).
system: venv collection-link
	@if [[ -z "$$(find $(SYSTEM_TESTS) -name 'test_*.py' 2>/dev/null | head -n 1)" ]]; then \
		echo "== system: no $(SYSTEM_TESTS)/**/test_*.py yet, nothing to run"; exit 0; fi; \
	mkdir -p $(BUILD)/coverage; \
	echo "== pytest $(SYSTEM_TESTS) with coverage of plugins/module_utils"; \
	cd $(ROOT) && COVERAGE_FILE=$(BUILD)/coverage/system.coverage ANSIBLE_COLLECTIONS_PATH=$(COLLECTIONS_PATH) \
		$(BIN)/python -m pytest $(SYSTEM_TESTS) --cov=$(ROOT)/plugins/module_utils \
		--cov-report=term-missing --cov-report=xml:$(BUILD)/coverage/system.xml $(PYTEST_ARGS)

integration: venv ansible-test-tree
	@if [[ -z "$$(find $(TEST_TREE)/tests/integration/targets -mindepth 1 -maxdepth 1 -type d 2>/dev/null | head -n 1)" ]]; then \
		echo "== integration: no targets in tests/integration/targets yet, nothing to run"; exit 0; fi; \
	echo "== ansible-test integration --local --python $(PY_VERSION) against the EM simulator"; \
	cd $(ROOT) && $(WITH_SIMULATOR) --vars-file $(ROOT)/$(INTEGRATION_CONFIG) --vars-file $(TEST_TREE)/$(INTEGRATION_CONFIG) -- \
		$(ANSIBLE_TEST) integration --local --python $(PY_VERSION) $(INTEGRATION_ARGS)

changelog-lint: venv
	cd $(ROOT) && antsibull-changelog lint

# Release: moves changelogs/fragments into changelogs/changelog.yaml and writes CHANGELOG.rst.
changelog: venv
	cd $(ROOT) && antsibull-changelog release --version $(VERSION)

docs-lint: venv collection-link
	cd $(COLLECTION_LINK) && ANSIBLE_COLLECTIONS_PATH=$(COLLECTIONS_PATH) \
		antsibull-docs lint-collection-docs --plugin-docs --check-extra-docs-refs .

lint: venv collection-link
	@paths=$$(cd $(ROOT) && for p in examples tests/integration; do [[ -d $$p ]] && echo $$p; done || true); \
	if [[ -z "$$paths" ]]; then echo "== lint: no examples/ or tests/integration/ yet, nothing to lint"; exit 0; fi; \
	echo "== ansible-lint --profile production $$paths"; \
	cd $(ROOT) && ANSIBLE_COLLECTIONS_PATH=$(COLLECTIONS_PATH) \
		ansible-lint $$paths --profile production --offline --exclude $(INTEGRATION_CONFIG) $(LINT_ARGS)

build: venv
	@mkdir -p $(DIST)
	cd $(ROOT) && ansible-galaxy collection build --force --output-path $(DIST)
	@echo "== $(TARBALL:$(ROOT)/%=%): $$(tar -tzf $(TARBALL) | wc -l) entries"

# The build context gets the collection tarball so that the image contains the collection itself.
ee: venv build
	@rm -rf $(BUILD)/ee $(BUILD)/ee-src
	@mkdir -p $(BUILD)/ee-src
	@cp $(TARBALL) $(BUILD)/ee-src/$(NAMESPACE)-$(NAME).tar.gz
	cd $(ROOT) && ansible-builder create -f execution-environment.yml --context $(BUILD)/ee
	@for f in collections/$(NAMESPACE)-$(NAME).tar.gz requirements.txt bindep.txt; do \
		test -s $(BUILD)/ee/_build/$$f || { echo "ERROR: build/ee/_build/$$f is missing or empty" >&2; exit 1; }; done
	@tar -xzOf $(BUILD)/ee/_build/collections/$(NAMESPACE)-$(NAME).tar.gz meta/execution-environment.yml >/dev/null
	@echo "== build context in build/ee; build the image with:" \
		"ansible-builder build -f execution-environment.yml --context build/ee -t $(NAMESPACE)-$(NAME)-ee"

docs: venv collection-link
	@rm -rf $(BUILD)/docs && mkdir -p -m 0755 $(BUILD)/docs
	cd $(ROOT) && ANSIBLE_COLLECTIONS_PATH=$(COLLECTIONS_PATH) \
		antsibull-docs sphinx-init --use-current --dest-dir $(BUILD)/docs --fail-on-error --lenient $(NAMESPACE).$(NAME)
	cd $(BUILD)/docs && ANSIBLE_COLLECTIONS_PATH=$(COLLECTIONS_PATH) ./build.sh
	@echo "== documentation: build/docs/build/html/index.html"

demo: venv collection-link
	@test -f $(ROOT)/examples/demo.yml || { echo "ERROR: examples/demo.yml is missing" >&2; exit 1; }
	@# examples/demo.yml takes em_url, em_ca_path, em_username, em_password
	cd $(ROOT) && $(WITH_SIMULATOR) --vars-prefix em_ --vars-file $(BUILD)/demo-vars.yml -- \
		env ANSIBLE_COLLECTIONS_PATH=$(COLLECTIONS_PATH) ANSIBLE_LOCALHOST_WARNING=false \
		ANSIBLE_INVENTORY_UNPARSED_WARNING=false ansible-playbook examples/demo.yml -e @$(BUILD)/demo-vars.yml $(DEMO_ARGS)

bench: venv collection-link
	@if [[ ! -f $(ROOT)/benchmarks/run.py ]]; then echo "== bench: no benchmarks/run.py yet, nothing to run"; exit 0; fi
	cd $(ROOT) && ANSIBLE_COLLECTIONS_PATH=$(COLLECTIONS_PATH) $(BIN)/python benchmarks/run.py

# Runs each step as its own make so that every step's output stays visible and the first failure stops
# the run with a message naming the step.
test:
	@start=$$SECONDS; \
	for step in $(TEST_STEPS); do \
		echo; echo "======== make $$step"; t0=$$SECONDS; \
		if ! $(MAKE) -C $(ROOT) $$step; then \
			echo; echo "======== make test: FAILED at step '$$step' after $$((SECONDS - t0))s (output above)" >&2; \
			exit 1; \
		fi; \
		echo "======== $$step: passed in $$((SECONDS - t0))s"; \
	done; \
	echo; echo "======== make test: all steps passed ($(TEST_STEPS)) in $$((SECONDS - start))s"

clean:
	rm -rf $(BUILD) $(ROOT)/tests/output $(ROOT)/$(INTEGRATION_CONFIG) $(ROOT)/.pytest_cache $(ROOT)/.coverage
	find $(ROOT) -path $(VENV) -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +

distclean: clean
	rm -rf $(VENV)
