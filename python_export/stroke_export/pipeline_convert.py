"""Turns a fitted scikit-learn Pipeline into libstroke inputs + feature program.

Supported: an optional ColumnTransformer whose parts are OneHotEncoder,
OrdinalEncoder, SimpleImputer, StandardScaler, MinMaxScaler, MaxAbsScaler,
RobustScaler, "passthrough" and "drop" (alone or chained in a Pipeline, an
imputer first), then optional scalers over all columns, then a supported
tree model (ensembles.py). The schema - field names, categories, imputation
values - is read from the fitted transformers. Anything else is refused with
a message naming the step: never a silently different model.
"""
import math
import numbers

import numpy as np
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import (MaxAbsScaler, MinMaxScaler, OneHotEncoder, OrdinalEncoder,
                                   RobustScaler, StandardScaler)

from .errors import UnsupportedModel

SUPPORTED_STEPS = ("ColumnTransformer of OneHotEncoder, OrdinalEncoder, SimpleImputer, "
                   "StandardScaler, MinMaxScaler, MaxAbsScaler, RobustScaler, passthrough, drop")
SCALERS = (StandardScaler, MinMaxScaler, MaxAbsScaler, RobustScaler)


def _scaled(expr, scaler, j, where):
    """`expr` through column j of a fitted scaler, in its own operation order."""
    if isinstance(scaler, StandardScaler):
        if scaler.with_mean:
            expr = ["sub", expr, float(scaler.mean_[j])]
        return ["div", expr, float(scaler.scale_[j])] if scaler.with_std else expr
    if isinstance(scaler, MinMaxScaler):
        if scaler.clip:
            raise UnsupportedModel(f"{where}: MinMaxScaler(clip=True) is not supported")
        return ["add", ["mul", expr, float(scaler.scale_[j])], float(scaler.min_[j])]
    if isinstance(scaler, MaxAbsScaler):
        return ["div", expr, float(scaler.scale_[j])]
    if scaler.with_centering:
        expr = ["sub", expr, float(scaler.center_[j])]
    return ["div", expr, float(scaler.scale_[j])] if scaler.with_scaling else expr


def _is_nan(c):
    return c is None or (isinstance(c, float) and math.isnan(c))


def _categories(values, where):
    """(kind, categories, missing) for an encoder's fitted categories of one
    column: kind "text", "number" or "boolean" (booleans as 0/1); the
    categories that are not missing, in order; and the missing value learned
    as a category (scikit-learn sorts it last) as "nan" or "None", or None.
    A client's null is that category (the field becomes nullable)."""
    cats = [c.item() if hasattr(c, "item") else c for c in values]
    learned = [c for c in cats if _is_nan(c)]
    missing = None if not learned else ("None" if learned[0] is None else "nan")
    if len(learned) > 1:
        raise UnsupportedModel(f"{where}: both None and NaN were learned as categories, and a client's "
                               "null cannot say which; make the column's missing values one kind")
    if learned and not _is_nan(cats[-1]):
        raise UnsupportedModel(f"{where}: a missing value (NaN/None) that is not the last category "
                               "is not supported")
    cats = cats[:-1] if learned else cats
    if not cats:
        raise UnsupportedModel(f"{where}: the only category learned is a missing value")
    if all(isinstance(c, str) for c in cats):
        return "text", cats, missing
    if missing == "None":
        raise UnsupportedModel(f"{where}: None learned as a category among numbers is not supported "
                               "(use NaN for a missing number)")
    if all(isinstance(c, (bool, np.bool_)) for c in cats):
        return "boolean", [float(c) for c in cats], missing
    if all(isinstance(c, numbers.Real) for c in cats):
        return "number", [float(c) for c in cats], missing
    raise UnsupportedModel(f"{where}: categories mix strings and numbers: {cats[:5]}")


def _numeric_category_field(schema, name, cats, where, kind, refuse_unknown):
    """A column of number codes (e.g. chest pain type 1-4): a number field
    (integer when every code is whole, boolean for False/True), read with eq.
    `refuse_unknown` (handle_unknown="error"): the field's known_codes refuse
    any other number, naming the field, the value and the codes; otherwise
    (handle_unknown="ignore") they accept it as given with an unknown_category
    warning ("unknown_category": "keep"): its one-hot columns are all 0, as
    scikit-learn's are."""
    field = schema.field(name)
    if field["type"] == "category":
        raise UnsupportedModel(f"{where}: column {name!r} is encoded both as text and as numbers")
    if kind == "boolean":  # a pandas bool column: clients send true/false
        field["type"] = "boolean"
    else:
        field["type"] = "integer" if all(c == int(c) for c in cats) else "number"
        field["codes"] = cats  # informational: the codes the encoder knows
        if field.get("known_codes", cats) != cats:
            raise UnsupportedModel(f"{where}: column {name!r} is encoded twice with different codes")
        field["known_codes"] = cats
        if refuse_unknown:  # one encoder that refuses an unknown code is enough to refuse it
            schema.refusing_unknown.add(name)
            field.pop("unknown_category", None)
        elif name not in schema.refusing_unknown:
            field["unknown_category"] = "keep"
    return field


def _known_number(x, cats, missing=None):
    """A feature term that is +0.0 when x is one of cats (or missing, where a
    missing value is a category) and +inf otherwise: added to an exact 0/1 it
    keeps it exact. The field's known_codes refuse an unknown code first; the
    term keeps a reader that predates known_codes refusing it too."""
    terms = [["eq", x, c] for c in cats] + ([["missing", x]] if missing else [])
    known = ["or", *terms] if len(terms) > 1 else terms[0]
    return ["div", ["not", known], known]


class _Schema:
    """Input fields by name, merged from every step that reads them."""

    def __init__(self):
        self.fields = {}
        self.refusing_unknown = set()  # number fields an encoder refuses unknown codes of

    def field(self, name):
        return self.fields.setdefault(name, {"name": name, "type": "number"})

    def categorical(self, name, categories, where):
        field = self.field(name)
        if field["type"] == "category" and field["categories"] != categories:
            raise UnsupportedModel(f"{where}: column {name!r} is encoded twice with different categories")
        field.update(type="category", categories=categories)

    def missing_category(self, name, missing, where):
        """A missing value learned as a category: null is accepted and passed
        on as NaN (no impute), for the features to test with "missing"."""
        field = self.field(name)
        if "impute" in field:
            raise UnsupportedModel(f"{where}: column {name!r} is imputed in one part and has a missing "
                                   "value learned as a category in another")
        field.update(nullable=True, null_category=missing)  # null_category: informational

    def imputed(self, name, imputer, j, where):
        if imputer.add_indicator:
            raise UnsupportedModel(f"{where}: SimpleImputer(add_indicator=True) is not supported")
        if not (isinstance(imputer.missing_values, float) and np.isnan(imputer.missing_values)):
            raise UnsupportedModel(f"{where}: SimpleImputer(missing_values={imputer.missing_values!r}): "
                                   "only NaN/None is supported")
        value = imputer.statistics_[j]
        field = self.field(name)
        field["nullable"] = True
        field["impute"] = value if isinstance(value, str) else float(value)


def _column_names(transformer, columns, names_in):
    if isinstance(columns, slice) or callable(columns):
        raise UnsupportedModel(f"ColumnTransformer part {transformer!r}: select columns by name or index")
    cols = [columns] if isinstance(columns, (str, numbers.Integral)) else list(columns)
    if cols and isinstance(cols[0], (bool, np.bool_)):
        cols = [i for i, keep in enumerate(cols) if keep]
    return [names_in[c] if isinstance(c, numbers.Integral) else c for c in cols]


def _part_features(schema, name, steps, columns, where):
    """Feature expressions for one ColumnTransformer part (a chain of steps)."""
    for c in columns:
        schema.field(c)
    encoded = None  # (name, expression) per output column, once a step has made them
    for k, step in enumerate(steps):
        here = f"{where} step {k} ({type(step).__name__})"
        if isinstance(step, SimpleImputer):
            if k != 0:
                raise UnsupportedModel(f"{here}: a SimpleImputer must come first in its chain")
            for j, c in enumerate(columns):
                schema.imputed(c, step, j, here)
        elif isinstance(step, OneHotEncoder):
            encoded = _one_hot(schema, step, columns, here)
        elif isinstance(step, OrdinalEncoder):
            encoded = _ordinal(schema, step, columns, here)
        elif isinstance(step, SCALERS):
            if encoded is not None:
                encoded = [(n, _scaled(e, step, j, here)) for j, (n, e) in enumerate(encoded)]
            else:
                encoded = [(c, _scaled(["input", c], step, j, here)) for j, c in enumerate(columns)]
        else:
            raise UnsupportedModel(f"{here}: not supported (supported: {SUPPORTED_STEPS})")
    if encoded is None:
        encoded = [(c, ["input", c]) for c in columns]
    return [{"name": f"{name}__{n}", "expr": e} for n, e in encoded]


def _one_hot(schema, encoder, columns, where):
    if encoder.handle_unknown not in ("error", "ignore"):
        raise UnsupportedModel(f"{where}: OneHotEncoder(handle_unknown={encoder.handle_unknown!r}): "
                               "only 'error' and 'ignore' are supported")
    if getattr(encoder, "max_categories", None) or getattr(encoder, "min_frequency", None):
        raise UnsupportedModel(f"{where}: infrequent-category grouping is not supported")
    out = []
    for j, c in enumerate(columns):
        kind, cats, missing = _categories(encoder.categories_[j], f"{where} column {c!r}")
        drop = None if encoder.drop_idx_ is None else encoder.drop_idx_[j]
        kept = [i for i in range(len(cats) + bool(missing)) if drop is None or i != drop]
        if missing:  # null is the last category: its column tests for a missing value
            schema.missing_category(c, missing, where)
        if kind == "text":
            schema.categorical(c, cats, where)
            if encoder.handle_unknown == "ignore":  # every column 0, with a warning
                schema.field(c)["unknown_category"] = -1
            out += [(f"{c}_{cats[i]}", ["onehot", c, cats[i]]) if i < len(cats)
                    else (f"{c}_{missing}", ["missing", ["ordinal", c]]) for i in kept]
            continue
        _numeric_category_field(schema, c, cats, where, kind, encoder.handle_unknown == "error")
        x = ["input", c]
        columns_here = [(f"{c}_{cats[i]:g}", ["eq", x, cats[i]]) if i < len(cats)
                        else (f"{c}_{missing}", ["missing", x]) for i in kept]
        if encoder.handle_unknown == "error" and columns_here:
            name, expr = columns_here[0]
            columns_here[0] = (name, ["add", expr, _known_number(x, cats, missing)])
        out += columns_here
    return out


def _ordinal_of_null(encoder, cats, missing):
    """What OrdinalEncoder gives a missing category: encoded_missing_value for
    NaN, the category's index for None (scikit-learn 1.2 treats only NaN as missing)."""
    if missing == "None":
        return float(len(cats))
    return float(getattr(encoder, "encoded_missing_value", math.nan))


def _ordinal(schema, encoder, columns, where):
    unknown = None
    if encoder.handle_unknown == "use_encoded_value":
        value = encoder.unknown_value
        unknown = "missing" if isinstance(value, float) and math.isnan(value) else float(value)
    out = []
    for j, c in enumerate(columns):
        kind, cats, missing = _categories(encoder.categories_[j], f"{where} column {c!r}")
        null = _ordinal_of_null(encoder, cats, missing) if missing else math.nan
        if missing:
            schema.missing_category(c, missing, where)
        if kind == "text":
            schema.categorical(c, cats, where)
            if unknown is not None:  # the encoder's unknown_value, with a warning
                schema.field(c)["unknown_category"] = unknown
            if missing and not math.isnan(null) and unknown == "missing":
                raise UnsupportedModel(f"{where} column {c!r}: OrdinalEncoder(unknown_value=nan) with a "
                                       f"missing category encoded as {null:g}: a null and an unknown category "
                                       "would both reach the features as NaN")
            code = ["ordinal", c]  # null: NaN, then the encoder's value for it
            out.append((c, code if math.isnan(null) else ["coalesce", code, null]))
            continue
        if unknown is not None:
            raise UnsupportedModel(f"{where} column {c!r}: OrdinalEncoder(handle_unknown="
                                   "'use_encoded_value') on numeric categories is not supported")
        _numeric_category_field(schema, c, cats, where, kind, True)
        x = ["input", c]  # the code's index: sum of k * (x == category k), exact small integers
        terms = [["mul", float(k), ["eq", x, cat]] for k, cat in enumerate(cats)]
        if missing and not math.isnan(null):
            terms.append(["mul", null, ["missing", x]])
        index = ["add", *terms, _known_number(x, cats, missing)] if len(terms) > 1 \
            else ["add", 0.0, _known_number(x, cats, missing)]
        if missing and math.isnan(null):  # NaN where x is missing (K/K is 0/0 there, else 1)
            present = ["not", ["missing", x]]
            index = ["mul", index, ["div", present, present]]
        out.append((c, index))
    return out


def _column_transformer(schema, ct, names_in):
    features = []
    for name, transformer, columns in ct.transformers_:
        where = f"ColumnTransformer part {name!r}"
        if transformer == "drop":
            continue
        cols = _column_names(transformer, columns, names_in)
        if not cols:
            continue
        if transformer == "passthrough":
            steps = []
        elif isinstance(transformer, Pipeline):
            steps = [s for _, s in transformer.steps if s != "passthrough"]
        else:
            steps = [transformer]
        features += _part_features(schema, name, steps, cols, where)
    return features


def convert(pipeline):
    """(inputs, features, final estimator) for a fitted Pipeline."""
    if not isinstance(pipeline, Pipeline):
        raise UnsupportedModel(f"expected a Pipeline, got {type(pipeline).__name__}")
    steps = [s for _, s in pipeline.steps if s not in (None, "passthrough")]
    *preprocessing, estimator = steps
    schema = _Schema()
    features = None
    names_in = list(getattr(pipeline, "feature_names_in_", []))
    leading = 0  # steps before any ColumnTransformer that apply to every column
    while leading < len(preprocessing) and isinstance(
            preprocessing[leading], (SimpleImputer, OneHotEncoder, OrdinalEncoder)):
        leading += 1
    if leading:
        first = preprocessing[0]
        names = names_in or [f"x{i}" for i in range(first.n_features_in_)]
        part = _part_features(schema, "", preprocessing[:leading], names, "Pipeline")
        features = [dict(f, name=f["name"][2:]) for f in part]  # no ColumnTransformer prefix
    for k, step in enumerate(preprocessing[leading:], start=leading):
        where = f"Pipeline step {k} ({type(step).__name__})"
        if isinstance(step, ColumnTransformer) and features is None:
            names = names_in or [f"x{i}" for i in range(step.n_features_in_)]
            features = _column_transformer(schema, step, names)
        elif isinstance(step, SCALERS):
            if features is None:
                names = names_in or [f"x{i}" for i in range(step.n_features_in_)]
                features = [{"name": n, "expr": ["input", schema.field(n)["name"]]} for n in names]
            features = [dict(f, expr=_scaled(f["expr"], step, j, where)) for j, f in enumerate(features)]
        else:
            raise UnsupportedModel(f"{where}: not supported (supported: {SUPPORTED_STEPS}, "
                                   "then scalers, then the model)")
    if features is None:
        raise UnsupportedModel("the Pipeline has no preprocessing: export the bare estimator with a spec")
    for field in schema.fields.values():
        # SimpleImputer(strategy="constant") before an encoder that never saw the
        # fill value: the encoder refuses a missing value, and so does the schema.
        if field["type"] == "category" and "impute" in field and field["impute"] not in field["categories"]:
            del field["impute"]
            field["nullable"] = False
    return list(schema.fields.values()), features, estimator
