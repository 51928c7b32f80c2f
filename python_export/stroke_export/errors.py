"""The exporter's refusal: a model, or a setting of it, that libstroke cannot
reproduce exactly. Every module that refuses raises it; export.py and
train.py turn it into a message, never a traceback.

It lives alone here so that every module can import it without importing
each other (ensembles.py and xgboost_export.py both raise it).
"""


class UnsupportedModel(ValueError):
    """A model (or a setting of it) libstroke cannot reproduce exactly."""
