"""DataFrames with fixed columns and dtypes, whatever the rows (even none), so
code written against one result keeps working on the next."""
from __future__ import annotations
import json



def pandas():
    """pandas, imported when a table is first asked for: `import hwsim` and
    hwsim.run() work in an interpreter without it."""
    try:
        import pandas as pd
    except ImportError as e:
        raise ImportError("hwsim's tables are pandas DataFrames: install pandas for this interpreter "
                          "(Debian: apt-get install python3-pandas, then use /usr/bin/python3)") from e
    return pd


def numpy():
    """NumPy, imported when first needed (hwsim.numerics)."""
    try:
        import numpy as np
    except ImportError as e:
        raise ImportError("hwsim.numerics takes NumPy arrays: install NumPy for this interpreter "
                          "(Debian: apt-get install python3-numpy, then use /usr/bin/python3)") from e
    return np


def frame(rows: list, schema: list) -> pd.DataFrame:
    """rows: dicts; schema: (column, dtype) pairs, dtype one of "int64",
    "float64", "bool", "object" (text). A missing number is NaN; a missing
    text is None."""
    pd = pandas()
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
