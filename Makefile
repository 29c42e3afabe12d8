# Two entry points: `make demo` trains the default preset on MNIST; `make test` runs the suite.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DATA ?= $(if $(CNNCALC_DATA_DIR),$(CNNCALC_DATA_DIR),../shared/data/mnist)
# Pass the folder only where it holds MNIST; otherwise cnncalc uses its cache or downloads.
DATA_ARG := $(if $(wildcard $(DATA)/t10k-labels-idx1-ubyte*),--data-dir $(DATA),)

.PHONY: demo test lint bench clean browser-test pypi-readme

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[train,plot,dev]'
	$(BIN)/python -m compileall -q cnncalc
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/cnncalc summary --preset mnist-fast
	$(BIN)/cnncalc train $(DATA_ARG) --out runs/demo --force
	$(BIN)/cnncalc evaluate runs/demo/best.pt $(DATA_ARG)

test: $(STAMP)
	CNNCALC_DATA_DIR=$(abspath $(DATA)) KERAS_BACKEND=torch $(BIN)/python -m pytest -q -p no:cacheprovider -n auto

# Optional: render the SVG diagrams in headless Chromium (installs Debian's chromium).
browser-test: $(STAMP)
	command -v chromium >/dev/null || apt-get install -y chromium
	$(BIN)/python -m pytest -q -p no:cacheprovider -rs tests/test_draw_browser.py

lint: $(STAMP)
	$(BIN)/ruff check cnncalc tests bench tools
	$(BIN)/mypy

# The README a package index shows (links to docs/ become `cnncalc docs PAGE`).
pypi-readme:
	python3 tools/pypi_readme.py

bench: $(STAMP)
	$(BIN)/python bench/startup.py
	$(BIN)/python bench/scaling.py
	$(BIN)/python bench/summary_speed.py
	$(BIN)/python bench/module_vs_torchinfo.py
	$(BIN)/python bench/read_speed.py
	CNNCALC_DATA_DIR=$(abspath $(DATA)) $(BIN)/python bench/train_cpu.py
	CNNCALC_DATA_DIR=$(abspath $(DATA)) $(BIN)/python bench/train_speed.py
	CNNCALC_DATA_DIR=$(abspath $(DATA)) $(BIN)/python bench/preset_accuracy.py

clean:
	rm -rf $(VENV) runs .pytest_cache .hypothesis
