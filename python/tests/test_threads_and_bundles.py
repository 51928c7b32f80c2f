"""One Model shared by Python threads (the GIL is released while scoring), and
bundles that cannot be loaded."""
import json
import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd
import pytest

import stroke
from conftest import MODELS_DIR, random_records


def test_concurrent_calls_give_the_single_threaded_answers(stroke_model):
    chunks = [random_records(stroke_model, 500, seed=s) for s in range(8)]
    expected = [(stroke_model.predict_proba(c), stroke_model.explain(c).contributions) for c in chunks]

    def work(i):
        frame = pd.DataFrame(chunks[i])
        for _ in range(3):
            proba, why = stroke_model.predict_proba(frame), stroke_model.explain(chunks[i])
            np.testing.assert_array_equal(proba, expected[i][0])
            np.testing.assert_array_equal(why.contributions, expected[i][1])
        return i

    with ThreadPoolExecutor(max_workers=4) as pool:
        assert sorted(pool.map(work, range(len(chunks)))) == list(range(len(chunks)))


def longest_pause_while(call):
    """Runs call() while a Python thread ticks every millisecond; returns the
    call's seconds and the longest pause between ticks inside it."""
    ticks, stop = [], threading.Event()

    def tick():
        while not stop.is_set():
            ticks.append(time.perf_counter())
            time.sleep(0.001)

    ticker = threading.Thread(target=tick)
    ticker.start()
    start = time.perf_counter()
    call()
    elapsed = time.perf_counter() - start
    stop.set()
    ticker.join()
    inside = [t for t in ticks if start <= t <= start + elapsed]
    return elapsed, np.diff([start] + inside + [start + elapsed]).max()


def test_scoring_releases_the_gil(stroke_model):
    # A Python thread ticks while explain runs; with the GIL held through the
    # C++ loop, its longest pause would last the whole call. The input is a
    # DataFrame: its columns are read under the GIL in about 1 % of the call
    # (a list of dicts takes 15 % at rest, more on a loaded machine, now that
    # TreeSHAP is fast). The rows double until the call is long enough to
    # tell, however fast the machine; the least of three tries is kept, so a
    # moment when another process holds the ticker's core does not decide it.
    frame = pd.DataFrame(random_records(stroke_model, 4000, seed=21))
    elapsed, pause = longest_pause_while(lambda: stroke_model.explain(frame))
    while elapsed < 0.2 and len(frame) < 1 << 20:
        frame = pd.concat([frame, frame], ignore_index=True)
        elapsed, pause = longest_pause_while(lambda: stroke_model.explain(frame))
    assert elapsed >= 0.2, "the call was too short to tell"
    tries = [(pause, elapsed)] + [longest_pause_while(lambda: stroke_model.explain(frame))[::-1] for _ in range(2)]
    assert min(p / e for p, e in tries) < 0.5, tries


def stroke_bundle():
    with open(os.path.join(MODELS_DIR, "stroke.bundle.json")) as f:
        return json.load(f)


def test_corrupt_bundle_raises_bundle_error_with_the_json_path(tmp_path):
    bundle = stroke_bundle()
    bundle["ensemble"]["trees"][3]["left"][0] = 999
    path = tmp_path / "corrupt.bundle.json"
    path.write_text(json.dumps(bundle))
    with pytest.raises(stroke.BundleError) as caught:
        stroke.Model.load(str(path))
    assert isinstance(caught.value, ValueError)
    assert str(caught.value).startswith(str(path) + ": ensemble.trees[3].left[0]:"), str(caught.value)
    with pytest.raises(stroke.BundleError, match=r"^ensemble\.trees\[3\]\.left\[0\]"):
        stroke.Model.from_json(json.dumps(bundle))
    with pytest.raises(stroke.BundleError, match="JSON"):
        stroke.Model.from_json('{"format": ')


def test_unreadable_bundle_raises_os_error(tmp_path):
    with pytest.raises(FileNotFoundError) as caught:
        stroke.Model.load(tmp_path / "absent.bundle.json")  # os.PathLike accepted
    assert caught.value.filename == str(tmp_path / "absent.bundle.json")
    with pytest.raises(IsADirectoryError):
        stroke.Model.load(tmp_path)


def test_load_limits_refuse_or_admit_a_bundle_by_keyword():
    path = os.path.join(MODELS_DIR, "stroke.bundle.json")
    with pytest.raises(stroke.BundleError, match="max_tree_depth"):
        stroke.Model.load(path, max_tree_depth=1)
    deep_enough = stroke.Model.load(path, max_tree_depth=64, max_trees=100000)
    assert deep_enough.n_features == stroke.Model.load(path).n_features
    with pytest.raises(TypeError, match="max_depth"):
        stroke.Model.load(path, max_depth=3)
