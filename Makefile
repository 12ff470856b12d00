# Two commands do all set-up: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp
HOST   ?= 127.0.0.1
PORT   ?= 7860
# Everything `make run` builds stays inside the clone unless the caller says otherwise.
export SHOPASSIST_HOME ?= $(CURDIR)/.shopassist

.PHONY: run test install lint bench clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	# torch first: 2.13.0 resolves to the CPU build on this machine's disk; unpinned it pulls CUDA.
	$(PY) -m pip install --quiet torch==2.13.0
	$(PY) -m pip install --quiet -e '.[all,dev]'
	$(PY) -m pip check
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(VENV)/bin/shopassist run --host $(HOST) --port $(PORT)

test: $(STAMP)
	$(VENV)/bin/python -m pytest

lint: $(STAMP)
	$(VENV)/bin/ruff check assistant retrieval ui tests bench

bench: $(STAMP)
	$(VENV)/bin/python -m bench.run_all

clean:
	rm -rf $(VENV) build *.egg-info
