# `make demo` sets everything up and inspects the bundled test sites; `make test` runs the tests.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: setup browser demo test lint bench clean libreoffice notice-images

$(STAMP): requirements.lock.txt pyproject.toml
	$(PYTHON) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11) and "govwatch needs Python 3.11")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check -r requirements.lock.txt
	$(BIN)/python -m pip install -q --disable-pip-version-check --no-deps -e .
	touch $(STAMP)

browser:
	@bash scripts/install-browser.sh

setup: $(STAMP) browser

demo: setup
	$(BIN)/govwatch demo

# Two workers (one per core, a test file each); the few tests that measure CPU time run alone after.
test: setup
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/pytest -q -n 2 --dist loadfile -m "not serial"
	$(BIN)/pytest -q -m serial

# LibreOffice renders the notice's docx and xlsx to PDF (tests/test_notice_quarter.py, the images in docs/);
# poppler-utils gives pdftoppm, pdftotext and pdfinfo. Debian/Ubuntu, as root (the Dockerfile's base).
libreoffice:
	@command -v soffice >/dev/null && command -v pdftoppm >/dev/null && echo "LibreOffice and poppler are installed" || \
	  { apt-get update && apt-get install -y --no-install-recommends libreoffice-writer-nogui libreoffice-calc-nogui \
	    poppler-utils fonts-wqy-microhei; }

# The page images of docs/: the quarter of tests/test_notice_quarter.py, rendered (needs `make libreoffice`).
notice-images: setup libreoffice
	rm -rf var/notice-images && mkdir -p var/notice-images
	NOTICE_IMAGES=var/notice-images $(BIN)/pytest -q tests/test_notice_quarter.py -k renders
	cp var/notice-images/body-1.png docs/notice-body.png
	cp var/notice-images/body-3.png docs/notice-recheck.png
	cp var/notice-images/attachment-2.png docs/notice-attachment.png

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/lint-imports

clean:
	rm -rf $(VENV) var .pytest_cache
