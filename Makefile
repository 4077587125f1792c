# Tonearm — `make run` serves a library on the embedded default; `make test` runs everything.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
SUDO := $(shell [ "$$(id -u)" -eq 0 ] || echo sudo)
# System packages: ffmpeg/sox make test audio; libvips serves covers; ZooKeeper (and its Java)
# runs the cluster tests.
APT_PACKAGES := ffmpeg sox libvips42 zookeeper

export TONEARM_LIBRARY ?= $(HOME)/Music
export TONEARM_DATA_DIR ?= $(CURDIR)/data

.PHONY: setup run test lint typecheck unit bench clean

setup: .stamp-apt $(VENV)/.stamp-deps

.stamp-apt:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing system packages:$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi
	@touch $@

$(VENV)/.stamp-deps: pyproject.toml
	@[ -x $(BIN)/python ] || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	@touch $@

run: setup
	@mkdir -p "$(TONEARM_DATA_DIR)"
	$(BIN)/tonearm serve

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: setup
	$(BIN)/mypy api cluster ingest recommend store tonearm

unit: setup
	$(BIN)/pytest -q

test: lint typecheck unit

bench: setup
	$(BIN)/python bench/scan.py

clean:
	rm -rf $(VENV) .stamp-* .pytest_cache .mypy_cache .ruff_cache
