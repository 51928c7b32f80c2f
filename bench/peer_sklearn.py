"""The peer: scikit-learn's own prediction speed on the same model.

Trains the stroke model exactly as the shipped bundle was (train.py, synthetic
seed 42), then times predict_proba on one row (median of many calls) and on a
batch of 100k rows - the figures docs/benchmarks.md sets beside predict_bench.
"""
import os
import statistics
import sys
import time

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "python_export"))
import datagen  # noqa: E402
from train import load_spec, train  # noqa: E402


def main():
    spec = load_spec("stroke")
    _, _, model, _, X, _ = train(spec, datagen.synthetic_csv("stroke", 42), "bench", True)
    row = X[:1]
    model.predict_proba(row)
    samples = []
    for i in range(2000):
        start = time.perf_counter_ns()
        model.predict_proba(X[i % len(X):i % len(X) + 1])
        samples.append(time.perf_counter_ns() - start)
    print(f"sklearn predict_proba, one row: median {statistics.median(samples) / 1000:.1f} us")
    batch = X[np.arange(100_000) % len(X)]
    times = []
    for _ in range(5):
        start = time.perf_counter_ns()
        model.predict_proba(batch)
        times.append(time.perf_counter_ns() - start)
    print(f"sklearn predict_proba, batch of 100000: {min(times) / 100_000:.0f} ns/row (best of 5)")


if __name__ == "__main__":
    main()
