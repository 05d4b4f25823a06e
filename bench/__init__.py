"""Benchmark scripts (never timed tests): ``python -m bench NAME --scale S``."""
