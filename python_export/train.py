"""Trains a shipped model from its spec and a CSV, and exports a libstroke bundle:

    python3 python_export/train.py NAME [--data CSV] [--out DIR] [--grid] [--seed N]

An entry script, not part of the package: it runs stroke_export.train's main
(the code and its --help). Run as a script, its own directory (python_export/,
where the package lives) is the first entry of sys.path, so the package
imports as it is. From python_export/, `python3 -m stroke_export.train` is the same.
"""
from stroke_export.train import main

if __name__ == "__main__":
    main()
