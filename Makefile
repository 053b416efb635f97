# The two commands the README promises: `make demo` and `make test`.
.PHONY: setup demo test lint bench

setup:
	./scripts/setup

demo: setup
	.venv/bin/iotbaseline scan samples/sample-camera-mipsel.trx -o out/demo --force --fail-on never

test: setup
	.venv/bin/python -m pytest -n 2

lint: setup
	.venv/bin/ruff check . && .venv/bin/ruff format --check . && .venv/bin/mypy

bench: setup
	.venv/bin/python -m bench.extract
