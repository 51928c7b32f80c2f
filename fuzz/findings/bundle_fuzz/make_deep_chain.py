"""Writes deep_chain.bundle.json: tests/data/tiny.bundle.json with one tree
that is a chain of DEPTH inner nodes (each with a leaf on its right). Such a
bundle loads, then (findings of bundle_fuzz's replay, see docs/testing.md):
  - DEPTH 100000: the recursive walks overflow the stack: ShapTree
    (libstroke/src/ensemble_shap.cc) when explaining; under AddressSanitizer
    already Depth (libstroke/src/complete_trees.cc:36) while loading;
  - DEPTH >= 46338: signed int overflow (UBSan) in the SHAP scratch size,
    (max_depth + 3) * (max_depth + 4) / 2 at libstroke/src/ensemble_shap.cc:96;
  - DEPTH 30000: that scratch is quadratic in the depth: ExplainScratch asks
    for 14.4 GB (libFuzzer: out-of-memory, malloc(14403360192)).
Too big to keep (6 MB at DEPTH 100000), hence this script:

    python3 fuzz/findings/bundle_fuzz/make_deep_chain.py /tmp/deep_chain.bundle.json [DEPTH]
    STROKE_FUZZ_STRICT=1 build/fuzz/bundle_fuzz_replay /tmp/deep_chain.bundle.json
"""
import json
import os
import sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..")
out = sys.argv[1] if len(sys.argv) > 1 else "deep_chain.bundle.json"
depth = int(sys.argv[2]) if len(sys.argv) > 2 else 100000
with open(os.path.join(ROOT, "tests", "data", "tiny.bundle.json"), encoding="utf-8") as f:
    bundle = json.load(f)
# Inner node i at 2i: left the next inner node (2i + 2), right a leaf (2i + 1); the last leaf at 2 * depth.
tree = {"feature": [0, -2] * depth + [-2], "threshold": [50.0, -2] * depth + [-2],
        "left": [x for i in range(depth) for x in (2 * i + 2, -1)] + [-1],
        "right": [x for i in range(depth) for x in (2 * i + 1, -1)] + [-1]}
nodes = 2 * depth + 1
tree.update(value=[0.1] * nodes, cover=[1.0] * nodes, missing_left=[0] * nodes)
bundle["ensemble"]["trees"] = [tree]
with open(out, "w", encoding="utf-8") as f:
    json.dump(bundle, f, separators=(",", ":"))
