#!/usr/bin/env python3
"""Scores every *.csv under a directory on a dask.distributed cluster through the
stroke module, writing <name>.scored.csv next to each input (docs/dask.md).

    PYTHONPATH=build/python python3 examples/dask_score.py --model stroke --local-workers 2 data/
    PYTHONPATH=build/python python3 examples/dask_score.py --model stroke.bundle.json \\
        --scheduler tcp://10.0.0.5:8786 --id-column id /shared/patients/

Contract:
  - CSV cells are read as stroke-predict reads them (Schema::ValueFromText): an
    empty cell or one of the field's null_tokens ("N/A") is null; numbers as
    C++ from_chars reads them (no blanks, no "+", no "inf"/"nan"); booleans
    true/false/1/0 (any case) or a number equal to 1 or 0; categories as
    written. Anything else reaches the model as text, which it refuses with a
    type error naming the field. Columns other than the model's fields and the
    id column are ignored; a header without one of them fails before any work.
  - Every input row has one output row, in input order: a bad row is never
    dropped, its `errors` cell says why (as stroke-predict's CSV: "field:
    message; ..."), its answer cells are empty.
  - The answers are the stroke module's (libstroke's) bit for bit, as one
    process gives them: each row is scored alone, wherever its partition runs,
    and a probability is written as the shortest text that reads back the same.
  - The model is sent once to each worker (a WorkerPlugin holding the bundle's
    text) and loaded there once, also on workers that join later; the cluster
    keeps it for the next run of the same bundle. Tasks carry only its name.
  - This file goes to the workers once (Dask's UploadFile plugin); they need
    the stroke module, and they read and write the files themselves:
    the directory must be the same path on every worker (one machine, or a
    shared filesystem).
  - Exit status: 0 every row answered; 1 some rows have errors; 2 no bundle or
    a bad one, no CSV file, a bad header or a CSV that cannot be parsed.
"""
import argparse
import contextlib
import glob
import hashlib
import json
import os
import re
import sys
import time

import dask
import dask.dataframe as dd
import numpy as np
import pandas as pd
from distributed import Client, LocalCluster, WorkerPlugin, get_worker
from distributed.diagnostics.plugin import UploadFile

HERE = os.path.dirname(os.path.abspath(__file__))
# What std::from_chars (general format) reads as a whole cell; the value is Python's
# float(), correctly rounded as from_chars is, so both give the same double.
NUMBER_TEXT = r"-?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?"
NUMBER_COLUMN = re.compile(f"(?:{NUMBER_TEXT})(?:;(?:{NUMBER_TEXT}))*")  # cells joined by ";"


def resolve_bundle(model):
    """`model` is a bundle file, or a bundled model's name looked up as
    <dir>/<name>.bundle.json in $STROKE_MODELS_DIR, then the source tree's models/
    (as stroke-predict --model does)."""
    if os.path.isfile(model):
        return model
    dirs = [os.environ.get("STROKE_MODELS_DIR", ""), os.path.normpath(os.path.join(HERE, "..", "models"))]
    for d in filter(None, dirs):
        path = os.path.join(d, model + ".bundle.json")
        if os.path.isfile(path):
            return os.path.normpath(path)
    raise FileNotFoundError(f"no bundle {model!r} (a file, or a name in {' or '.join(filter(None, dirs))})")


class BundleScorer:
    """A loaded model and its bundle's input fields (their CSV null_tokens are
    not in Model.schema); immutable, as the Model is."""

    def __init__(self, bundle_text):
        import stroke
        self.model = stroke.Model.from_json(bundle_text)  # a bad bundle raises stroke.BundleError
        self.fields = json.loads(bundle_text)["inputs"]


class ModelOnWorker(WorkerPlugin):
    """Holds the bundle's text; each worker that gets the plugin loads it once."""

    def __init__(self, bundle_text):
        self.bundle_text = bundle_text
        self.scorer = None

    def setup(self, worker):
        self.scorer = BundleScorer(self.bundle_text)


def register_once(client, name, plugin):
    """Registers a worker plugin unless the cluster has one of that name. Each worker,
    also one that joins later, runs its setup once."""
    if not client.run_on_scheduler(lambda dask_scheduler: name in dask_scheduler.worker_plugins):
        client.register_worker_plugin(plugin, name=name)


def plugin_name(bundle_text):
    """One plugin per bundle content: a cluster that has it keeps its loaded models."""
    return "stroke-model-" + hashlib.sha256(bundle_text.encode()).hexdigest()[:16]


def number_values(texts):
    """Cell texts (str) -> float where NUMBER_TEXT reads the whole cell, else the text."""
    if NUMBER_COLUMN.fullmatch(";".join(texts)):  # the common case, one regex pass
        try:
            return texts.astype(np.float64)  # Python's float() per cell
        except ValueError:  # a cell holding ";" split into numbers: read cell by cell
            pass
    numeric = texts.str.fullmatch(NUMBER_TEXT)
    values = texts.copy()
    values[numeric] = [float(t) for t in texts[numeric]]
    return values


def field_column(text, field):
    """A column of CSV cell texts (str, NaN for a missing trailing cell) -> the values
    the stroke module reads (module docs: None/NaN are null)."""
    text = text.astype(object)
    null = text.isna() | text.isin([""] + list(field.get("null_tokens", [])))
    if field["type"] == "category":
        return text.where(~null, None) if null.any() else text
    present = text[~null]
    if field["type"] == "boolean":
        lower = present.str.lower()
        values = present.copy()  # text left as is is refused by the model
        values[lower.isin(["true", "1"])] = True
        values[lower.isin(["false", "0"])] = False
        rest = ~lower.isin(["true", "1", "false", "0"])
        if rest.any():  # 1.0, 0e0, ... as JSON's numbers 1 and 0
            numbers = number_values(present[rest])
            zero_one = numbers.map(lambda v: isinstance(v, float) and v in (0.0, 1.0)).astype(bool)
            values[numbers.index[zero_one]] = numbers[zero_one] == 1.0
        elif not null.any():
            return values.astype(bool)  # a bool column: the module reads it whole
    else:
        values = number_values(present)
    if not null.any():
        return values
    out = pd.Series(np.nan if values.dtype == np.float64 else None, index=text.index, dtype=values.dtype)
    out[~null] = values
    return out


def join_errors(errors, n):
    """stroke.InvalidInput's entries -> one "field: message; ..." cell per row."""
    cells = [""] * n
    for e in errors:  # in row order
        text = f"{e['field']}: {e['message']}" if e["field"] else e["message"]
        cells[e["row"]] = f"{cells[e['row']]}; {text}" if cells[e["row"]] else text
    return cells


def score_frame(text, scorer, id_column=None):
    """A partition of CSV texts -> its answers, one row per input row, same order.
    Each record is checked and prepared once (Model.prepare); the good rows' features
    are then scored for probabilities and labels (Model.predict_features, which gives
    what predict_proba and predict give)."""
    model = scorer.model
    records = pd.DataFrame({f["name"]: field_column(text[f["name"]], f) for f in scorer.fields})
    features, errors = model.prepare(records, errors="return")
    good = np.ones(len(text), dtype=bool)
    good[[e["row"] for e in errors]] = False
    out = pd.DataFrame(index=text.index)
    if id_column:
        out[id_column] = text[id_column].astype(object)
    labels = np.full(len(text), None, dtype=object)
    labels[good] = model.predict_features(features[good], output="class")
    if model.task == "regression":
        out["value"] = labels.astype(np.float64)
    else:
        proba = np.full((len(text), len(model.classes_)), np.nan)
        proba[good] = model.predict_features(features[good], output="probability")
        if len(model.classes_) == 2:
            out["probability"] = proba[:, 1]
            out["prediction"] = pd.arrays.IntegerArray((labels == model.classes_[1]).astype(np.int64), mask=~good)
        else:
            for k, c in enumerate(model.classes_):
                out[f"probability_{c}"] = proba[:, k]
        out["label"] = labels
    out["errors"] = join_errors(errors, len(text))
    return out


def score_on_worker(text, name, id_column):
    """map_partitions' function: score with the model the worker loaded once."""
    return score_frame(text, get_worker().plugins[name].scorer, id_column)


def append_part(frame, path, before):
    """Writes one scored partition to `path` after the ones tallied in `before`
    (None: the first, with the header); returns (rows, bad rows) so far."""
    frame.to_csv(path, mode="w" if before is None else "a", header=before is None, index=False)
    rows, bad = before or (0, 0)
    return rows + len(frame), bad + int((frame["errors"] != "").sum())


def write_in_order(scored, path):
    """A task chain writing `scored`'s partitions to one file in order: the
    partitions are scored in parallel, only their writes wait for each other."""
    tally = None
    for part in scored.to_delayed():
        tally = dask.delayed(append_part)(part, path, tally)
    return tally


def check_header(path, model, id_column):
    """A file whose header misses a model field fails whole (as stroke-predict);
    returns its columns."""
    columns = pd.read_csv(path, nrows=0, dtype=str).columns.tolist()
    missing = [n for n in model.feature_names_in_ if n not in columns]
    if id_column and id_column not in columns:
        missing.append(id_column)
    if missing:
        raise ValueError(f"{path}: header lacks {', '.join(missing)}")
    return columns


def score_directory(client, bundle_path, input_dir, suffix=".scored.csv", id_column=None, blocksize="64MB"):
    """Scores every *.csv under input_dir (not the outputs of an earlier run) on
    `client`'s cluster; returns {"files", "rows", "bad_rows", "seconds"}."""
    with open(bundle_path, encoding="utf-8") as f:
        bundle_text = f.read()
    scorer = BundleScorer(bundle_text)  # a bad bundle fails here, once, not on every worker
    model = scorer.model
    # The tasks and the plugin name this file's functions (pickled by reference when it
    # is imported as a module): workers import it as dask_score, then load the model.
    with open(__file__, "rb") as f:
        register_once(client, "dask_score-" + hashlib.sha256(f.read()).hexdigest()[:16], UploadFile(__file__))
    name = plugin_name(bundle_text)
    register_once(client, name, ModelOnWorker(bundle_text))
    paths = sorted(p for p in glob.glob(os.path.join(input_dir, "**", "*.csv"), recursive=True)
                   if not p.endswith(suffix))
    if not paths:
        raise FileNotFoundError(f"no *.csv file under {input_dir}")
    meta = score_frame(pd.DataFrame({c: pd.Series(dtype=object)
                                     for c in list(model.feature_names_in_) + ([id_column] if id_column else [])}),
                       scorer, id_column)
    start = time.perf_counter()
    files = []
    for path in paths:
        check_header(path, model, id_column)
        text = dd.read_csv(path, dtype=str, keep_default_na=False, na_filter=False, blocksize=blocksize)
        scored = text.map_partitions(score_on_worker, name, id_column, meta=meta)
        files.append(write_in_order(scored, path[:-len(".csv")] + suffix))
    tallies = dask.compute(*files)
    seconds = time.perf_counter() - start
    seconds = time.perf_counter() - start
    return {"files": len(paths), "rows": sum(t[0] for t in tallies), "bad_rows": sum(t[1] for t in tallies),
            "seconds": seconds}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("input_dir", help="directory whose *.csv files (searched recursively) are scored")
    parser.add_argument("--model", required=True, help="bundle file, or a bundled model's name (stroke, ...)")
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--scheduler", help="address of a running scheduler, e.g. tcp://10.0.0.5:8786")
    where.add_argument("--local-workers", type=int, default=2,
                       help="without --scheduler: a LocalCluster of N worker processes, one thread each (default 2)")
    parser.add_argument("--output-suffix", default=".scored.csv",
                        help="results file: <name><suffix> (default .scored.csv)")
    parser.add_argument("--id-column", help="column carried to each answer (not given to the model)")
    parser.add_argument("--blocksize", default="64MB",
                        help="CSV bytes per partition (default 64MB); none: one partition per file")
    args = parser.parse_args()
    blocksize = None if args.blocksize.lower() == "none" else args.blocksize

    with contextlib.ExitStack() as stack:
        try:
            bundle = resolve_bundle(args.model)
            if args.scheduler:
                client = stack.enter_context(Client(args.scheduler))
            else:
                cluster = stack.enter_context(LocalCluster(n_workers=args.local_workers, threads_per_worker=1,
                                                           processes=True, host="127.0.0.1", dashboard_address=None))
                client = stack.enter_context(Client(cluster))
            summary = score_directory(client, bundle, args.input_dir, args.output_suffix, args.id_column, blocksize)
        except (OSError, ValueError) as e:  # no bundle, a bad one (stroke.BundleError), a bad header, unreadable CSV
            print(f"dask_score: {e}", file=sys.stderr)
            return 2
    print(f"dask_score: {summary['files']} files, {summary['rows']:,} rows ({summary['bad_rows']:,} with errors) "
          f"in {summary['seconds']:.2f} s: {summary['rows'] / max(summary['seconds'], 1e-9):,.0f} rows/s")
    return 1 if summary["bad_rows"] else 0


if __name__ == "__main__":
    sys.exit(main())
