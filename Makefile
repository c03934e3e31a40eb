# Two entry points: `make run` and `make test`. Each sets up what it needs on a fresh Debian machine.
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell sha1sum pyproject.toml | cut -c1-12)
# Debian packages: Devanagari fonts for pages and PDFs; Tesseract (Hindi, English) and Ghostscript
# for OCR of scanned dak; PostgreSQL, Chromium and poppler for tests
RUN_DEBS := fonts-noto-core tesseract-ocr tesseract-ocr-hin tesseract-ocr-eng ghostscript
TEST_DEBS := fonts-noto-core poppler-utils postgresql chromium tesseract-ocr tesseract-ocr-hin tesseract-ocr-eng ghostscript
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test test-sqlite test-postgres deps lint translations clean fuzz

$(STAMP): pyproject.toml
	@command -v python3 >/dev/null || { echo "python3 is needed"; exit 1; }
	python3 -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	rm -f $(VENV)/.installed-*
	touch $@

define install_debs
	@missing=""; for p in $(1); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "installing Debian packages:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	  else echo "please install these Debian packages:$$missing"; exit 1; fi; \
	fi
endef

translations: $(STAMP)
	$(BIN)/pybabel compile -d eoffice/translations

run: $(STAMP) translations
	$(call install_debs,$(RUN_DEBS))
	$(BIN)/eoffice db upgrade
	$(BIN)/eoffice demo --if-empty
	$(BIN)/eoffice run --host $(HOST) --port $(PORT)

deps: $(STAMP) translations
	$(call install_debs,$(TEST_DEBS))

lint: $(STAMP)
	$(BIN)/ruff check eoffice tests migrations bench
	$(BIN)/ruff format --check eoffice tests migrations bench
	$(BIN)/lint-imports --no-logo --no-cache

test-sqlite: deps
	$(BIN)/pytest -p no:cacheprovider

test-postgres: deps
	scripts/with-postgres.sh $(BIN)/pytest -p no:cacheprovider

# the two passes run side by side (one core each); each pass's output is printed when it ends
test: lint
	$(MAKE) --no-print-directory -j2 --output-sync=target test-sqlite test-postgres

# a longer fuzzing run of the JSON API than the one in the suite (any 5xx fails it)
fuzz: deps
	EOFFICE_FUZZ_EXAMPLES=$${EXAMPLES:-200} $(BIN)/pytest -p no:cacheprovider tests/integration/test_fuzz.py


clean:
	rm -rf $(VENV) instance .pytest_cache
