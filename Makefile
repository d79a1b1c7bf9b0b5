# jobstream — the two commands: `make run` and `make test`. Everything else is a helper.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Rebuilt when the project's dependencies change.
VENV_STAMP := $(VENV)/.installed

# The span model is trained from this SkillSpan training split (MIT), beside the repository.
TRAINING_DATA ?= ../shared/data/skillspan-train

.PHONY: help run stop test unit bench soak schemas model reader compiled clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-8s %s\n", $$1, $$2}'

$(VENV_STAMP): pyproject.toml
	@start=$$(date +%s); \
	$(PYTHON) -m venv $(VENV) && \
	$(BIN)/pip install -q --upgrade pip && \
	$(BIN)/pip install -q -e '.[dev]' && \
	touch $@ && echo "✓ python environment in $(VENV) ($$(( $$(date +%s) - start )) s)"

# The span model's reading in C (services/tagger/.../spans/_reading.c), built by its build
# module when the source is newer than the module; without a C compiler (or Python's headers)
# it says so and the tagger reads in Python, with the same spans (tests/unit/tagger/
# test_spans.py compares them), slower.
# The tagger's native parts: the span model's C reader, and its hot modules compiled by mypyc
# (libs/jobstream/compiled.py: built when missing or when a source changed; without a C
# compiler, Python's headers or mypyc it says so and the tagger runs as Python, the same output,
# slower). JOBSTREAM_TAGGER_PURE=1 runs the modules as pure Python anyway.
reader: $(VENV_STAMP) ## build the span model's C reader and compile the tagger's hot modules (the tagger runs as Python without them)
	@$(BIN)/python -m jobstream_tagger.spans.build
	@$(BIN)/python -m jobstream_tagger.tools.compile

# The parser's hot modules compiled by mypyc (as `reader` does the tagger's; jobstream.compiled):
# built when missing or when a source changed; without mypyc, a C compiler or Python's headers it
# says so and the parser runs as pure Python (the same output, slower; a source edited after the
# build also runs as Python until the next `make`). JOBSTREAM_PARSER_PURE=1 runs Python anyway.
compiled: $(VENV_STAMP) ## compile the parser's hot modules with mypyc (the parser runs as pure Python without them)
	@$(BIN)/python -m jobstream_parser.tools.compile

run: $(VENV_STAMP) reader compiled ## start Kafka, PostgreSQL and the services, ingest seeds/, watch the inbox
	$(BIN)/jobstream stack up

stop: $(VENV_STAMP) ## stop a stack left running
	$(BIN)/jobstream stack stop

# The suite runs the parser as built (compiled when `make compiled` could); its unit tests run
# once more on the pure-Python modules, which run wherever the build is missing or stale.
PURE_PARSER_TESTS := JOBSTREAM_PARSER_PURE=1 $(BIN)/pytest -q -m unit tests/unit/parser

# `make test` stops the servers it started itself when it ends (passed, failed or Ctrl-C);
# a stack that was already running is left running. KEEP_STACK=1 keeps what it started.
KEEP_STACK ?=
test: $(VENV_STAMP) reader compiled ## the whole suite: lint, types, unit, and tests against real Kafka and PostgreSQL (KEEP_STACK=1: leave the servers running)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/jobstream dev install-test-tools
	@started=$$(mktemp); \
	finish() { \
		if [ -n "$(KEEP_STACK)" ]; then \
			echo "KEEP_STACK=1: left running what this run started: $$(cat $$started)"; \
		else \
			$(BIN)/jobstream stack stop --started-file $$started; \
		fi; \
		rm -f $$started; \
	}; \
	trap finish EXIT; trap 'exit 130' INT TERM; \
	$(BIN)/jobstream stack start --started-file $$started && $(BIN)/pytest && $(PURE_PARSER_TESTS)

unit: $(VENV_STAMP) reader compiled ## only the fast tests that need no server
	$(BIN)/pytest -m unit
	$(PURE_PARSER_TESTS)

bench: $(VENV_STAMP) reader compiled ## benchmarks to bench/results/latest.json (BENCH=e2e: one; BENCH="e2e --postings 5000")
	$(BIN)/jobstream stack start
	$(BIN)/python -m bench.run $(BENCH)

# The chaos runs of `make test`, heavier: more postings, more kills, a longer span of faults;
# the three-broker run with more postings through the same broker faults.
SOAK_POSTINGS ?= 50000
SOAK_KILLS ?= 8
SOAK_BROKER_POSTINGS ?= 20000
soak: $(VENV_STAMP) ## the chaos runs, heavier (SOAK_POSTINGS=50000 SOAK_KILLS=8 SOAK_BROKER_POSTINGS=20000)
	JOBSTREAM_CHAOS_POSTINGS=$(SOAK_POSTINGS) JOBSTREAM_CHAOS_KILLS=$(SOAK_KILLS) \
	JOBSTREAM_BROKER_CHAOS_POSTINGS=$(SOAK_BROKER_POSTINGS) \
		$(BIN)/pytest -m chaos -s tests/e2e/test_chaos.py tests/e2e/test_broker_chaos.py

model: $(VENV_STAMP) ## train the tagger's span model from $(TRAINING_DATA) into the package, its 5-fold CV figures in its card (~8 min)
	$(BIN)/pip install -q -e '.[train]'
	nice -n 10 $(BIN)/jobstream tagger train --folds 5 $(TRAINING_DATA)

schemas: $(VENV_STAMP) ## regenerate the JSON Schema files from the event models
	$(BIN)/jobstream dev schemas

clean: $(VENV_STAMP) ## stop everything; delete .stack, the PostgreSQL clusters made for it, and .venv
	$(BIN)/jobstream stack clean
	rm -rf $(VENV)
