"""The ``mlp`` model family: registration, space, default and build."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.datasets import make_classification

from automl.exceptions import ConfigError
from automl.models import ModelContext, get_family
from automl.nets import TabularNetClassifier
from automl.space import Categorical, Integer, Real


@pytest.fixture
def family():
    return get_family("mlp")


def test_family_declaration(family):
    assert family.name == "mlp"
    assert family.scale_sensitive is False
    assert family.categorical_encoding == "ordinal"
    assert family.supports_class_weight is True
    assert family.handles_missing is True
    assert family.cost > 1.0 and family.description


@pytest.mark.parametrize("n_classes", [2, 3])
def test_default_builds_and_fits(family, n_classes):
    X, y = make_classification(
        n_samples=400, n_features=6, n_informative=4, n_classes=n_classes, random_state=0
    )
    context = ModelContext(
        task="binary" if n_classes == 2 else "multiclass",
        n_classes=n_classes,
        n_rows=300,
        n_features=6,
        n_threads=1,
        random_state=0,
        time_limit=20.0,
    )
    model = family.build({**family.default(context), "class_weight": "none"}, context)
    assert isinstance(model, TabularNetClassifier)
    assert model.max_time is not None and model.max_time < context.time_limit
    assert model.n_threads == 1 and model.random_state == 0
    assert model.ensemble_size > 1  # members trained at once, as measured in issue 18
    model.fit(X[:300], y[:300])
    assert model.predict_proba(X[300:]).shape == (100, n_classes)
    # held out: 0.88 (two classes) and 0.79 (three) measured; chance is 0.5 and 0.33
    assert model.score(X[300:], y[300:]) >= {2: 0.8, 3: 0.7}[n_classes]


def test_context_reaches_the_estimator(family):
    context = ModelContext(categorical_features=(2, 5), device="cpu", n_threads=2)
    model = family.build({"class_weight": "balanced"}, context)
    assert model.categorical_features == [2, 5]
    assert model.class_weight == "balanced"
    assert model.device == "cpu"
    assert model.max_time is None


def test_space_is_fresh_and_valid(family):
    context = ModelContext()
    space = family.space(context)
    assert space is not family.space(context)
    assert set(space) == {
        "hidden_width",
        "depth",
        "dropout",
        "learning_rate",
        "weight_decay",
        "batch_size",
        "embedding_scale",
        "residual",
        "norm",
    }
    assert all(isinstance(dim, (Real, Integer, Categorical)) for dim in space.values())
    assert space["learning_rate"].log and space["weight_decay"].log
    default = family.default(context)
    assert set(default) == set(space)
    assert all(space[name].contains(value) for name, value in default.items())


def test_every_space_point_builds(family):
    context = ModelContext(n_threads=1, random_state=0)
    space = family.space(context)
    grids = {name: dim.grid(3) for name, dim in space.items()}
    for name, values in grids.items():
        for value in values:
            params = {**family.default(context), name: value, "class_weight": "none"}
            clone(family.build(params, context))
    # random points with numpy scalars, as an optimizer returns them, also fit
    X, y = make_classification(n_samples=120, n_features=5, random_state=0)
    rng = np.random.RandomState(0)
    for _ in range(3):
        params = {
            name: np.asarray(values)[rng.randint(len(values))] for name, values in grids.items()
        }
        model = family.build({**params, "class_weight": "balanced"}, context)
        model.set_params(max_epochs=3).fit(X, y)
        assert model.predict_proba(X).shape == (120, 2)


def test_build_rejects_unknown_keys(family):
    with pytest.raises(ConfigError, match="widht"):
        family.build({"widht": 3, "class_weight": "none"}, ModelContext())
    with pytest.raises(ConfigError, match="class_weight"):
        family.build({"class_weight": "auto"}, ModelContext())


def test_importing_the_family_does_not_import_torch():
    import subprocess
    import sys

    code = "import sys, automl.models.mlp; print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_regression_space_searches_the_numeric_inputs(family):
    """Regression searches the loss and the numeric inputs, starting from robust scaling;
    classification keeps standardized inputs (see mlp_space for the measurements)."""
    context = ModelContext(task="regression")
    space, default = family.space(context), family.default(context)
    assert {"loss", "numeric_scaling", "numeric_embedding"} <= set(space)
    assert set(default) == set(space)
    assert default["numeric_scaling"] == "robust_clip"
    model = family.build({**default, "numeric_embedding": "periodic"}, context)
    assert model.numeric_scaling == "robust_clip" and model.numeric_embedding == "periodic"
    classifier = family.build({}, ModelContext())
    assert classifier.numeric_scaling == "standard" and classifier.numeric_embedding == "none"
