"""examples/dask_score.py on a real dask.distributed cluster: a LocalCluster of 2
worker processes (one thread each) on loopback only, scoring 3 CSV files of the
stroke model (3,000 rows: the bundle's golden rows, random valid rows, 1 row in
40 bad) cut into partitions of ~20 kB, so each file is scored in pieces on both
workers. Checks, for every output file:

- one row per input row, in input order, the id carried as written;
- each probability is what one process's stroke.Model.predict_proba gives for
  the same record (given as Python values, not read from CSV), bit for bit
  (float.hex of the written text), and the label and 0/1 prediction are
  Model.predict's;
- a bad row keeps its place with empty answers and the module's errors
  ("field: message; ..."), a good row an empty errors cell;
- with $STROKE_PREDICT: stroke-predict on the same file (libstroke's own CSV
  reader) gives the same probabilities and errors, so the example reads cells
  as libstroke does;
- the model was loaded once per worker (the plugin's object is the same before
  and after scoring), and the command line gives the same files and exit 1;
- the workers cannot import the example from the source tree (examples/ is
  not on their sys.path): its code reaches them through Dask's UploadFile
  plugin, as on a remote cluster.

SKIPPED (exit 77) without dask/distributed or the stroke module
($STROKE_MODULE_PATH, else build/python). Bounded: 120 s, then a traceback.
Usage: dask_score_test.py [--work-dir DIR]
"""
import argparse
import csv
import faulthandler
import importlib.util
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time

SOURCE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUNDLE = os.path.join(SOURCE, "models", "stroke.bundle.json")
ROWS_PER_FILE = (1200, 1000, 800)


def skip(reason):
    print(f"SKIPPED python.dask_score: {reason}", file=sys.stderr)
    sys.exit(77)


def import_modules():
    """stroke from $STROKE_MODULE_PATH (also for the workers, through PYTHONPATH), dask, the example."""
    module_path = os.path.abspath(os.environ.get("STROKE_MODULE_PATH", os.path.join(SOURCE, "build", "python")))
    sys.path.insert(0, module_path)
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [module_path, os.environ.get("PYTHONPATH")]))
    try:
        import dask  # noqa: F401
        import distributed  # noqa: F401
    except ImportError as e:
        skip(f"{e.name} is not installed (apt-get install python3-dask python3-distributed)")
    try:
        import stroke  # noqa: F401
    except ImportError as e:
        skip(f"the stroke module does not import from {module_path} ({e}); build the target _stroke")
    sys.path.insert(0, os.path.join(SOURCE, "python", "tests"))


def import_example():
    """examples/dask_score.py as the module dask_score, loaded from its file with
    examples/ kept off sys.path, so the workers (which get this sys.path) can only
    run its functions once score_directory has sent them the file."""
    spec = importlib.util.spec_from_file_location("dask_score", os.path.join(SOURCE, "examples", "dask_score.py"))
    module = importlib.util.module_from_spec(spec)
    sys.modules["dask_score"] = module
    spec.loader.exec_module(module)
    return module


# A bad cell: (column, CSV text, the Python value the reader must give the model).
BAD_CELLS = [("age", "abc", "abc"), ("age", "-5", -5.0), ("age", " 67", " 67"), ("gender", "Martian", "Martian"),
             ("hypertension", "maybe", "maybe"), ("avg_glucose_level", "", None), ("smoking_status", "N/A", "N/A")]
TRUE_TEXTS, FALSE_TEXTS = ("true", "True", "1", "1.0"), ("false", "FALSE", "0", "0.0")


def csv_text(value, rng):
    """The CSV cell of a valid value, in the forms stroke-predict reads."""
    if value is None:
        return rng.choice(["", "N/A"])
    if isinstance(value, bool):
        return rng.choice(TRUE_TEXTS if value else FALSE_TEXTS)
    if isinstance(value, float):
        return repr(value)
    return str(value)


def write_inputs(directory, model):
    """Three CSV files; returns {path: [(id, record as Python values)]}."""
    from conftest import random_records
    rng = random.Random(16)
    with open(BUNDLE, encoding="utf-8") as f:
        golden = [g["inputs"] for g in json.load(f)["golden"]]
    records = golden + random_records(model, sum(ROWS_PER_FILE) - len(golden), seed=16)
    fields = list(model.feature_names_in_)
    files, start = {}, 0
    for k, n in enumerate(ROWS_PER_FILE):
        path = os.path.join(directory, f"part{k}.csv")
        rows = []
        with open(path, "w", newline="", encoding="utf-8") as f:
            out = csv.writer(f, lineterminator="\n")
            out.writerow(["id", *fields])
            for i, record in enumerate(records[start:start + n]):
                record, cells = dict(record), {name: csv_text(record[name], rng) for name in fields}
                if rng.random() < 1 / 40:
                    for column, text, value in rng.sample(BAD_CELLS, rng.randint(1, 2)):
                        cells[column], record[column] = text, value
                row_id = f"f{k}-{i:05d}"
                out.writerow([row_id, *(cells[name] for name in fields)])
                rows.append((row_id, record))
        files[path] = rows
        start += n
    return files


def expected_answers(model, rows):
    """One process's answers: [(id, probability, prediction, label, errors cell)]."""
    records = [r for _, r in rows]
    proba, errors = model.predict_proba(records, errors="return")
    labels, _ = model.predict(records, errors="return")
    cells = [[] for _ in rows]
    for e in errors:
        cells[e["row"]].append(f"{e['field']}: {e['message']}")
    out = []
    for i, (row_id, _) in enumerate(rows):
        if cells[i]:
            out.append((row_id, None, None, None, "; ".join(cells[i])))
        else:
            p = float(proba[i, 1])
            out.append((row_id, p, 1 if labels[i] == model.classes_[1] else 0, str(labels[i]), ""))
    return out


def read_answers(path):
    """An output file -> [(id, probability, prediction, label, errors)] as written."""
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    return [(r["id"], float(r["probability"]) if r["probability"] else None,
             int(r["prediction"]) if r["prediction"] else None, r["label"] or None, r["errors"]) for r in rows]


def same(got, want, where):
    """Exact equality, probabilities by their bits; raises naming the first difference."""
    if len(got) != len(want):
        raise AssertionError(f"{where}: {len(got)} rows, expected {len(want)}")
    for i, (g, w) in enumerate(zip(got, want)):
        bits = lambda a: a[:1] + (a[1].hex() if a[1] is not None else None,) + a[2:]  # noqa: E731
        if bits(g) != bits(w):
            raise AssertionError(f"{where}: row {i + 1}: got {g}, expected {w}")


def check_stroke_predict(path, want):
    """stroke-predict's CSV answers for the file equal the expected ones (probability and errors)."""
    binary = os.environ.get("STROKE_PREDICT")
    if not binary:
        return False
    out = subprocess.run([binary, "--model", BUNDLE, "--output", "csv", "--id-column", "id", path],
                         capture_output=True, text=True, timeout=60)
    rows = list(csv.DictReader(out.stdout.splitlines()))
    got = [(r["id"], float(r["probability"]) if r["probability"] else None, r["errors"]) for r in rows]
    same(got, [(w[0], w[1], w[4]) for w in want], f"stroke-predict {os.path.basename(path)}")
    return True


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--work-dir", help="where the CSV files go (default: a temporary directory)")
    args = parser.parse_args()
    faulthandler.dump_traceback_later(120, exit=True)
    import_modules()
    dask_score = import_example()
    import stroke
    from distributed import Client, LocalCluster

    began = time.perf_counter()
    model = stroke.Model.load(BUNDLE)
    work = args.work_dir or tempfile.mkdtemp(prefix="dask_score_test.")
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    files = write_inputs(work, model)
    want = {path: expected_answers(model, rows) for path, rows in files.items()}
    bad = sum(1 for rows in want.values() for r in rows if r[4])

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=None) as cluster, Client(cluster, timeout=30) as client:
        with open(BUNDLE, encoding="utf-8") as f:
            name = dask_score.plugin_name(f.read())
        summary = dask_score.score_directory(client, BUNDLE, work, id_column="id", blocksize=20_000)
        loaded = client.run(lambda dask_worker: id(dask_worker.plugins[name].scorer))
        dask_score.score_directory(client, BUNDLE, work, id_column="id", blocksize=20_000)
        if client.run(lambda dask_worker: id(dask_worker.plugins[name].scorer)) != loaded or len(loaded) != 2:
            raise AssertionError(f"the model was not loaded once on each of the 2 workers: {loaded}")
    if (summary["files"], summary["rows"], summary["bad_rows"]) != (3, sum(ROWS_PER_FILE), bad):
        raise AssertionError(f"summary {summary}, expected 3 files, {sum(ROWS_PER_FILE)} rows, {bad} bad")
    checked_predict = False
    for path, expected in want.items():
        same(read_answers(path[:-4] + ".scored.csv"), expected, os.path.basename(path))
        checked_predict = check_stroke_predict(path, expected)
    print(f"dask_score: {summary['rows']} rows in 3 files ({bad} bad) on 2 workers equal one process's "
          "stroke.Model bit for bit" + ("" if checked_predict else " (STROKE_PREDICT not set: stroke-predict not compared)"))

    # The command line, on its own 1-worker LocalCluster: the same files again, exit 1 (some rows bad).
    for path in want:
        os.rename(path[:-4] + ".scored.csv", path[:-4] + ".first")
    cli = subprocess.run([sys.executable, os.path.join(SOURCE, "examples", "dask_score.py"), "--model", "stroke",
                          "--local-workers", "1", "--id-column", "id", work],
                         capture_output=True, text=True, timeout=90)
    if cli.returncode != 1 or f"3 files, {sum(ROWS_PER_FILE):,} rows ({bad} with errors)" not in cli.stdout:
        raise AssertionError(f"dask_score.py exited {cli.returncode}: {cli.stdout}{cli.stderr}")
    for path in want:
        with open(path[:-4] + ".scored.csv", "rb") as a, open(path[:-4] + ".first", "rb") as b:
            if a.read() != b.read():
                raise AssertionError(f"{path}: the command line wrote another file than score_directory")
    print(f"dask_score.py: {cli.stdout.strip()}; passed in {time.perf_counter() - began:.1f} s")
    if not args.work_dir:
        shutil.rmtree(work)


if __name__ == "__main__":
    main()
