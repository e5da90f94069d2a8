"""Benchmarks: `make bench` (or `python -m bench --help`). Results are ratios measured in one run."""
