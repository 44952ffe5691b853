"""Starts the assistant as real processes, for the tests and the benchmarks (scripts/bench*.py)."""
