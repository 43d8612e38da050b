"""Shared timing helpers for the benchmarks: medians, percentiles, ratios, peak memory."""

from __future__ import annotations

import resource
import statistics
import time
from collections.abc import Callable


def median_seconds(fn: Callable[[], object], *, repeat: int = 7, warmup: int = 1) -> float:
    return statistics.median(samples_seconds(fn, repeat=repeat, warmup=warmup))


def samples_seconds(fn: Callable[[], object], *, repeat: int, warmup: int = 1) -> list[float]:
    """Each call's own time, after `warmup` calls that are not kept."""
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - started)
    return samples


def p95(samples: list[float]) -> float:
    """The 95th percentile (the slowest one in twenty); needs 20 samples or more to mean anything."""
    return statistics.quantiles(samples, n=20, method="inclusive")[-1]


def report(label: str, seconds: float, baseline_label: str, baseline: float, goal: str = "") -> None:
    ratio = seconds / baseline if baseline else float("inf")
    print(f"{label:<48} {seconds * 1000:9.1f} ms   {baseline_label:<36} {baseline * 1000:9.1f} ms   ratio {ratio:5.2f}×  {goal}", flush=True)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
