"""Promoted trials continue training: each fold's model of a lower rung, kept on disk.

A multi-fidelity search (Hyperband, BOHB) trains a configuration with a small
resource (``max_epochs=2``), then promotes the best to more (``max_epochs=6``).
Without help the promoted trial trains from epoch 0 again. With a
:class:`WarmStore`, each fold's fitted model of a rung below the full resource is
dumped to a joblib file in a folder the search owns (so it works across worker
processes), and the promoted trial's fold fit loads it, sets ``warm_start=True``
and the new resource value, and fits again on the same rows: it trains only the
remaining epochs.

Which estimators take part (:func:`continues_training`): those whose class lists
the resource in ``_warm_start_resources`` and that have a ``warm_start``
parameter, promising that ``fit`` with ``warm_start=True`` and a larger value of
that parameter continues the previous fit up to the new value (not by that many
more). :class:`~automl.nets.TorchClassifier` and ``TorchRegressor`` declare
``max_epochs``: a net stopped by early stopping at a rung stays stopped when
promoted, and with the constant schedule and an int ``random_state`` the continued
net is the net trained for all epochs at once (see :mod:`automl.nets.checkpoint`).
scikit-learn's ``warm_start`` estimators are left out: a forest or a boosting model
with more trees continues too, but nothing promises it equals a fresh fit.

Safety: the cache is an optimisation, never a dependency. A file is found by the
estimator's parameters other than the resource and ``warm_start``, and by a hash of
the fold's training rows (their positions, values, target and per-row fit
arguments), so fold ``k``'s continuation can only load fold ``k``'s model of the
same configuration on the same data. A missing, unreadable or mismatching file,
a model fitted with a larger resource, or a continuation that raises: the fold is
fitted from scratch, silently.

Disk stays bounded: a model at the full resource is never kept (nothing can
promote it, and its lower rung's file is deleted); a promotion overwrites its
configuration's file; at most :data:`MAX_FILES` files and :data:`MAX_TOTAL_MB`
megabytes are kept (the oldest go first); the folder is removed when the search
ends. A configuration that was not promoted keeps its files until then (the engine
does not tell the workers which rung was decided), within those caps.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sklearn.base import clone

#: Files kept at most (one per configuration and fold): the oldest go first. A
#: Hyperband bracket of 27 configurations x 5 folds needs 135 until its rung is decided.
MAX_FILES = 300
#: A fold model bigger than this on disk is not kept (megabytes).
MAX_FILE_MB = 256
#: The files together stay under this (megabytes): the oldest go first.
MAX_TOTAL_MB = 2048
#: The class attribute by which an estimator declares the resources it continues in.
DECLARATION = "_warm_start_resources"


def _final_step(estimator: Any, resource: str) -> tuple[str, Any, str] | None:
    """``(name, last step, its own parameter)`` when ``resource`` is ``"name__param"`` of
    the last step of a scikit-learn ``Pipeline``; None otherwise."""
    steps = getattr(estimator, "steps", None)
    if not isinstance(steps, list) or not steps or not hasattr(estimator, "named_steps"):
        return None
    name, last = steps[-1]
    prefix = f"{name}__"
    if not resource.startswith(prefix) or last in (None, "passthrough"):
        return None
    return name, last, resource[len(prefix) :]


def continues_training(estimator: Any, resource: str) -> bool:
    """Whether a warm-started ``fit`` of ``estimator`` continues up to a larger ``resource``.

    Parameters
    ----------
    estimator : estimator
        An unfitted estimator, or a ``Pipeline`` whose last step is one (then
        ``resource`` is that step's parameter, ``"torchclassifier__max_epochs"``).
    resource : str
        The parameter a multi-fidelity search grows (``"max_epochs"``).

    Returns
    -------
    bool
        True when ``type(estimator)._warm_start_resources`` holds ``resource`` and the
        estimator has a ``warm_start`` parameter (for a pipeline: its last step).
    """
    final = _final_step(estimator, resource)
    if final is not None:
        return continues_training(final[1], final[2])
    declared = getattr(type(estimator), DECLARATION, ())
    try:
        params = estimator.get_params(deep=False)
    except Exception:
        return False
    return resource in declared and "warm_start" in params and resource in params


def _hash(value: Any) -> str | None:
    import joblib

    try:
        return str(joblib.hash(value))
    except Exception:  # an unpicklable parameter: no key, a fresh fit
        return None


@dataclass(frozen=True)
class WarmStore:
    """Where a search keeps its fold models below the full resource, for promotions.

    Parameters
    ----------
    folder : str
        A folder the search owns (every worker process can read and write it).
    resource : str
        The parameter the search grows.
    max_resources : int
        Its value at full fidelity: models trained that far are not kept.
    """

    folder: str
    resource: str
    max_resources: int

    def fit(self, estimator: Any, rows: Any, X: Any, y: Any, fit_params: dict[str, Any]) -> Any:
        """A clone of ``estimator`` fitted on ``X, y``, continued from a lower rung if kept.

        Parameters
        ----------
        estimator : estimator
            The unfitted, configured estimator (its resource set for this rung); or a
            ``Pipeline`` whose last step declares the resource: the steps in front are
            fitted afresh and the last step's kept model is found by their output.
        rows : object
            What identifies the training rows and data (the fold's frame, its index
            holding the rows' positions): hashed into the file's key.
        X, y : array-like
            The rows to fit, as the estimator takes them.
        fit_params : dict
            Arguments of ``fit``, already cut to the rows.

        Returns
        -------
        estimator
            The fitted estimator.
        """
        final = _final_step(estimator, self.resource)
        if final is None:
            return self._fit_model(estimator, self.resource, rows, X, y, fit_params)
        # a pipeline: the steps in front are fitted afresh (cheap), the last one continues;
        # its kept model is found by the transformed rows, so a step in front that does
        # not repeat itself exactly (a random projection) only means a fresh fit
        name, last, resource = final
        prefix = f"{name}__"
        pipeline = clone(estimator)
        head = pipeline[:-1]
        Xt = head.fit_transform(
            X, y, **{k: v for k, v in fit_params.items() if not k.startswith(prefix)}
        )
        last_params = {k[len(prefix) :]: v for k, v in fit_params.items() if k.startswith(prefix)}
        fitted = self._fit_model(last, resource, Xt, Xt, y, last_params)
        pipeline.steps = [*head.steps, (name, fitted)]
        return pipeline

    def _fit_model(
        self, estimator: Any, resource: str, rows: Any, X: Any, y: Any, fit_params: dict[str, Any]
    ) -> Any:
        """:meth:`fit` for an estimator that declares ``resource`` itself."""
        value = estimator.get_params(deep=False)[resource]
        key = self._key(estimator, resource, rows, y, fit_params)
        fitted = (
            None
            if key is None
            else self._continue(key, estimator, resource, value, X, y, fit_params)
        )
        keep = key is not None and value < self.max_resources
        if fitted is None:  # warm_start=True keeps the state a promotion continues from
            fitted = clone(estimator).set_params(warm_start=True) if keep else clone(estimator)
            fitted.fit(X, y, **fit_params)
        if key is not None and keep:
            self._save(key, value, fitted)
        elif key is not None:  # at the full resource: nothing will continue it
            self._path(key).unlink(missing_ok=True)
        return fitted

    # -- the files -----------------------------------------------------------------------
    def _key(
        self, estimator: Any, resource: str, rows: Any, y: Any, fit_params: dict[str, Any]
    ) -> str | None:
        params = estimator.get_params(deep=False)
        params = {k: v for k, v in params.items() if k not in (resource, "warm_start")}
        config, data = _hash((type(estimator), params)), _hash((rows, y, fit_params))
        return None if config is None or data is None else f"{config}_{data}"

    def _path(self, key: str) -> Path:
        return Path(self.folder) / f"{key}.joblib"

    def _continue(
        self,
        key: str,
        estimator: Any,
        resource: str,
        value: int,
        X: Any,
        y: Any,
        fit_params: dict[str, Any],
    ) -> Any:
        """The kept model continued up to ``value``; None when there is none to continue."""
        import joblib

        path = self._path(key)
        if not path.is_file():
            return None
        try:
            kept = joblib.load(path)
            model = kept["estimator"]
            if kept["key"] != key or type(model) is not type(estimator):
                return None
            if not kept["value"] <= value:  # trained further than asked: start over
                return None
            model.set_params(**{resource: value, "warm_start": True})
            model.fit(X, y, **fit_params)
        except Exception:  # corrupt, truncated, or from another version: start over
            return None
        return model

    def _save(self, key: str, value: int, fitted: Any) -> None:
        """Keep ``fitted`` for a promotion; never fails (a model not kept is refitted)."""
        import joblib

        path = self._path(key)
        if not path.parent.is_dir():  # the search ended, or a worker on another machine
            return
        tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        try:
            joblib.dump({"key": key, "value": value, "estimator": fitted}, tmp)
            if tmp.stat().st_size > MAX_FILE_MB * 2**20:
                tmp.unlink(missing_ok=True)
                return
            os.replace(tmp, path)  # complete or absent, never half-written
            self._evict()
        except Exception:
            tmp.unlink(missing_ok=True)

    def _evict(self) -> None:
        """Delete the oldest files beyond :data:`MAX_FILES` or :data:`MAX_TOTAL_MB`."""
        files = []
        for path in Path(self.folder).glob("*.joblib"):
            try:
                stat = path.stat()
            except OSError:  # deleted meanwhile by another worker
                continue
            files.append((stat.st_mtime, stat.st_size, path))
        files.sort(reverse=True)  # newest first: they wait for their rung's decision
        total = 0
        for i, (_, size, path) in enumerate(files):
            total += size
            if i >= MAX_FILES or total > MAX_TOTAL_MB * 2**20:
                path.unlink(missing_ok=True)


@contextmanager
def warm_store(estimator: Any, resource: Any, multi_fidelity: bool) -> Iterator[WarmStore | None]:
    """A :class:`WarmStore` in a temporary folder, removed on exit; None when it cannot help.

    Parameters
    ----------
    estimator : estimator
        The searched estimator.
    resource : Resource or None
        The resource of the search (:class:`~automl.resource.Resource`).
    multi_fidelity : bool
        Whether the strategy promotes configurations (Hyperband, BOHB).
    """
    if not multi_fidelity or resource is None or not continues_training(estimator, resource.name):
        yield None
        return
    folder = tempfile.mkdtemp(prefix="automl-warm-")
    try:
        yield WarmStore(folder, resource.name, int(resource.max_resources))
    finally:
        shutil.rmtree(folder, ignore_errors=True)
