"""stroke_export: trains scikit-learn/XGBoost models and exports them as
libstroke bundles (docs/bundle-format.md), verified against libstroke's own
C++ evaluator before anything is written.

Command lines (python_export/train.py, export.py and datagen.py run these
modules' main; see docs/models.md):

    train      a shipped model from its spec (../specs) and a CSV -> bundle
    export     a fitted model you already have -> bundle
    datagen    the synthetic datasets in the public datasets' formats

The modules, each importing only those below it (no import cycle):

    train, export       the command lines
    verify              libstroke against the training library, row by row
    libstroke_scorer    libstroke's answers, through the `stroke` module
    bundle_writer       the bundle's sections and golden rows
    pipeline_convert    a fitted Pipeline's preprocessing as a feature program
    ensembles           the "ensemble" section of each scikit-learn family
    xgboost_export      the "ensemble" section of an XGBoost model
    featureprog         the feature program's evaluator (the C++ one's twin)
    datagen             synthetic datasets
    errors              UnsupportedModel, the exporter's refusal
    locations           where the checkout's specs, models and build are
"""
