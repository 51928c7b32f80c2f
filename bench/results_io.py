"""What the benchmark scripts share: writing their results."""
import json


def write_results(results, path):
    """Writes results as JSON to path, or prints them when path is None."""
    text = json.dumps(results, indent=1)
    if path:
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
    else:
        print(text)
