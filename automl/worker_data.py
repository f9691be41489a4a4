"""The training data handed to local worker processes once per fit, memory-mapped.

``fit`` writes the validated frame once to a temporary folder; every worker
process maps the file read-only (``joblib.load(mmap_mode="r")``), so N workers
share the same pages of the operating system's cache instead of each holding
its own unpickled copy. The folder is removed when the fit ends, on an error
or a ``KeyboardInterrupt`` too (:func:`worker_data_folder`).

Layout of the file: consecutive columns of one numpy dtype (floats, integers,
booleans, naive dates) are stored as one 2-D block, one row of the block per
column, which is exactly how pandas lays out a block, so the worker's DataFrame
wraps the mapped array without copying it. String, object and category columns
are stored as small integer codes (mapped too) plus their distinct values, and
rebuilt with their dtype: the codes are shared and each distinct string exists
once per worker instead of once per row. Other columns (time-zone-aware dates)
are pickled as they are.

Float32: with ``float32=True`` the float64 blocks are stored as float32 (half the
pages, and the fold copies the pipeline makes are halved too); the cast happens
here, once per fit, and only for the trials' data: the final model is refitted on
the caller's float64 frame.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np
import pandas as pd

#: File name of the data in the fit's temporary folder.
DATA_FILE = "data.joblib"
#: Prefix of the temporary folder (under the system's temporary directory).
FOLDER_PREFIX = "automl-"
#: Largest magnitude a float64 column may hold to be stored as float32.
FLOAT32_MAX = float(np.finfo(np.float32).max) / 2


@contextmanager
def worker_data_folder() -> Iterator[str]:
    """A temporary folder for one fit's worker data, removed on exit however it exits."""
    folder = tempfile.mkdtemp(prefix=FOLDER_PREFIX)
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _numpy_kind(dtype: Any) -> bool:
    """Whether a column of ``dtype`` can be a mapped 2-D block (plain numpy numbers/dates)."""
    return isinstance(dtype, np.dtype) and dtype.kind in "fiubM"


def _runs(X: pd.DataFrame) -> list[tuple[int, int]]:
    """Start and stop positions of the runs of consecutive columns sharing one dtype."""
    runs, start = [], 0
    dtypes = list(X.dtypes)
    for i in range(1, len(dtypes) + 1):
        if i == len(dtypes) or dtypes[i] != dtypes[start] or not _numpy_kind(dtypes[start]):
            runs.append((start, i))
            start = i
    return runs


def _float32_holds(X: pd.DataFrame, start: int, stop: int) -> bool:
    """Whether columns ``start:stop`` (one run) are float64 that float32 can hold."""
    if X.dtypes.iloc[start] != np.float64 or not len(X):
        return False
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # an all-missing column: no chatter
        columns = (X.iloc[:, j].to_numpy() for j in range(start, stop))
        # reductions, no copy made; NaN for all-missing columns, ignored
        largest = np.nanmax([np.nanmax(np.abs([np.nanmin(c), np.nanmax(c)])) for c in columns])
    return not largest >= FLOAT32_MAX  # NaN (nothing but missing values) casts too


def _block(X: pd.DataFrame, start: int, stop: int, float32: bool) -> np.ndarray:
    """Columns ``start:stop`` as one C-contiguous (columns, rows) array.

    Filled column by column into one allocation: a frame whose columns sit in
    separate pandas blocks is not first consolidated into a temporary copy.
    """
    dtype = X.dtypes.iloc[start]
    if float32 and _float32_holds(X, start, stop):
        dtype = np.dtype(np.float32)
    values = np.empty((stop - start, len(X)), dtype=dtype)
    for j in range(start, stop):
        values[j - start] = X.iloc[:, j].to_numpy()
    return values


def as_float32_frame(X: pd.DataFrame) -> pd.DataFrame:
    """``X`` with its float64 columns as float32, as the trials saw them (the refit's data
    on the large-data path: the copies its pipelines make are halved too).

    Decided per run of float64 columns exactly as :func:`write_worker_data` decides:
    a run holding a magnitude float32 cannot hold keeps float64, as in the trials.
    """
    columns = {}
    for start, stop in _runs(X):
        cast = _float32_holds(X, start, stop)
        for j in range(start, stop):
            column = X.iloc[:, j]
            columns[X.columns[j]] = column.astype(np.float32) if cast else column
    out = pd.DataFrame(columns, index=X.index, copy=False)
    out.attrs.update(X.attrs)
    return out


def _encode(column: pd.Series) -> dict[str, Any]:
    """A string, object or category column as integer codes and its distinct values."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        cat = column.array
    else:
        try:
            cat = pd.Categorical(column)
        except TypeError:  # unorderable mixed values: keep the column as it is
            return {"kind": "as_is", "values": column}
    codes = np.asarray(cat.codes)
    return {"kind": "codes", "codes": codes, "cat_dtype": cat.dtype, "dtype": column.dtype}


def write_worker_data(
    X: pd.DataFrame,
    y: np.ndarray,
    folder: str,
    *,
    float32: bool = False,
    sample_weight: np.ndarray | None = None,
) -> str:
    """Write the training data once for the workers; returns the file's path.

    Parameters
    ----------
    X : DataFrame
        The validated training features.
    y : ndarray
        Encoded labels (or regression targets).
    folder : str
        The fit's temporary folder (see :func:`worker_data_folder`).
    float32 : bool
        Store float64 columns as float32 (see the module docstring).
    sample_weight : ndarray or None
        Row weights, stored beside the rows they weigh.

    Returns
    -------
    str
        The path to hand to :func:`load_worker_data`.
    """
    import joblib

    parts: list[dict[str, Any]] = []
    for start, stop in _runs(X):
        if _numpy_kind(X.dtypes.iloc[start]):
            parts.append({"kind": "block", "values": _block(X, start, stop, float32)})
        else:
            parts.append(_encode(X.iloc[:, start]))
    payload = {
        "columns": list(X.columns),
        "index": X.index if not isinstance(X.index, pd.RangeIndex) else len(X),
        "attrs": dict(X.attrs),
        "parts": parts,
        "y": np.asarray(y),
        "sample_weight": None if sample_weight is None else np.asarray(sample_weight),
    }
    path = os.path.join(folder, DATA_FILE)
    joblib.dump(payload, path)
    return path


def _rebuild(part: dict[str, Any], columns: list[str], index: pd.Index) -> pd.DataFrame:
    if part["kind"] == "block":
        return pd.DataFrame(part["values"].T, columns=columns, index=index, copy=False)
    if part["kind"] == "as_is":
        return part["values"].to_frame(columns[0]).set_axis(index)
    cat = pd.Categorical.from_codes(part["codes"], dtype=part["cat_dtype"])
    column = pd.Series(cat, index=index, name=columns[0])
    if not isinstance(part["dtype"], pd.CategoricalDtype):
        column = column.astype(part["dtype"])
    return column.to_frame()


def load_worker_data(path: str) -> tuple[pd.DataFrame, np.ndarray, np.ndarray | None]:
    """The frame, target and row weights written by :func:`write_worker_data`, numeric
    blocks mapped.

    The numeric columns of the frame are read-only views of the mapped file: no
    copy is made here, and the pages are shared with every other worker.
    """
    import joblib

    payload = joblib.load(path, mmap_mode="r")
    n = payload["index"]
    index = pd.RangeIndex(n) if isinstance(n, int) else n
    frames, position = [], 0
    for part in payload["parts"]:
        width = part["values"].shape[0] if part["kind"] == "block" else 1
        frames.append(_rebuild(part, payload["columns"][position : position + width], index))
        position += width
    X = pd.concat(frames, axis=1) if len(frames) > 1 else frames[0]
    X.attrs.update(payload["attrs"])
    weights = payload.get("sample_weight")
    return X, np.array(payload["y"]), None if weights is None else np.array(weights)
