# The README's two commands: `make lab` opens the lessons, `make test` checks library and lessons.
# Both create the virtual environment $(VENV) on first use and reinstall only when pyproject.toml
# changes. Override on the command line, e.g. `make test VENV=~/venvs/naskit PYTHON=python3.11`;
# `make lab TORCH=cpu` installs PyTorch's CPU-only build (TORCH below).

VENV ?= .venv
PYTHON ?= python3
# Skip byte-compiling every installed file (torch, jupyter: ~10k files); Python compiles the modules
# it actually imports on first use.
PIP_FLAGS ?= --no-compile
PYTEST_FLAGS ?=
# TORCH=cpu installs PyTorch's CPU-only build first, from PyTorch's own index (no CUDA libraries:
# several GB less); TORCH=cu126 etc. names another of its builds. Empty: PyPI's default build (on
# Linux x86_64 a CUDA build). It takes effect when the venv is made: `make clean` first.
TORCH ?=
TORCH_INDEX ?= https://download.pytorch.org/whl/$(TORCH)
# Test processes side by side (pytest-xdist; one file stays in one process, so a notebook's
# cells run in order in one kernel). JOBS=0 runs everything in this process.
JOBS ?= 2
PARALLEL := -n $(JOBS) --dist loadfile --no-loadscope-reorder
LESSONS ?= $(sort $(wildcard lessons/*.ipynb))
NBVAL_FLAGS ?= --nbval-lax --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg

BIN := $(VENV)/bin
STAMP := $(VENV)/.naskit-installed
LAB_SETTINGS := $(VENV)/share/jupyter/lab/settings/overrides.json

.PHONY: lab demo demo-serve slides slides-serve exercises gallery test test-lib test-fast test-lessons venv clean

venv: $(STAMP) $(LAB_SETTINGS)

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# A venv made before naskit was distributed as naskit-edu holds it as "naskit": uninstalled first, so
# that one distribution owns naskit/.
$(STAMP): pyproject.toml | $(BIN)/python
	@if $(BIN)/python -m pip show -q naskit >/dev/null 2>&1; then $(BIN)/python -m pip uninstall -q -y naskit; fi
ifneq ($(TORCH),)
	$(BIN)/python -m pip install $(PIP_FLAGS) --index-url $(TORCH_INDEX) torch torchvision
endif
	$(BIN)/python -m pip install $(PIP_FLAGS) -e ".[dev]"
	touch $@

# JupyterLab's news pop-up covers the page (and fetches from the web): turn it off for this venv.
$(LAB_SETTINGS): | $(BIN)/python
	mkdir -p $(dir $@)
	printf '%s\n' '{' \
	  '  "@jupyterlab/apputils-extension:notification": {"fetchNews": "false", "checkForUpdates": false}' \
	  '}' > $@

# JupyterLab refuses to start as root (a container, a cloud VM) unless told it may.
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root,)
LAB_FLAGS ?=

# The learner's own copy: `make lab` copies the lessons into $(MY_LESSONS) on first use (a lesson
# already there is never overwritten: edits stay yours, lessons/ stays clean for git pull and the
# demo) and opens that folder. `make lab RESET=06` first puts back the original of lesson 06
# (your copy is kept as .bak).
MY_LESSONS ?= my-lessons
RESET ?=
lab: venv
	@$(BIN)/naskit lessons $(MY_LESSONS) $(if $(RESET),--reset $(RESET),)
	$(BIN)/jupyter lab $(MY_LESSONS) $(ROOT_FLAG) $(LAB_FLAGS)

# Classroom mode: one lesson as an app (widgets and figures, no code) through Voila, on loopback only,
# with projector fonts: the naskit-projector template (share/jupyter/voila/templates, found through
# JUPYTER_PATH) enlarges text and widgets, NASKIT_PROJECTOR=1 the widgets' figures.
# `make demo LESSON=06`; FAST=1 runs the lesson's fast settings (the page is ready sooner).
# Voila runs the lesson once as soon as it starts (a pre-heated kernel) and serves the page from that
# run; a new one is prepared in the background for the next page, so a reload does not wait for the
# whole lesson again. Start it a few minutes before class (lessons/README.md lists how long each
# takes). `make slides LESSON=06` is the same lesson as reveal.js slides, each heading a slide
# (naskit/_slides.py), widgets live. demo-serve and slides-serve are the same without the venv step
# (tests/test_demo.py runs them with BIN=its Python's).
LESSON ?= 00
PORT ?= 8866
FAST ?=
DEMO_TEMPLATE ?= naskit-projector
SLIDES_DIR ?= $(VENV)/naskit-slides
VOILA_FLAGS ?= --preheat_kernel=True --pool_size=1
demo: venv
	@$(MAKE) --no-print-directory demo-serve

slides: venv
	@$(MAKE) --no-print-directory slides-serve

# JupyterLab extensions a demo page leaves out: made for JupyterLab alone, they fail to activate in
# a Voila page and fill its console with errors (ipylab and jupytext come with otter-grader).
VOILA_DENY ?= ipylab jupyterlab-jupytext

# $(call voila,NOTEBOOK,TEMPLATE,EXTRA FLAGS): serve one notebook on loopback, as described above
define voila
	echo "serving $(1) on http://127.0.0.1:$(PORT)/ (Ctrl-C stops it)"; \
	NASKIT_FAST=$(FAST) NASKIT_PROJECTOR=1 OMP_NUM_THREADS=1 \
	  JUPYTER_PATH="$(CURDIR)/share/jupyter$${JUPYTER_PATH:+:$$JUPYTER_PATH}" \
	  exec $(BIN)/voila "$(1)" --no-browser --Voila.ip=127.0.0.1 --port=$(PORT) \
	  --Voila.port_retries=0 --template=$(2) $(VOILA_FLAGS) \
	  $(foreach e,$(VOILA_DENY),--VoilaConfiguration.extension_denylist=$(e)) $(3)
endef

LESSON_FILE = $(firstword $(wildcard lessons/$(LESSON)_*.ipynb))
demo-serve:
	@$(if $(LESSON_FILE),,echo "no lesson lessons/$(LESSON)_*.ipynb"; exit 2;) \
	$(call voila,$(LESSON_FILE),$(DEMO_TEMPLATE),)

slides-serve:
	@$(if $(LESSON_FILE),,echo "no lesson lessons/$(LESSON)_*.ipynb"; exit 2;) \
	$(BIN)/naskit slides "$(LESSON_FILE)" --out "$(SLIDES_DIR)" && \
	$(call voila,$(SLIDES_DIR)/$(notdir $(LESSON_FILE)),naskit-slides,)

# Graded exercises: each lesson's exercise as an otter-grader assignment (naskit/grading.py). Every
# $(EXERCISES_DIR)/NN_name/ gets master.ipynb, student/ (the notebook to hand out) and autograder/
# (the zip that grades a submission: otter run -a ZIP submission.ipynb; also a Gradescope
# autograder). `make exercises EXERCISE=03` writes one lesson; a lesson's folder that is there
# already is replaced only with FORCE=1.
EXERCISES_DIR ?= $(VENV)/naskit-exercises
EXERCISE ?=
FORCE ?=
exercises: venv
	$(BIN)/naskit exercises --out "$(EXERCISES_DIR)" $(if $(EXERCISE),--lesson $(EXERCISE),) \
	  $(if $(FORCE),--force,)

# The gallery: every lesson's main widget, operated in headless Chromium (tests/test_browser.py and test_browser_more.py),
# screenshots into docs/gallery with an index page docs/gallery/README.md.
GALLERY ?= docs/gallery
gallery: venv
	mkdir -p $(GALLERY)
	NASKIT_GALLERY=$(GALLERY) OMP_NUM_THREADS=1 $(BIN)/python -m pytest $(PYTEST_FLAGS) \
	  tests/test_browser.py tests/test_browser_more.py -k test_lesson_in_jupyterlab; rc=$$?; \
	$(BIN)/python tests/_gallery.py $(GALLERY); exit $$rc

# One session: the library's tests and every lesson in fast mode under nbval (a lesson whose browser
# test runs is run there instead, see conftest.py), longest files first.
test: venv
	@echo "NASKIT_FAST=1 $(BIN)/python -m pytest $(PARALLEL) $(PYTEST_FLAGS) tests/ $(NBVAL_FLAGS) $(LESSONS)"; \
	NASKIT_FAST=1 OMP_NUM_THREADS=1 $(BIN)/python -m pytest $(PARALLEL) $(PYTEST_FLAGS) tests/ \
	  $(if $(LESSONS),$(NBVAL_FLAGS) $(LESSONS))

# One torch thread per process: on a busy machine, torch's thread pool can run 100x slower.
test-lib: venv
	OMP_NUM_THREADS=1 $(BIN)/python -m pytest $(PARALLEL) $(PYTEST_FLAGS) tests/

# While working: the library tests not marked slow (> ~5 s each) and no browser, about a minute.
test-fast: venv
	OMP_NUM_THREADS=1 $(BIN)/python -m pytest -m "not slow and not browser" $(PARALLEL) $(PYTEST_FLAGS) tests/

# Every lesson runs top to bottom in fast mode; pytest's exit status 5 (nothing collected, e.g. a
# lesson without code cells) is not a failure here.
test-lessons: venv
	@if [ -z "$(LESSONS)" ]; then echo "no lessons in lessons/ yet: nothing to run"; exit 0; fi; \
	echo "NASKIT_FAST=1 $(BIN)/python -m pytest $(NBVAL_FLAGS) $(PARALLEL) $(PYTEST_FLAGS) $(LESSONS)"; \
	NASKIT_FAST=1 OMP_NUM_THREADS=1 $(BIN)/python -m pytest $(NBVAL_FLAGS) $(PARALLEL) $(PYTEST_FLAGS) $(LESSONS); rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "no lesson cells to run"; rc=0; fi; exit $$rc

clean:
	rm -rf $(VENV)
