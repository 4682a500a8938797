# 换届通 — the README's two commands, and a few helpers.
#   make run   install, migrate, seed the demo street, serve http://127.0.0.1:8000
#   make test  install, then ruff, mypy and the whole pytest suite

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000
STAMP  := $(VENV)/.installed

.PHONY: run test install lint typecheck pytest e2e bench bench-tally lock clean migrate seed

$(BIN)/python:
	@$(PYTHON) -c "import sys; assert sys.version_info >= (3, 11)" 2>/dev/null || \
	  { echo "换届通 needs Python 3.11 or newer as $(PYTHON)"; exit 1; }
	@$(PYTHON) -m venv $(VENV) || \
	  { echo "python3 -m venv failed: on Debian run 'apt-get install python3-venv' first"; exit 1; }
	$(BIN)/python -m pip install --quiet --upgrade pip

# Reinstall only when the dependencies or their lock change.
$(STAMP): pyproject.toml constraints.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

migrate: install
	mkdir -p var
	$(BIN)/python manage.py migrate --noinput

seed: migrate
	$(BIN)/python manage.py sync_rest_days
	$(BIN)/python manage.py seed_demo

run: seed
	@echo "换届通 is at http://$(HOST):$(PORT)/ — demo users are listed in README.md (password demo12345)"
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install
	$(BIN)/mypy .

# One pytest worker per core (pytest-xdist; each worker has its own test database):
# the suite took 12.4 min on one core of this 2-core machine, 7.4 min on two.
# `make test PYTEST_WORKERS=0` runs it in one process.
PYTEST_WORKERS ?= auto

pytest: install
	$(BIN)/pytest -n $(PYTEST_WORKERS)

test: lint typecheck pytest

e2e: install
	$(BIN)/pytest tests/e2e

bench: install
	@for b in bench/*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

# Election-day tally entry under load: 50 users against gunicorn (bench/README.md).
bench-tally: install
	$(BIN)/python bench/tally_load.py

# Regenerate constraints.txt from a clean environment after changing pyproject.toml.
lock:
	rm -rf /tmp/huanjie-lock && $(PYTHON) -m venv /tmp/huanjie-lock
	/tmp/huanjie-lock/bin/pip install --quiet --upgrade pip
	/tmp/huanjie-lock/bin/pip install --quiet -e '.[dev]'
	{ echo "# Locked versions for a fresh install: pip install -c constraints.txt -e '.[dev]'"; \
	  echo "# Regenerate with: make lock"; \
	  /tmp/huanjie-lock/bin/pip freeze --exclude-editable; } > constraints.txt

clean:
	rm -rf $(VENV) var/staticfiles .pytest_cache .mypy_cache .ruff_cache
