"""Benchmark suite for cyp-indicators: ``python -m benchmarks`` (see ``benchmarks/README.md``)."""
