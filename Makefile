# Build and test the seedops.veeam_em collection.  GNU make, bash.  `make help` lists the targets.
#
# Every target creates .venv (python3.11 + requirements-dev.txt) when it is missing or older than
# requirements-dev.txt / requirements.txt, and runs the tools from it.  Targets work without stdin and with
# CI=true; `make test` is what .ci/run runs.
#
# ansible-test (sanity, units, integration) runs in one venv per supported ansible-core minor instead,
# .venv/core/<minor> (see "ansible-core test matrix" below); `make test` runs all of them.

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
COLLECTION_SRC ?= $(ROOT)
DIST := $(BUILD)/dist
TARBALL := $(DIST)/$(NAMESPACE)-$(NAME)-$(VERSION).tar.gz
WITH_SIMULATOR := $(ROOT)/scripts/with-simulator.sh
INTEGRATION_CONFIG := tests/integration/integration_config.yml
LOGS := $(BUILD)/logs

# --- ansible-core test matrix ---------------------------------------------------------------------------
# sanity, units and integration run on every ansible-core minor that meta/runtime.yml admits
# (requires_ansible >=2.16.0), each on a controller Python that minor supports.  Leg CORE has
#  - its own venv .venv/core/CORE: tests/requirements/ansible-core-CORE.txt (the newest patch, pinned, plus
#    requirements.txt), created or re-created when missing, older than that file or on another Python;
#  - its own ansible-test tree build/ansible-test/CORE/ansible_collections/NAMESPACE/NAME: a mirror of every
#    file a clone has plus untracked files that git does not ignore (scripts/sync_tree.py), nothing left out;
#  - its own simulator (port, TLS directory, state file, log under build/sim/CORE);
# so that legs can run at the same time.
SUPPORTED_CORES := 2.16 2.17 2.18 2.19 2.20 2.21
CORE_PYTHON.2.16 ?= 3.11
CORE_PYTHON.2.17 ?= 3.11
CORE_PYTHON.2.18 ?= 3.11
CORE_PYTHON.2.19 ?= 3.11
CORE_PYTHON.2.20 ?= 3.12
CORE_PYTHON.2.21 ?= 3.12
# The leg of make sanity / units / integration / ansible-test-tree / get-pip: the newest minor by default.
CORE ?= $(lastword $(SUPPORTED_CORES))
ifneq ($(words $(CORE)),1)
$(error CORE=$(CORE): one ansible-core minor ($(SUPPORTED_CORES)); for several use make matrix CORES='...')
endif
ifeq ($(filter $(CORE),$(SUPPORTED_CORES)),)
$(error CORE=$(CORE) is not a supported ansible-core minor ($(SUPPORTED_CORES)))
endif
# The legs of make matrix / make test: all, or the one given with CORE=... on the command line.
CORES ?= $(if $(filter command line,$(origin CORE)),$(CORE),$(SUPPORTED_CORES))
ifneq ($(filter-out $(SUPPORTED_CORES),$(CORES)),)
$(error CORES=$(CORES): not supported: $(filter-out $(SUPPORTED_CORES),$(CORES)) ($(SUPPORTED_CORES)))
endif
# The steps of each leg, and how many legs run at the same time (2 cores: one leg each).
MATRIX_STEPS ?= sanity units integration
ifneq ($(filter-out sanity units integration,$(MATRIX_STEPS)),)
$(error MATRIX_STEPS=$(MATRIX_STEPS): choose from sanity units integration)
endif
MATRIX_JOBS ?= 2

CORE_PY := $(CORE_PYTHON.$(CORE))
CORE_REQUIREMENTS := $(ROOT)/tests/requirements/ansible-core-$(CORE).txt
CORE_VERSION := $(shell sed -n 's/^ansible-core==//p' $(CORE_REQUIREMENTS) 2>/dev/null)
# Inside .venv: ignored by git and by galaxy.yml's build_ignore, so it never reaches the collection tarball.
CORE_VENV := $(VENV)/core/$(CORE)
CORE_BIN := $(CORE_VENV)/bin
CORE_STAMP := $(CORE_VENV)/.requirements-python$(CORE_PY).stamp
TEST_TREE := $(BUILD)/ansible-test/$(CORE)/ansible_collections/$(NAMESPACE)/$(NAME)
# The tree lies inside this git work tree, in an ignored directory: without ANSIBLE_TEST_CONTENT_ROOT,
# ansible-test would take the repository's git as the source of truth and find no files at all in the tree.
# The leg's venv comes first on PATH, so that --python CORE_PY finds its interpreter, not .venv's.
ANSIBLE_TEST := env -C $(TEST_TREE) ANSIBLE_TEST_CONTENT_ROOT=$(TEST_TREE) PATH=$(CORE_BIN):$$PATH \
	$(CORE_BIN)/ansible-test
SIM_DIR := $(BUILD)/sim/$(CORE)
# Sanity tests create their venvs in ~/.ansible/test/venv/<test>/<python>/<hash>, shared by every leg (and
# checkout) on that Python; two legs creating the same one at the same time would break each other.  So each
# leg first creates (or finds) them with --prime-venvs while holding this lock, then runs the tests unlocked.
SANITY_VENV_LOCK := $(HOME)/.ansible/test/seedops-sanity-venvs-python$(CORE_PY).lock
# One run of leg CORE at a time in this checkout: a second `make sanity/units/integration CORE=...` waits,
# rather than re-syncing the tree (and the simulator's connection variables in it) under the first one.
LEG_LOCK := $(BUILD)/ansible-test/$(CORE).lock
# flock_fd,FD,MESSAGE: take an exclusive flock(2) lock on the file that the recipe's shell opened as descriptor
# FD (exec FD>>FILE), printing MESSAGE if it has to wait.  The lock belongs to the open file, so it stays with
# the shell and its children after python exits, until they all close FD.  No util-linux flock needed.
flock_fd = { $(BIN)/python -c 'import fcntl; fcntl.flock($(1), fcntl.LOCK_EX | fcntl.LOCK_NB)' 2>/dev/null \
	|| { echo "$(2)"; $(BIN)/python -c 'import fcntl; fcntl.flock($(1), fcntl.LOCK_EX)'; }; }

# find_python,X.Y: print the interpreter pythonX.Y: the one on PATH if it runs (a pyenv shim of a version that
# is not active does not), else the newest $(pyenv root)/versions/X.Y.*/bin/pythonX.Y (or ~/.pyenv/...).
# Prints the base interpreter of a venv (.venv's python3.11 is on PATH).  Exit status 1 when there is none.
find_python = for cand in "$$(command -v python$(1) || true)" \
	$$(for r in "$$(pyenv root 2>/dev/null || true)" "$$HOME/.pyenv"; do [[ -n $$r ]] && ls -d "$$r"/versions/$(1).*/bin/python$(1) 2>/dev/null | sort -rV; done); do \
	[[ -n $$cand ]] && "$$cand" -c "import sys; sys.exit('%d.%d' % sys.version_info[:2] != '$(1)')" 2>/dev/null \
	&& exec "$$cand" -c 'import sys; print(getattr(sys, "_base_executable", sys.executable))'; done; exit 1

# Extra arguments, e.g. make sanity SANITY_ARGS='--test pep8' / make system PYTEST_ARGS='-k session -x'
SANITY_ARGS ?=
UNITS_ARGS ?=
INTEGRATION_ARGS ?=
SYSTEM_TESTS ?= tests/system
# The simulator profile of make integration (em_simulator/profiles.py): vbr13 (the default), lag, classic.
SIM_PROFILE ?= vbr13
PYTEST_ARGS ?=
LINT_ARGS ?=
DEMO_ARGS ?=
# make conformance CAPTURE=file (or a directory of capture files)
CAPTURE ?= tests/fixtures/captures

# The steps of `make test`, in order; it stops at the first failure.  matrix: sanity, units and integration
# on every leg (CORES).
TEST_STEPS := venv matrix integration-lag system conformance changelog-lint docs-lint docs lint build ee
# Every integration target again under EM's collection lag (profile "lag", a collection every 5 s); about 10 minutes
# on 2 cores.
LAG_TARGETS ?= veeam_em_job_start veeam_em_job_stop veeam_em_job_retry veeam_em_job_schedule veeam_em_vm_backup \
	veeam_em_job_info veeam_em_session_info veeam_em_restore_point_info veeam_em_backup_server_info \
	veeam_em_repository_info maintenance_window rpo_gate night_report

.PHONY: help venv core-venv collection-link ansible-test-tree get-pip sanity units system integration matrix \
	locked-sanity locked-units locked-integration integration-lag \
	changelog-lint changelog docs-lint lint build ee docs demo bench conformance test clean distclean

help:
	@echo 'make venv             create/update .venv ($(PYTHON_BASE), requirements-dev.txt)'
	@echo 'make collection-link  build/collections/ansible_collections/$(NAMESPACE)/$(NAME) -> repository root'
	@echo 'make core-venv        create/update .venv/core/CORE (tests/requirements/ansible-core-CORE.txt)'
	@echo 'make ansible-test-tree  mirror git ls-files -co --exclude-standard into build/ansible-test/CORE/ansible_collections/...'
	@echo 'make get-pip          write the get-pip stand-in that ansible-test of CORE needs (kept when present)'
	@echo 'make sanity           ansible-test sanity --venv on the whole tree, leg CORE   (SANITY_ARGS=...)'
	@echo 'make units            ansible-test units --venv, leg CORE                      (UNITS_ARGS=...)'
	@echo 'make integration-lag  make integration under the simulator profile lag (LAG_TARGETS: every target), part of make test'
	@echo 'make system           pytest tests/system with coverage of plugins/module_utils (PYTEST_ARGS=...)'
	@echo 'make integration      ansible-test integration --local against the EM simulator, leg CORE (INTEGRATION_ARGS=..., SIM_PROFILE=vbr13|lag|classic)'
	@echo '                      leg CORE: ansible-core $(CORE) ($(CORE_VERSION)) on Python $(CORE_PY) by default;'
	@echo '                      CORE=<minor> picks another one of $(SUPPORTED_CORES)'
	@echo 'make matrix           $(MATRIX_STEPS) on every leg ($(CORES)), $(MATRIX_JOBS) legs at a time;'
	@echo '                      CORES="2.16 2.21" / CORE=2.18, MATRIX_STEPS=units, MATRIX_JOBS=1; logs in build/logs'
	@echo '                      Pythons: $(foreach c,$(SUPPORTED_CORES),$(c):$(CORE_PYTHON.$(c))) (on PATH or via pyenv)'
	@echo 'make changelog-lint   antsibull-changelog lint'
	@echo 'make changelog        antsibull-changelog release (version $(VERSION) from galaxy.yml) -> CHANGELOG.rst'
	@echo 'make docs-lint        antsibull-docs lint-collection-docs --plugin-docs'
	@echo 'make lint             ansible-lint --profile production examples tests/integration'
	@echo 'make build            ansible-galaxy collection build -> build/dist'
	@echo 'make ee               ansible-builder create -f execution-environment.yml --context build/ee'
	@echo 'make docs             antsibull-docs sphinx-init + sphinx build -> build/docs/build/html'
	@echo 'make demo             examples/demo.yml against the EM simulator'
	@echo 'make bench            benchmarks/run.py'
	@echo 'make conformance      replay captures against the EM simulator, report differences in shape (CAPTURE=$(CAPTURE))'
	@echo 'make test             $(TEST_STEPS)   (CORE=2.21: that leg only)'
	@echo 'make clean            remove build/ and generated files (keeps the venvs); make distclean also removes .venv (and .venv/core)'

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

# --- .venv/core/CORE: the controller environment of leg CORE ------------------------------------------
core-venv: $(CORE_STAMP)
	@:

$(CORE_STAMP): $(CORE_REQUIREMENTS) $(ROOT)/requirements.txt
	@have=$$($(CORE_BIN)/python -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null || true); \
	if [[ $$have != $(CORE_PY) ]]; then \
		py=$$($(call find_python,$(CORE_PY))) || { \
			echo "ERROR: python$(CORE_PY) (the controller Python of the ansible-core $(CORE) leg) was not found:" \
				"neither on PATH nor in \$$(pyenv root)/versions/$(CORE_PY).*/bin nor in ~/.pyenv/versions/$(CORE_PY).*/bin." \
				"Install it, e.g. with 'pyenv install $(CORE_PY)', or put python$(CORE_PY) on PATH." >&2; exit 1; }; \
		if [[ -e $(CORE_VENV) ]]; then echo "== .venv/core/$(CORE) runs Python $${have:-(none)}, not $(CORE_PY): re-creating it"; fi; \
		echo "== creating .venv/core/$(CORE) with $$py"; \
		rm -rf $(CORE_VENV); "$$py" -m venv $(CORE_VENV); \
	fi
	@echo "== installing tests/requirements/ansible-core-$(CORE).txt into .venv/core/$(CORE)"
	$(CORE_BIN)/python -m pip install --quiet -r $(CORE_REQUIREMENTS)
	@$(CORE_BIN)/python -c 'import sys; from ansible.release import __version__; print("== .venv/core/$(CORE): ansible-core", __version__, "on Python", sys.version.split()[0])'
	@touch $@

ansible-test-tree: venv
	@echo "== syncing the ansible-test tree of leg $(CORE)"
	@$(BIN)/python $(ROOT)/scripts/sync_tree.py $(COLLECTION_SRC) $(TEST_TREE)

# ansible-test bootstraps pip in its virtual environments with a get-pip script that it cannot download
# here: write a stand-in into ~/.ansible/test/cache when missing (an existing file is left alone).  Run with
# the leg's Python, it writes the one for the pip version that the leg's ansible-test wants.
get-pip: core-venv
	@$(CORE_BIN)/python $(ROOT)/scripts/ensure_get_pip.py

# --- Tests ----------------------------------------------------------------------------------------------
# sanity, units and integration run leg CORE (ansible-core CORE from .venv/core/CORE, Python CORE_PY) on
# that leg's mirror of the whole tree.
# Each runs as locked-<target> under LEG_LOCK.
sanity units integration: venv
	@mkdir -p $(dir $(LEG_LOCK)); exec 9>>$(LEG_LOCK); \
	$(call flock_fd,9,== $@ CORE=$(CORE): waiting for another run of this leg in this checkout ($(LEG_LOCK:$(ROOT)/%=%))); \
	$(MAKE) -C $(ROOT) locked-$@

# --venv: ansible-test installs each sanity test's requirements into its own virtual environment under
# ~/.ansible/test/venv and reuses them on later runs (created under SANITY_VENV_LOCK, see above).
locked-sanity: venv core-venv ansible-test-tree get-pip
	@echo "== ansible-test sanity --venv --python $(CORE_PY), ansible-core $(CORE_VERSION), whole tree"
	@mkdir -p $(dir $(SANITY_VENV_LOCK)); exec 8>>$(SANITY_VENV_LOCK); \
	$(call flock_fd,8,== waiting for another run that creates sanity venvs for Python $(CORE_PY)); \
	$(ANSIBLE_TEST) sanity --prime-venvs --venv --python $(CORE_PY) $(SANITY_ARGS) \
		| { grep -v -e '^Running sanity test' -e '^Sanity test .* skipped' || true; }
	$(ANSIBLE_TEST) sanity --venv --python $(CORE_PY) $(SANITY_ARGS)

# ansible-test units runs pytest with pytest-xdist (-n auto: one worker per CPU) itself.
locked-units: venv core-venv ansible-test-tree get-pip
	@if [[ -z "$$(find $(TEST_TREE)/tests/unit -name 'test_*.py' 2>/dev/null | head -n 1)" ]]; then \
		echo "== units: no tests/unit/**/test_*.py yet, nothing to run"; exit 0; fi; \
	echo "== ansible-test units --venv --python $(CORE_PY) --coverage, ansible-core $(CORE_VERSION)"; \
	$(ANSIBLE_TEST) coverage erase --venv >/dev/null; \
	$(ANSIBLE_TEST) units --venv --python $(CORE_PY) --coverage $(UNITS_ARGS); \
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

# --local: the leg's venv is the controller (it has requests and lxml for the modules).  The leg's own
# simulator (random port; TLS directory, state file and log in build/sim/CORE) writes the connection
# variables into the leg's tree only.
locked-integration: venv core-venv ansible-test-tree
	@if [[ -z "$$(find $(TEST_TREE)/tests/integration/targets -mindepth 1 -maxdepth 1 -type d 2>/dev/null | head -n 1)" ]]; then \
		echo "== integration: no targets in tests/integration/targets yet, nothing to run"; exit 0; fi; \
	echo "== ansible-test integration --local --python $(CORE_PY), ansible-core $(CORE_VERSION), against the EM simulator"; \
	cd $(ROOT) && SIM_TLS_DIR=$(SIM_DIR)/tls SIM_STATE_FILE=$(SIM_DIR)/state.json SIM_LOG=$(SIM_DIR)/sim.log \
		SIM_PROFILE=$(SIM_PROFILE) $(WITH_SIMULATOR) --vars-file $(TEST_TREE)/$(INTEGRATION_CONFIG) -- \
		$(ANSIBLE_TEST) integration --local --python $(CORE_PY) $(INTEGRATION_ARGS)

# The integration targets LAG_TARGETS on leg CORE under the simulator's collection lag (em_simulator/profiles.py).
integration-lag:
	@$(MAKE) -C $(ROOT) integration SIM_PROFILE=lag INTEGRATION_ARGS='$(LAG_TARGETS)'

# Every leg (CORES) runs MATRIX_STEPS, MATRIX_JOBS legs at a time, newest first.  A leg runs all its steps
# even when one fails; its output goes to build/logs/leg-CORE.log and is printed in one piece when the leg
# ends (a lock keeps two legs' logs apart).  The summary names each step's and leg's result and time.
matrix: venv
	@mkdir -p $(LOGS); rm -f $(LOGS)/leg-*.result; start=$$SECONDS; status=0; \
	echo "== matrix: ansible-core $(CORES), steps $(MATRIX_STEPS), $(MATRIX_JOBS) legs at a time; logs in build/logs"; \
	$(MAKE) -C $(ROOT) -k -j$(MATRIX_JOBS) $(addprefix leg-,$(shell printf '%s\n' $(CORES) | sort -rV)) || status=$$?; \
	echo; echo "======== matrix summary"; \
	for core in $(CORES); do cat $(LOGS)/leg-$$core.result 2>/dev/null || echo "leg $$core: did not run"; done; \
	if ((status)); then result=FAILED; else result=passed; fi; \
	echo "matrix: $$result in $$((SECONDS - start)) s"; \
	exit $$status

leg-%:
	@log=$(LOGS)/leg-$*.log; result=$(LOGS)/leg-$*.result; mkdir -p $(LOGS); : >$$log; : >$$result; \
	start=$$SECONDS; failed=; \
	echo "== leg $*: $(MATRIX_STEPS) started (build/logs/leg-$*.log)"; \
	for step in $(MATRIX_STEPS); do \
		t0=$$SECONDS; echo "======== make $$step CORE=$*" >>$$log; \
		if $(MAKE) -C $(ROOT) $$step CORE=$* CORES=$* </dev/null >>$$log 2>&1; then \
			line="leg $* $$step: passed in $$((SECONDS - t0)) s"; \
		else line="leg $* $$step: FAILED in $$((SECONDS - t0)) s"; failed="$$failed $$step"; fi; \
		echo "$$line" >>$$log; echo "$$line" >>$$result; \
	done; \
	if [[ -z $$failed ]]; then line="leg $*: passed in $$((SECONDS - start)) s"; \
	else line="leg $*: FAILED ($${failed# }) in $$((SECONDS - start)) s"; fi; \
	echo "$$line" >>$$result; \
	exec 7>>$(LOGS)/.print.lock; $(call flock_fd,7,== leg $*: waiting for another leg to print its log); \
	printf '\n======== leg %s: output (%s)\n' $* "$${log#$(ROOT)/}"; cat $$log; printf '======== %s\n\n' "$$line"; \
	exec 7>&-; \
	[[ -z $$failed ]]

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

# Its own simulator (TLS directory, state file and log under build/sim/conformance), like the legs' ones.
conformance: venv
	cd $(ROOT) && SIM_TLS_DIR=$(BUILD)/sim/conformance/tls SIM_STATE_FILE=$(BUILD)/sim/conformance/state.json \
		SIM_LOG=$(BUILD)/sim/conformance/sim.log $(WITH_SIMULATOR) -- $(BIN)/python scripts/conformance.py $(CAPTURE)

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
