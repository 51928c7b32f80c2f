"""The feature program and input checks, evaluated in Python.

This is the training-side twin of libstroke's Schema::Check and
FeatureProgram::Evaluate (libstroke/src/schema.cc, features.cc): the same
spec, the same rules, the same float64 operations in the same order, so the
features a model is trained on are bit-identical to the ones it is served.
The operators are documented in docs/bundle-format.md.
"""
import math

import numpy as np

FIELD_TYPES = ("number", "integer", "boolean", "category")


class SpecError(ValueError):
    """A spec or bundle section that cannot be evaluated."""


class RecordError(ValueError):
    """A record that fails its checks; `errors` lists (field, message)."""

    def __init__(self, errors):
        self.errors = errors
        super().__init__("; ".join(f"{f}: {m}" if f else m for f, m in errors))


# ---------------------------------------------------------------- inputs


def value_from_text(field, text):
    """A CSV cell as the value the field expects (Schema::ValueFromText)."""
    if text == "" or text in field.get("null_tokens", []):
        return None
    kind = field["type"]
    if kind == "category":
        return text
    if kind == "boolean":
        low = text.lower()
        if low in ("true", "1"):
            return True
        if low in ("false", "0"):
            return False
        try:  # 1.0 / 0.0, as JSON accepts the numbers 1 and 0
            number = float(text)
        except ValueError:
            return text
        return {1.0: True, 0.0: False}.get(number, text) if text.strip() == text else text
    try:
        number = float(text)
    except ValueError:
        return text
    if not math.isfinite(number) or text.strip() != text:
        return text
    return number


def _in_limits(field, key, x):
    bounds = field.get(key, {})
    return bounds.get("min", -math.inf) <= x <= bounds.get("max", math.inf)


def check_value(field, value, refuse_unknown_categories=False):
    """Returns (code, warning or None) for one present value; raises on error."""
    name, kind = field["name"], field["type"]
    if value is None:
        if not field.get("nullable", False):
            raise RecordError([(name, "is required, got null")])
        if "impute" not in field:
            return math.nan, None  # missing: the trees route it (models that handle NaN)
        impute = field["impute"]
        return (float(field["categories"].index(impute)) if kind == "category"
                else float(impute)), None
    if kind == "category":
        if isinstance(value, str) and value in field["categories"]:
            return float(field["categories"].index(value)), None
        if isinstance(value, str) and "unknown_category" in field and not refuse_unknown_categories:
            code = field["unknown_category"]
            return (math.nan if code == "missing" else float(code)), (
                name, f"{value!r} is not a category seen in training; answered as the model "
                      "answers an unknown category")
        raise RecordError([(name, f"expected one of {field['categories']}, got {value!r}")])
    if kind == "boolean":
        if isinstance(value, bool):
            return (1.0 if value else 0.0), None
        if isinstance(value, (int, float)) and value in (0, 1):
            return float(value), None
        raise RecordError([(name, f"expected a boolean (true/false or 0/1), got {value!r}")])
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise RecordError([(name, f"expected a {kind}, got {value!r}")])
    x = float(value)
    if not math.isfinite(x):
        raise RecordError([(name, "expected a finite number")])
    if kind == "integer" and x != math.floor(x):
        raise RecordError([(name, f"expected an integer, got {value!r}")])
    if field.get("known_codes") and x not in field["known_codes"]:
        codes = ", ".join(f"{c:.10g}" for c in field["known_codes"])
        if field.get("unknown_category") != "keep" or refuse_unknown_categories:
            raise RecordError([(name, f"expected one of {codes}, got {value!r}")])
        return x, (name, f"{value!r} is not a code seen in training ({codes}); answered as the model "
                         "answers an unknown code")
    if not _in_limits(field, "limits", x):
        raise RecordError([(name, f"outside the limits {field['limits']}, got {value!r}")])
    warning = None if _in_limits(field, "training_range", x) else (
        name, f"{value!r} is outside the training range")
    return x, warning


def check_record(inputs, record, allow_unknown=False):
    """Checks a record (dict) against the input fields; returns (codes, warnings).

    Raises RecordError listing every problem of the record, as Schema::Check does.
    """
    codes, warnings, errors = [], [], []
    for field in inputs:
        if field["name"] not in record:
            errors.append((field["name"], "field required"))
            codes.append(0.0)
            continue
        try:
            code, warning = check_value(field, record[field["name"]])
            codes.append(code)
            if warning:
                warnings.append(warning)
        except RecordError as e:
            errors.extend(e.errors)
            codes.append(0.0)
    if not allow_unknown:
        known = {f["name"] for f in inputs}
        errors.extend((k, "is not an input of this model") for k in record if k not in known)
    if errors:
        raise RecordError(errors)
    return codes, warnings


# ---------------------------------------------------------------- features

_NARY = {
    "add": lambda a, b: a + b,
    "mul": lambda a, b: a * b,
    "min": lambda a, b: math.nan if math.isnan(a) or math.isnan(b) else (b if b < a else a),
    "max": lambda a, b: math.nan if math.isnan(a) or math.isnan(b) else (b if b > a else a),
    "and": lambda a, b: 1.0 if (a != 0 and b != 0) else 0.0,
    "or": lambda a, b: 1.0 if (a != 0 or b != 0) else 0.0,
    "coalesce": lambda a, b: b if math.isnan(a) else a,  # the first argument that is not NaN
}
_BINARY = {
    "sub": lambda a, b: a - b,
    "div": lambda a, b: _divide(a, b),
    "eq": lambda a, b: 1.0 if a == b else 0.0,
    "ne": lambda a, b: 1.0 if a != b else 0.0,
    "lt": lambda a, b: 1.0 if a < b else 0.0,
    "le": lambda a, b: 1.0 if a <= b else 0.0,
    "gt": lambda a, b: 1.0 if a > b else 0.0,
    "ge": lambda a, b: 1.0 if a >= b else 0.0,
}


def _divide(a, b):
    """IEEE division (Python raises on x / 0.0; C++ gives inf or nan)."""
    if b != 0:
        return a / b
    with np.errstate(divide="ignore", invalid="ignore"):
        return float(np.float64(a) / np.float64(b))


class FeatureProgram:
    """Compiled view of a spec's "inputs" and "features" sections.

    `allow_missing`: NaN features pass (models that route missing values);
    `float32`: values must fit a finite float32 (models that compare float32).
    """

    def __init__(self, inputs, features, allow_missing=False, float32=True):
        self.inputs = inputs
        self.features = features
        self.allow_missing = allow_missing
        self.float32 = float32
        self.index = {f["name"]: i for i, f in enumerate(inputs)}
        self.names = [f["name"] for f in features]
        for i, feature in enumerate(features):
            self._validate(feature["expr"], set(self.names[:i]), f"features[{i}].expr")

    def _validate(self, expr, earlier, path):
        if isinstance(expr, (int, float)) and not isinstance(expr, bool):
            return
        if not isinstance(expr, list) or not expr or not isinstance(expr[0], str):
            raise SpecError(f"{path}: expected a number or [op, args...]")
        op, args = expr[0], expr[1:]
        if op in ("input", "ordinal", "onehot"):
            field = self.inputs[self.index[args[0]]] if args and args[0] in self.index else None
            if field is None:
                raise SpecError(f"{path}[1]: unknown input field {args[:1]}")
            is_cat = field["type"] == "category"
            if (op == "input") == is_cat:
                raise SpecError(f"{path}: {op} cannot read {field['type']} field {args[0]!r}")
            if op == "onehot" and (len(args) != 2 or args[1] not in field["categories"]):
                raise SpecError(f"{path}[2]: not a category of {args[0]!r}")
        elif op == "feature":
            if not args or args[0] not in earlier:
                raise SpecError(f"{path}: {args[:1]} is not a feature defined before this one")
        elif op == "bucket":
            edges = args[1] if len(args) == 2 else None
            if not edges or any(b <= a for a, b in zip(edges, edges[1:])):
                raise SpecError(f"{path}: bucket takes [bucket, x, [ascending edges]]")
            self._validate(args[0], earlier, f"{path}[1]")
        else:
            arity = {"not": 1, "neg": 1, "missing": 1, "clip": 3}.get(op, 2)
            if op not in _NARY and op not in _BINARY and op not in ("not", "neg", "missing", "clip"):
                raise SpecError(f"{path}[0]: unknown op {op!r}")
            if len(args) != arity and not (op in _NARY and len(args) >= 2):
                raise SpecError(f"{path}: {op!r} takes {arity} arguments, got {len(args)}")
            for k, arg in enumerate(args, 1):
                self._validate(arg, earlier, f"{path}[{k}]")

    def _eval(self, expr, codes, done):
        if not isinstance(expr, list):
            return float(expr)
        op, args = expr[0], expr[1:]
        if op in ("input", "ordinal"):
            return codes[self.index[args[0]]]
        if op == "onehot":
            field = self.inputs[self.index[args[0]]]
            return 1.0 if codes[self.index[args[0]]] == field["categories"].index(args[1]) else 0.0
        if op == "feature":
            return done[args[0]]
        if op == "bucket":
            x = self._eval(args[0], codes, done)
            return math.nan if math.isnan(x) else float(sum(1 for e in args[1] if x > e))
        values = [self._eval(a, codes, done) for a in args]
        if op == "not":
            return 1.0 if values[0] == 0 else 0.0
        if op == "neg":
            return -values[0]
        if op == "missing":
            return 1.0 if math.isnan(values[0]) else 0.0
        if op == "clip":
            return _NARY["min"](_NARY["max"](values[0], values[1]), values[2])
        fold = _NARY.get(op) or _BINARY[op]
        acc = values[0]
        for v in values[1:]:
            acc = fold(acc, v)
        return acc

    def evaluate(self, codes):
        """float64 features from checked input codes, as FeatureProgram::Evaluate."""
        done, out = {}, []
        for name, feature in zip(self.names, self.features):
            value = self._eval(feature["expr"], codes, done)
            if math.isnan(value):
                if not self.allow_missing:
                    raise RecordError([("", f"feature {name!r} is missing (NaN) and this model "
                                            "cannot take missing values")])
            else:
                with np.errstate(over="ignore", invalid="ignore"):
                    fits = math.isfinite(value) and (not self.float32 or np.isfinite(np.float32(value)))
                if not fits:
                    raise RecordError([("", f"feature {name!r} evaluates to a value that is not "
                                            f"a finite {'float32' if self.float32 else 'number'}")])
            done[name] = value
            out.append(value)
        return out

    def features_of(self, record, allow_unknown=False):
        """Checks a record (dict) and returns its float64 feature list."""
        codes, _ = check_record(self.inputs, record, allow_unknown)
        return self.evaluate(codes)
