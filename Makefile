# Two commands set everything up on a fresh machine: `make demo` and `make test`.
VENV   ?= .venv
PYTHON ?= python3
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	# pip compiles what it installs, but an editable install leaves the project as source; where
	# Python may not write bytecode (PYTHONDONTWRITEBYTECODE, as in many containers) every
	# command would compile each module it loads, again, before doing anything.
	$(BIN)/python -m compileall -q events projections ledger
	touch $(STAMP)

OUT := out/savvis

demo: $(STAMP)
	$(BIN)/ledger --db savvis.db replay replay_data/savvis --fresh
	$(BIN)/ledger --db savvis.db verify --sources replay_data/savvis
	mkdir -p $(OUT)
	$(BIN)/ledger --db savvis.db export jsonl --out $(OUT)/log.jsonl --force
	$(BIN)/ledger verify $(OUT)/log.jsonl
	$(BIN)/ledger --db savvis.db export csv --as-of 2004-07-02 --out $(OUT)/csv --force
	$(BIN)/ledger --db savvis.db export ocf --as-of 2004-07-02 --out $(OUT)/savvis.ocf.zip --force
	$(BIN)/ledger --db savvis.db export html --as-of 2004-07-02 --out $(OUT)/report.html --force

test: $(STAMP)
	scripts/test-programs
	$(BIN)/pytest

# Benchmarks (issue 7), apart from the tests: `make bench`, or e.g.
# `make bench BENCH_ARGS="--quick"` / `BENCH_ARGS="--sizes 10000,100000"`.
BENCH_ARGS ?=
bench: $(STAMP)
	$(BIN)/python -m bench.run $(BENCH_ARGS)

clean:
	rm -rf $(VENV) savvis.db savvis.db-wal savvis.db-shm out *.egg-info
