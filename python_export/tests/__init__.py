"""The tests of stroke_export (pytest python_export/tests; python_export/pytest.ini
makes python_export/ the import root, so `stroke_export` and this package import
as they are). Helpers shared by the tests: serving.py, nan_category_cases.py.
Two checks run as modules from python_export/: tests.live_parity (ctest
python.live_parity) and tests.softmax_exactness_check (run by
test_softmax_exactness.py in a fresh interpreter)."""
