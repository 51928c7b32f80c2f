"""Throughput of the stroke module's predict_proba on 100k rows of the stroke model
(a measurement, not a test):

    PYTHONPATH=build/python /usr/bin/python3 bench/python_module_bench.py
"""
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "python", "tests"))  # random_records
import pandas as pd  # noqa: E402

import stroke  # noqa: E402
from conftest import random_records  # noqa: E402


def best_of(f, n=7):
    times = []
    for _ in range(n):
        start = time.perf_counter()
        f()
        times.append(time.perf_counter() - start)
    return min(times)


m = stroke.Model.load(os.path.join(HERE, "..", "models", "stroke.bundle.json"))
df = pd.DataFrame(random_records(m, 100_000, seed=1))
cat = df.astype({c: "category" for c in ["gender", "ever_married", "work_type", "Residence_type", "smoking_status"]})
cat = cat.astype({"hypertension": bool, "heart_disease": bool})
records = df.to_dict("records")
F = m.prepare(df)
for label, f in (("DataFrame, object (str) columns", lambda: m.predict_proba(df)),
                 ("DataFrame, categorical + bool columns", lambda: m.predict_proba(cat)),
                 ("list of 100k dicts", lambda: m.predict_proba(records)),
                 ("predict_features on prepared float64", lambda: m.predict_features(F, output="probability"))):
    t = best_of(f)
    print(f"{label:40s} {t*1e3:7.1f} ms  {len(df)/t:12,.0f} rows/s")
