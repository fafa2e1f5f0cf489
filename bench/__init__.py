"""Benchmarks: each script prints its figures (medians, percentiles, ratios); none asserts."""
