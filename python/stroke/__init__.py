"""stroke: predictions from a libstroke model bundle, bit-identical to the training library.

    import stroke
    model = stroke.Model.load("models/stroke.bundle.json")
    proba = model.predict_proba(df)        # (n_samples, n_classes) float64
    labels = model.predict(df)             # class labels, or values for regression
    why = model.explain(df)                # TreeSHAP: why.contributions, why.expected_value

    client = stroke.Client("http://127.0.0.1:8000", auth=("alice", "wonderland"))
    proba = client.predict_proba(df)       # the same answers, from a stroke-serve server

The compiled extension stroke._stroke holds the model (it is libstroke's C++
evaluator, the one stroke-predict and stroke-serve run); stroke.client is pure
Python. See help(stroke.Model), help(stroke.Client) and docs/python-module.md.
"""

from ._stroke import BundleError, Explanation, InvalidInput, Model, __version__
from .client import Client, ServerError, ServerInvalidInput

__all__ = ["Model", "Explanation", "InvalidInput", "BundleError", "Client", "ServerError", "ServerInvalidInput",
           "__version__"]

for _cls in (Model, Explanation, Client, ServerError, ServerInvalidInput):
    _cls.__module__ = __name__  # shown as stroke.Model, where users find it
del _cls
