"""Multiclass probabilities are bit-identical to scikit-learn's: libstroke
computes HistGradientBoosting's exp(raw - max) / sum and GradientBoosting's
exp(raw - logsumexp(raw)) in numpy's order (pairwise sums from 8 classes on).
The remaining source of difference is numpy's own AVX-512 exp/log, so the
check runs where numpy uses the C library's (NPY_DISABLE_CPU_FEATURES), and
there verification's tolerance is 0 and no bit differs."""
import json
import os
import subprocess
import sys

import pytest

from stroke_export.libstroke_scorer import import_stroke

# Run as a module from python_export/, the import root of stroke_export and of these tests.
IMPORT_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CHECK = "tests.softmax_exactness_check"
# numpy's float64 exp/log are dispatched to AVX512F / AVX512_SKX code; naming a
# feature the machine lacks only prints a warning.
NUMPY_C_LIBRARY_EXP = {"NPY_DISABLE_CPU_FEATURES": "AVX512F AVX512_SKX"}
pytestmark = pytest.mark.skipif(import_stroke() is None, reason="the stroke module is not built")


@pytest.mark.parametrize("family,link", [("gb", "softmax_logsumexp"), ("hgb", "softmax")])
@pytest.mark.parametrize("n_classes", [3, 11])
def test_multiclass_probabilities_are_bit_identical(family, link, n_classes, tmp_path):
    env = dict(os.environ, **NUMPY_C_LIBRARY_EXP)
    run = subprocess.run([sys.executable, "-m", CHECK, family, str(n_classes), str(tmp_path)],
                         capture_output=True, text=True, env=env, cwd=IMPORT_ROOT, check=False)
    assert run.returncode == 0, run.stderr[-3000:]
    result = json.loads(run.stdout.strip().splitlines()[-1])
    assert result["numpy_exp_is_libm"], "NPY_DISABLE_CPU_FEATURES did not give numpy the C library's exp"
    assert result["link"] == link and result["classes"] == n_classes
    assert result["tolerance"] == 0.0
    assert result["differ"] == 0, result
