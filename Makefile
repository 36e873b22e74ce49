# The two commands of the README: `make report` and `make test`. Both bootstrap the virtual
# environment from requirements.lock when it is missing or out of date, and are safe to re-run.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
LOCK_HASH := $(shell sha256sum requirements.lock pyproject.toml | sha256sum | cut -c1-16)
STAMP := $(VENV)/.installed-$(LOCK_HASH)
PYTEST_WORKERS ?= 2

.PHONY: report test bench lock venv system-packages clean lab

report: $(STAMP) system-packages demo_study/study.yaml
	$(BIN)/workbench build --study demo_study --reports reports $(ARGS)

demo_study/study.yaml: | $(STAMP)
	$(BIN)/workbench demo demo_study

# JupyterLab on the project with the workbench kernel and the demo study ready (LAB_ARGS: e.g. --no-browser)
lab: $(STAMP) demo_study/study.yaml
	$(BIN)/jupyter lab --ServerApp.root_dir=. $$([ "$$(id -u)" = 0 ] && echo --allow-root) $(LAB_ARGS)

test: $(STAMP) system-packages
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) --dist loadfile $(ARGS)

bench: $(STAMP)
	$(BIN)/python benchmarks/run_all.py

venv: $(STAMP)

$(STAMP): requirements.lock pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	$(BIN)/python -m ipykernel install --sys-prefix --name workbench --display-name "Python (workbench)" >/dev/null
	@rm -f $(VENV)/.installed-*
	@touch $(STAMP)

# Debian packages: Chromium (browser tests, PDF printing), poppler-utils (PDF pages to PNG) and R with
# the survey, MASS and survival packages (the live-R oracle of the survey engine tests).
system-packages:
	@sh scripts/system-packages.sh

# Re-pin after changing dependencies in pyproject.toml (then commit requirements.lock).
lock: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[test]'
	{ echo "# Pinned versions of every package the workbench installs (make report / make test use this file)."; \
	  echo "# Regenerate after changing dependencies: make lock"; \
	  $(BIN)/python -m pip freeze --exclude-editable | grep -v '^workbench'; } > requirements.lock
	$(BIN)/python scripts/sync_environment.py

clean:
	rm -rf $(VENV) reports demo_study .pytest_cache
