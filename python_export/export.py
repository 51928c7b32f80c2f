"""Exports a fitted model you already have to a libstroke bundle:

    python3 python_export/export.py MODEL --out BUNDLE [--spec SPEC] [--data CSV] ...

An entry script, not part of the package: it runs stroke_export.export's main
(the code and its --help). Run as a script, its own directory (python_export/,
where the package lives) is the first entry of sys.path, so the package
imports as it is. From python_export/, `python3 -m stroke_export.export` is the same.
"""
from stroke_export.export import main

if __name__ == "__main__":
    main()
