"""Writes a synthetic dataset (the public dataset's format) as CSV to stdout:

    python3 python_export/datagen.py NAME [--seed N]

(the command the synthetic bundles' descriptions name). An entry script, not
part of the package: it runs stroke_export.datagen's main. From python_export/,
`python3 -m stroke_export.datagen` is the same.
"""
from stroke_export.datagen import main

if __name__ == "__main__":
    main()
