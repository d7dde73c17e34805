# margin: two commands on a fresh machine — `make demo` and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
DEMO_HOME := .margin-demo
DEMO_QUESTION ?= How does margin keep API keys safe?
EVAL_HOME := .margin-eval
EVAL_CORPUS := .eval-corpus
EVAL_SETS := eval/real-tune.jsonl eval/real-report.jsonl
SYSTEM_PACKAGES := dbus-run-session:dbus gnome-keyring-daemon:gnome-keyring tmux:tmux \
	tesseract:tesseract-ocr /usr/share/tesseract-ocr/5/tessdata/eng.traineddata:tesseract-ocr-eng \
	pandoc:pandoc /usr/share/doc/python3.11/html/library/stdtypes.html:python3.11-doc \
	/usr/share/doc/live-manual/epub/live-manual.en.epub:live-manual-epub \
	/usr/share/doc/python-notebook-doc/html/examples/Notebook/nbpackage/mynotebook.ipynb:python-notebook-doc \
	/usr/lib/python3.11/test/test_email/data/msg_02.txt:libpython3.11-testsuite \
	/usr/share/doc/bash/bashref.pdf:bash-doc /usr/share/doc/libtasn1-doc/libtasn1.pdf:libtasn1-doc

.PHONY: demo test check lint typecheck eval eval-real bench system-deps clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip wheel

# llama-cpp-python is built from source once per machine (about 6 minutes on 2 cores) and kept
# in LLAMA_WHEELS. It is built for any x86-64 CPU with AVX2, not for this one: llama.cpp's AMX
# code stops with "Illegal instruction" on Xeons that have AMX, a build for one CPU can crash
# on another that shares the wheel, and the bundled model's greedy answers, which tests read,
# come out the same on every machine. LLAMA_VERSION is the version pyproject.toml pins.
LLAMA_VERSION := 0.3.36
LLAMA_CMAKE_ARGS := -DGGML_NATIVE=OFF
ifeq ($(shell uname -m),x86_64)
LLAMA_CMAKE_ARGS += -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_BMI2=ON
LLAMA_BUILD := $(LLAMA_VERSION)-avx2
else
LLAMA_BUILD := $(LLAMA_VERSION)-generic
endif
LLAMA_WHEELS ?= $(HOME)/.cache/margin/wheels/llama-cpp-python-$(LLAMA_BUILD)
# Named after the build, so a venv made before holds no stamp and gets this build.
STAMP := $(VENV)/.installed-llama-$(LLAMA_BUILD)

$(STAMP): pyproject.toml | $(BIN)/python
	ls $(LLAMA_WHEELS)/*.whl >/dev/null 2>&1 || CMAKE_ARGS="$(LLAMA_CMAKE_ARGS)" \
	  $(BIN)/pip wheel --quiet --no-cache-dir --no-deps -w $(LLAMA_WHEELS) 'llama-cpp-python==$(LLAMA_VERSION)'
	$(BIN)/pip install --quiet 'torch==2.13.0'
	$(BIN)/pip install --quiet --find-links $(LLAMA_WHEELS) -e '.[dev]'
	$(BIN)/pip install --quiet --no-deps --force-reinstall $(LLAMA_WHEELS)/*.whl
	touch $(STAMP)

demo: $(STAMP)
	rm -rf $(DEMO_HOME)
	MARGIN_HOME=$(DEMO_HOME) $(BIN)/margin ingest docs
	MARGIN_HOME=$(DEMO_HOME) $(BIN)/margin ask "$(DEMO_QUESTION)"

# The keyring tests need a real Secret Service; the TUI smoke test needs tmux; the OCR tests
# need Tesseract and its English data; the document tests read files nobody here wrote:
# Python's HTML docs, DOCX/ODT/PPTX/EPUB pandoc makes from their reST, Debian's live-manual
# EPUB, Jupyter's example notebooks, Python's e-mail test messages, libtasn1's PDF manual
# (about 50 MB to download in all; `make demo` works without any of them). A pair is
# command-or-file:package.
system-deps:
	@missing=""; for pair in $(SYSTEM_PACKAGES); do \
	  want=$${pair%%:*}; \
	  { [ -e "$$want" ] || command -v $$want >/dev/null 2>&1; } || missing="$$missing $${pair##*:}"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	fi

# The Secret Service gets a keyring folder of its own, so no keyring left from earlier runs
# (with another password) can turn the unlock into a prompt.
test: $(STAMP) system-deps
	MARGIN_TEST_KEYRING=1 dbus-run-session -- sh -c \
	  'keyrings=$$(mktemp -d); \
	   echo margin-test | XDG_DATA_HOME=$$keyrings gnome-keyring-daemon --unlock \
	     --components=secrets >/dev/null; \
	   $(BIN)/pytest $(PYTEST_ARGS); rc=$$?; rm -rf $$keyrings; \
	   [ $$rc -eq 5 ] && rc=0; exit $$rc'

lint: $(STAMP)
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/lint-imports

typecheck: $(STAMP)
	$(BIN)/mypy

check: lint typecheck test

eval: $(STAMP)
	rm -rf $(DEMO_HOME)
	MARGIN_HOME=$(DEMO_HOME) $(BIN)/margin ingest docs --json >/dev/null
	MARGIN_HOME=$(DEMO_HOME) $(BIN)/margin eval docs/golden.jsonl

# Real documents nobody here wrote (eval/README.md): Debian's Python 3.11 docs, the bash
# manual, manual pages and READMEs, from eval/manifest.txt (its packages installed when
# missing), ingested afresh into their own MARGIN_HOME; then each golden set retrieval-only,
# the plain BM25 + MiniLM fusion baseline, and each set with answers from the default model
# (about 10 s a question on 2 cores). Slow, so not part of `make test`.
eval-real: $(STAMP)
	@missing=$$($(BIN)/python -m eval.build_corpus --missing-packages); \
	if [ -n "$$missing" ]; then \
	  echo "installing $$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	fi
	$(BIN)/python -m eval.build_corpus
	rm -rf $(EVAL_HOME)
	MARGIN_HOME=$(EVAL_HOME) $(BIN)/margin ingest $(EVAL_CORPUS) || [ $$? -eq 3 ]
	for set in $(EVAL_SETS); do \
	  MARGIN_HOME=$(EVAL_HOME) $(BIN)/margin eval $$set --retrieval-only || exit 1; done
	MARGIN_HOME=$(EVAL_HOME) $(BIN)/python -m eval.rrf_baseline $(EVAL_SETS)
	for set in $(EVAL_SETS); do MARGIN_HOME=$(EVAL_HOME) $(BIN)/margin eval $$set || exit 1; done

bench: $(STAMP)
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) $(DEMO_HOME) $(EVAL_HOME) $(EVAL_CORPUS) .pytest_cache .mypy_cache .ruff_cache
