"""DataFrames with fixed columns and dtypes, whatever the rows (even none), so
code written against one result keeps working on the next."""
import json

import pandas as pd


def frame(rows: list, schema: list) -> pd.DataFrame:
    """rows: dicts; schema: (column, dtype) pairs, dtype one of "int64",
    "float64", "bool", "object" (text). A missing number is NaN; a missing
    text is None."""
    data = {}
    for column, dtype in schema:
        values = [r.get(column) for r in rows]
        if dtype == "float64":
            values = [float("nan") if v is None else float(v) for v in values]
        data[column] = pd.Series(values, dtype=dtype)
    return pd.DataFrame(data, columns=[c for c, _ in schema])


def read_json(path) -> dict:
    with open(path, encoding="utf-8") as f:
        return json.load(f)
