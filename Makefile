# Tonearm — `make run` serves a library on the embedded default; `make test` runs everything.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
SUDO := $(shell [ "$$(id -u)" -eq 0 ] || echo sudo)
# System packages: ffmpeg/sox make test audio; libvips serves covers; ZooKeeper (and its Java)
# runs the cluster tests; Chromium runs the web UI's end-to-end tests (Playwright drives it and
# never downloads a browser of its own).
APT_PACKAGES := ffmpeg sox libvips42 zookeeper chromium
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD := 1
# What the web UI's build depends on: rebuilt when any of it changes.
WEB_SOURCES := $(shell find web/src web/public -type f 2>/dev/null) web/index.html \
	web/vite.config.ts web/tsconfig.json web/package.json

export TONEARM_LIBRARY ?= $(HOME)/Music
export TONEARM_DATA_DIR ?= $(CURDIR)/data

.PHONY: setup run test lint typecheck unit web-test bench clean chart-test desktop desktop-test

setup: .stamp-apt $(VENV)/.stamp-deps web/dist/index.html

.stamp-apt: Makefile
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

# The web UI: npm ci when the lock file changes, vite build when a source does.
.stamp-web-deps: web/package-lock.json
	@command -v npm >/dev/null || { $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq nodejs npm; }
	cd web && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

web/dist/index.html: .stamp-web-deps $(WEB_SOURCES)
	cd web && npx --no-install vite build --logLevel warn
	@touch $@

run: setup
	@mkdir -p "$(TONEARM_DATA_DIR)"
	$(BIN)/tonearm serve

# The macOS/Windows desktop workflow cannot run here; actionlint (built from its Go module,
# cached in .tools/) at least checks its syntax, expressions and action inputs.
ACTIONLINT_VERSION := v1.7.12
ACTIONLINT := .tools/actionlint-$(ACTIONLINT_VERSION)

lint: setup $(ACTIONLINT)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(ACTIONLINT) .github/workflows/*.yml

$(ACTIONLINT):
	GOBIN=$(CURDIR)/.tools go install github.com/rhysd/actionlint/cmd/actionlint@$(ACTIONLINT_VERSION)
	mv .tools/actionlint $@

typecheck: setup
	$(BIN)/mypy api cluster ingest recommend store tonearm
	cd clients/presence && ../../$(BIN)/mypy tonearm_presence
	cd web && npx --no-install tsc --noEmit

unit: setup
	$(BIN)/pytest -q

web-test: setup
	cd web && npx --no-install vitest run

test: lint typecheck web-test unit chart-test desktop-test

# The Helm chart: helm built from its Go module (cached in .tools/), lint, render every value
# set in deploy/helm/tonearm/ci/, validate offline against the Kubernetes schemas
# (kubernetes-validate, the `deploy` extra), then the checks schemas cannot make.
HELM_VERSION := v3.21.4
KUBE_VERSION := 1.33.0
HELM := .tools/helm-$(HELM_VERSION)
CHART := deploy/helm/tonearm

$(HELM):
	GOBIN=$(CURDIR)/.tools go install helm.sh/helm/v3/cmd/helm@$(HELM_VERSION)
	mv .tools/helm $@

.tools/.stamp-deploy: pyproject.toml $(VENV)/.stamp-deps
	$(BIN)/pip install -q -e '.[deploy]'
	@mkdir -p .tools && touch $@

chart-test: $(HELM) .tools/.stamp-deploy
	@rm -rf .tools/rendered && mkdir -p .tools/rendered
	$(HELM) lint --strict --kube-version $(KUBE_VERSION) $(CHART)
	@set -e; for f in $(CHART)/ci/*-values.yaml; do \
	  name=$$(basename $$f -values.yaml); echo "helm lint + template: $$name"; \
	  $(HELM) lint --strict --quiet --kube-version $(KUBE_VERSION) -f $$f $(CHART); \
	  $(HELM) template tonearm $(CHART) --namespace music --kube-version $(KUBE_VERSION) -f $$f \
	    > .tools/rendered/$$name.yaml; \
	done
	$(BIN)/kubernetes-validate --strict --quiet -k $(KUBE_VERSION) .tools/rendered/*.yaml
	$(BIN)/python deploy/check_rendered.py .tools/rendered/*.yaml
	@for f in deploy/chart-test-invalid/*.yaml; do \
	  if $(HELM) template tonearm $(CHART) --kube-version $(KUBE_VERSION) -f $$f >/dev/null 2>&1; then \
	    echo "FAIL: $$f rendered, but must be refused"; exit 1; fi; \
	done; echo "refused as expected: $$(ls deploy/chart-test-invalid | wc -l) invalid value sets"

# The desktop app (clients/tauri, see its README): Tauri 2 around web/dist, with the Discord
# presence companion (clients/presence) frozen by PyInstaller as its sidecar. `make desktop`
# builds the Linux .deb into build/desktop/ (the .deb bundler needs no downloads; the
# AppImage one would). Rust builds into a cache outside the clone, so unchanged crates are
# not rebuilt by the next run or the next clone; cargo runs niced (two shared cores).
export CARGO_TARGET_DIR ?= $(HOME)/.cache/tonearm/cargo-target
# rustup's cargo, also when the shell did not read ~/.profile (CI).
export PATH := $(HOME)/.cargo/bin:$(PATH)
DESKTOP_APT := libwebkit2gtk-4.1-dev build-essential file libxdo-dev libssl-dev \
	libayatana-appindicator3-dev librsvg2-dev xvfb xauth xdotool imagemagick dbus-daemon \
	xfce4-panel
TAURI_DIR := clients/tauri/src-tauri
RUST_HOST := $(shell PATH="$(PATH)" rustc -vV 2>/dev/null | sed -n 's/^host: //p')
SIDECAR = $(TAURI_DIR)/binaries/tonearm-presence-$(RUST_HOST)
DESKTOP_SOURCES := $(shell find $(TAURI_DIR)/src $(TAURI_DIR)/icons $(TAURI_DIR)/capabilities \
	-type f 2>/dev/null) $(addprefix $(TAURI_DIR)/,Cargo.toml Cargo.lock build.rs tauri.conf.json)
PRESENCE_SOURCES := $(wildcard clients/presence/tonearm_presence/*.py)

.stamp-desktop-apt: Makefile
	@missing=""; for p in $(DESKTOP_APT); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing system packages:$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi
	@command -v cargo >/dev/null || { echo "make desktop needs Rust (cargo): see clients/tauri/README.md"; exit 1; }
	@touch $@

# The Tauri CLI from npm: a prebuilt binary, no `cargo install`.
.stamp-tauri-cli: clients/tauri/package-lock.json .stamp-web-deps
	cd clients/tauri && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

$(VENV)/.stamp-desktop: pyproject.toml $(VENV)/.stamp-deps
	$(BIN)/pip install -q -e '.[desktop]'
	@touch $@

# Rebuilt when the companion's code changes (not whenever pyproject.toml does).
$(TAURI_DIR)/binaries/tonearm-presence-%: $(PRESENCE_SOURCES) | $(VENV)/.stamp-desktop
	@mkdir -p build/pyinstaller $(dir $@)
	nice -n 10 $(BIN)/pyinstaller --onefile --noconfirm --log-level WARN --name tonearm-presence \
	  --distpath build/pyinstaller/dist --workpath build/pyinstaller/work --specpath build/pyinstaller \
	  --paths clients/presence clients/presence/tonearm_presence/__main__.py
	cp build/pyinstaller/dist/tonearm-presence $@

build/desktop/.stamp: web/dist/index.html .stamp-desktop-apt .stamp-tauri-cli $(DESKTOP_SOURCES) \
		$(TAURI_DIR)/binaries/tonearm-presence-$(RUST_HOST)
	rm -rf $(CARGO_TARGET_DIR)/release/bundle/deb
	cd clients/tauri && nice -n 10 npx --no-install tauri build --bundles deb
	@mkdir -p build/desktop && rm -f build/desktop/*.deb
	cp $(CARGO_TARGET_DIR)/release/bundle/deb/*.deb build/desktop/
	@touch $@

desktop: build/desktop/.stamp
	@ls -l build/desktop/*.deb

# Rust unit tests (address parsing, the live check, settings) in the release profile, sharing
# the crates `make desktop` built; then tests/clients with the built app and sidecar: the
# setup screen under Xvfb (screenshot), the app against a real `tonearm serve`, and the
# presence companion as the frozen binary.
desktop-test: desktop
	cd $(TAURI_DIR) && cargo fmt --check && nice -n 10 cargo test --release --features tauri/custom-protocol --lib
	TONEARM_DESKTOP_BIN=$(CARGO_TARGET_DIR)/release/tonearm-desktop TONEARM_PRESENCE_BIN=$(SIDECAR) \
	  $(BIN)/pytest -q tests/clients

bench: setup
	$(BIN)/python bench/scan.py

clean:
	rm -rf $(VENV) .stamp-* .pytest_cache .mypy_cache .ruff_cache web/node_modules web/dist \
	  build/desktop build/pyinstaller clients/tauri/node_modules $(TAURI_DIR)/binaries
