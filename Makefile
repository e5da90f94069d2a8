# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run console test bench lock clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# The package with charts (matplotlib) and PostgreSQL (asyncpg); `pip install yanxiu` alone runs without both.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --editable '.[charts,postgres]'
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --editable '.[test]'
	touch $@ $(VENV)/.installed

run: $(VENV)/.installed
	$(BIN)/yanxiu db upgrade
	$(BIN)/yanxiu run

console: $(VENV)/.installed
	$(BIN)/yanxiu console

test: $(VENV)/.installed-test
	bash tests/support/install_postgres.sh
	bash tests/support/install_chromium.sh
	$(BIN)/python -m pytest $(PYTEST_ARGS)

bench: $(VENV)/.installed-test
	bash tests/support/install_postgres.sh
	$(BIN)/python -m bench

# requirements.lock pins what deploy/Dockerfile installs (the charts and postgres extras included).
lock: | $(BIN)/python
	$(BIN)/python -m pip install --quiet uv
	$(BIN)/uv pip compile pyproject.toml --extra charts --extra postgres --python-version 3.11 \
		--python-platform x86_64-unknown-linux-gnu --annotation-style line --quiet \
		--custom-compile-command 'make lock' -o requirements.lock

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
