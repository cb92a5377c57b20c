# Everything runs inside .venv at the repository root, created on first use.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
CONFIG ?= config.toml
# Every venv is made from a Python the bot runs on.
CHECK_PYTHON := $(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "aftercare_bot needs Python 3.11 or newer; set PYTHON=python3.11")'

.PHONY: help demo test test-browser screenshots lint run bench bench-quick db-upgrade clean

help:
	@echo "make demo   play a patient journey against the built-in Telegram simulator (no token)"
	@echo "make test   run the whole test suite (SQLite; PostgreSQL with AFTERCARE_TEST_DATABASE_URL)"
	@echo "make run    start the real bot from $(CONFIG)"
	@echo "make lint   ruff and mypy"
	@echo "make test-browser  the console's journeys in a real Chromium (installs Debian's chromium where missing)"
	@echo "make bench  benchmarks on SQLite and PostgreSQL (not part of make test; about 2 hours at 5 runs)"
	@echo "make bench-quick  the same at small sizes (BENCH_ARGS=--quick)"

$(PY):
	@$(CHECK_PYTHON)
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
	$(PY) -m pytest --numprocesses $(TEST_WORKERS) --dist worksteal --ignore=tests/browser

$(VENV)/.installed-browser: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e '.[test,browser]'
	@touch $@ $(VENV)/.installed-test $(VENV)/.installed-runtime

# Debian's Chromium and its chromedriver (Playwright's and Selenium's own browser downloads
# are not reachable from every machine); installed once, where missing.
CHROMIUM_PACKAGES := chromium chromium-driver
/usr/bin/chromium /usr/bin/chromedriver:
	@if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	$$SUDO apt-get install -y --no-install-recommends $(CHROMIUM_PACKAGES) >/dev/null \
	  || { $$SUDO apt-get update >/dev/null && $$SUDO apt-get install -y --no-install-recommends $(CHROMIUM_PACKAGES) >/dev/null; }

test-browser: $(VENV)/.installed-browser /usr/bin/chromium /usr/bin/chromedriver
	$(PY) -m pytest tests/browser

# The README's pictures of the console, taken by the browser journeys.
screenshots: $(VENV)/.installed-browser /usr/bin/chromium /usr/bin/chromedriver
	AFTERCARE_SCREENSHOTS=tests/browser/screenshots $(PY) -m pytest tests/browser -q

lint: $(VENV)/.installed-test
	$(VENV)/bin/ruff check aftercare_bot tests bot.py benchmarks
	$(VENV)/bin/mypy

run: $(VENV)/.installed-runtime
	$(PY) bot.py run --config $(CONFIG)

db-upgrade: $(VENV)/.installed-runtime
	$(PY) bot.py db upgrade --config $(CONFIG)

# The benchmarks run in their own venv holding only what a clinic installs (`pip install -e .`,
# as `make run` needs): the test tools change what the bot loads at start (Selenium brings
# trio, which httpcore imports when it is there), so .venv would weigh a bot no clinic runs.
BENCH_VENV := .venv-bench
BENCH_PY   := $(BENCH_VENV)/bin/python

$(BENCH_VENV)/.installed: pyproject.toml
	@$(CHECK_PYTHON)
	$(PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_PY) -m pip install --quiet --upgrade pip
	$(BENCH_PY) -m pip install --quiet -e .
	@touch $@

bench: $(BENCH_VENV)/.installed
	$(BENCH_PY) -m benchmarks $(BENCH_ARGS)

bench-quick: $(BENCH_VENV)/.installed
	$(BENCH_PY) -m benchmarks --quick $(BENCH_ARGS)

clean:
	rm -rf $(VENV) $(BENCH_VENV) build *.egg-info
