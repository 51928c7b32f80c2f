"""stroke: predictions from a libstroke model bundle, bit-identical to the training library.

    import stroke
    model = stroke.Model.load("models/stroke.bundle.json")
    proba = model.predict_proba(df)        # (n_samples, n_classes) float64
    labels = model.predict(df)             # class labels, or values for regression
    why = model.explain(df)                # TreeSHAP: why.contributions, why.expected_value

The compiled extension stroke._stroke holds everything (it is libstroke's C++
evaluator, the one stroke-predict and stroke-serve run); see help(stroke.Model)
and docs/python-module.md.
"""

from ._stroke import BundleError, Explanation, InvalidInput, Model, __version__

__all__ = ["Model", "Explanation", "InvalidInput", "BundleError", "__version__"]

for _cls in (Model, Explanation):
    _cls.__module__ = __name__  # shown as stroke.Model, where users find it
del _cls
