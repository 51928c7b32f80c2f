"""Where the package finds the checkout's own files. The package lives in
python_export/stroke_export/ of a libstroke checkout:

- SPECS: python_export/specs/, the shipped models' specs (train.py NAME);
- MODELS: models/, train.py's default output directory;
- BUILD_PYTHON: build/python/, where CMake builds the `stroke` module
  (libstroke_scorer.py's last place to look for it).
"""
import os

PACKAGE = os.path.dirname(os.path.abspath(__file__))
EXPORT_DIR = os.path.dirname(PACKAGE)     # python_export/
CHECKOUT = os.path.dirname(EXPORT_DIR)    # the repository's root
SPECS = os.path.join(EXPORT_DIR, "specs")
MODELS = os.path.join(CHECKOUT, "models")
BUILD_PYTHON = os.path.join(CHECKOUT, "build", "python")
