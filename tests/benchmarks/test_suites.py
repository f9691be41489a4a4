"""Suites are data: each loads, filters by the data themselves, and fails clearly."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.model_selection import train_test_split

from automl.exceptions import ConfigError
from benchmarks.datasets import (
    DATA_DIR_ENV,
    DatasetSpec,
    load_dataset,
    positive_index,
    resolve_data_dir,
    split,
)
from benchmarks.suites import load_suite, resolve_datasets, suite_names

SUITES = ("shared", "small", "imbalanced", "quick", "sklearn", "synthetic", "smoke")


def test_every_suite_is_shipped_and_loads():
    assert set(SUITES) <= set(suite_names())
    for name in SUITES:
        suite = load_suite(name)
        assert suite.datasets and suite.description


@pytest.mark.parametrize("name", ["sklearn", "synthetic", "smoke"])
def test_suites_without_csv_resolve_without_a_data_folder(name, monkeypatch, tmp_path):
    monkeypatch.setenv(DATA_DIR_ENV, str(tmp_path / "missing"))
    resolved = resolve_datasets(load_suite(name))
    assert len(resolved) == len(load_suite(name).datasets)


def test_smoke_is_two_tiny_datasets():
    resolved = resolve_datasets(load_suite("smoke"))
    assert [spec.name for spec, _ in resolved] == ["breast_cancer", "synthetic_tiny"]
    assert all(info.n_rows <= 600 for _, info in resolved)


@pytest.mark.shared_data
def test_shared_has_every_csv_and_small_filters_rows():
    shared = resolve_datasets(load_suite("shared"))
    csvs = sorted(p.stem for p in resolve_data_dir().glob("*.csv"))
    assert sorted(spec.name for spec, _ in shared) == csvs
    assert load_suite("small").filter.max_rows == 50_000
    small = resolve_datasets(load_suite("small"))
    assert {s.name for s, i in small} == {s.name for s, i in shared if i.n_rows <= 50_000}
    assert [s.name for s, _ in resolve_datasets(load_suite("small"), max_rows=1000)] == [
        s.name for s, i in shared if i.n_rows <= 1000
    ]


@pytest.mark.shared_data
def test_imbalanced_is_binary_with_small_minority():
    shared = resolve_datasets(load_suite("shared"))
    imbalanced = resolve_datasets(load_suite("imbalanced"))
    expected = {s.name for s, i in shared if i.n_classes == 2 and i.minority_share < 0.2}
    assert {s.name for s, _ in imbalanced} == expected
    assert {"pc1", "yeast_me2", "oil_spill", "mammography"} <= expected
    assert "adult" not in expected and "glass" not in expected


@pytest.mark.shared_data
def test_quick_has_six_or_more_small_datasets_with_imbalanced_ones():
    quick = resolve_datasets(load_suite("quick"))
    assert len(quick) >= 6
    assert sum(i.n_classes == 2 and i.minority_share < 0.2 for _, i in quick) >= 3
    assert all(i.n_rows <= 5000 for _, i in quick)


def test_binary_targets_are_01_with_minority_one():
    ds = load_dataset(DatasetSpec("breast_cancer", "sklearn:breast_cancer"))
    counts = ds.y.value_counts()
    assert sorted(counts.index) == [0, 1] and counts[1] < counts[0]
    assert positive_index(ds.y) == 1


def test_synthetic_data_are_seeded_and_imbalanced():
    spec = next(s for s in load_suite("synthetic").datasets if s.name == "synthetic_imbalanced")
    a, b = load_dataset(spec), load_dataset(spec)
    assert a.X.equals(b.X) and a.y.equals(b.y)
    assert a.info.minority_share == pytest.approx(0.05, abs=0.02)
    multi = next(s for s in load_suite("synthetic").datasets if s.name == "synthetic_multiclass")
    assert load_dataset(multi).info.n_classes == 4


def test_split_is_the_shared_stratified_split():
    ds = load_dataset(DatasetSpec("wine", "sklearn:wine"))
    X_train, X_test, y_train, y_test = split(ds, seed=3)
    ref = train_test_split(ds.X, ds.y, test_size=0.25, stratify=ds.y, random_state=3)
    assert X_test.index.equals(ref[1].index) and np.array_equal(y_train, ref[2])


def test_unknown_suite_suggests_close_names():
    with pytest.raises(ConfigError, match="Did you mean 'quick'"):
        load_suite("quik")


def test_missing_data_folder_says_how_to_set_it(monkeypatch, tmp_path):
    monkeypatch.setenv(DATA_DIR_ENV, str(tmp_path / "nope"))
    with pytest.raises(ConfigError, match=DATA_DIR_ENV):
        load_dataset(DatasetSpec("pc1", "csv:pc1"))
    with pytest.raises(ConfigError, match="--data-dir"):
        resolve_data_dir(tmp_path / "nope")


def test_unknown_csv_and_scheme_are_config_errors(tmp_path):
    (tmp_path / "mini.csv").write_text("a,target\n1,0\n2,1\n")
    assert load_dataset(DatasetSpec("mini", "csv:mini"), tmp_path).info.n_rows == 2
    with pytest.raises(ConfigError, match="mini"):
        load_dataset(DatasetSpec("mni", "csv:mni"), tmp_path)
    with pytest.raises(ConfigError, match="scheme"):
        load_dataset(DatasetSpec("x", "openml:31"))


def test_suite_files_are_validated(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text(
        'description = "x"\n[filter]\nmax_row = 3\n[[datasets]]\nsource = "sklearn:iris"\n'
    )
    with pytest.raises(ConfigError, match="max_row"):
        load_suite(str(bad))
    loop = tmp_path / "loop.toml"
    loop.write_text(f'extends = "{loop}"\n')
    with pytest.raises(ConfigError, match="extends itself"):
        load_suite(str(loop))
    dup = tmp_path / "dup.toml"
    dup.write_text('[[datasets]]\nsource = "sklearn:iris"\n[[datasets]]\nsource = "sklearn:iris"\n')
    with pytest.raises(ConfigError, match="more than once"):
        load_suite(str(dup))
    custom = tmp_path / "custom.toml"
    custom.write_text('extends = "sklearn"\n[filter]\ntask = "multiclass"\n')
    names = [s.name for s, _ in resolve_datasets(load_suite(str(custom)))]
    assert names == ["wine", "digits", "iris"]
