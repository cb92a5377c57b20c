# Everything runs inside .venv at the repository root, created on first use.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
CONFIG ?= config.toml

.PHONY: help demo test lint run bench bench-quick db-upgrade clean

help:
	@echo "make demo   play a patient journey against the built-in Telegram simulator (no token)"
	@echo "make test   run the whole test suite (SQLite; PostgreSQL with AFTERCARE_TEST_DATABASE_URL)"
	@echo "make run    start the real bot from $(CONFIG)"
	@echo "make lint   ruff and mypy"
	@echo "make bench  benchmarks (not part of make test; about an hour)"
	@echo "make bench-quick  the same at small sizes, a few minutes (BENCH_ARGS=--quick)"

$(PY):
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "aftercare_bot needs Python 3.11 or newer; set PYTHON=python3.11")'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

# Stamps re-install when pyproject.toml changes.
$(VENV)/.installed-runtime: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e .
	@touch $@

$(VENV)/.installed-test: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e '.[test]'
	@touch $@ $(VENV)/.installed-runtime

demo: $(VENV)/.installed-runtime
	$(PY) bot.py demo

# Three workers on two cores: end-to-end tests spend part of their time waiting on the network
# and the clock, so a third keeps both cores busy (about 2 minutes instead of 5 on one).
# Work stealing rebalances the tail; tests marked slow start first.
TEST_WORKERS ?= 3

test: $(VENV)/.installed-test
	$(PY) -m pytest --numprocesses $(TEST_WORKERS) --dist worksteal

lint: $(VENV)/.installed-test
	$(VENV)/bin/ruff check aftercare_bot tests bot.py benchmarks
	$(VENV)/bin/mypy

run: $(VENV)/.installed-runtime
	$(PY) bot.py run --config $(CONFIG)

db-upgrade: $(VENV)/.installed-runtime
	$(PY) bot.py db upgrade --config $(CONFIG)

bench: $(VENV)/.installed-test
	$(PY) -m benchmarks $(BENCH_ARGS)

bench-quick: $(VENV)/.installed-test
	$(PY) -m benchmarks --quick $(BENCH_ARGS)

clean:
	rm -rf $(VENV) build *.egg-info
