"""The built-in tabular net tuned alone, one member against several trained at once (TabM-mini).

Issue 18's check of the net's parameter-efficient ensembling
(:mod:`automl.nets.members`): the ``mlp`` family's estimator, with the family's
classification space, epoch cap and patience, is tuned by :class:`automl.SearchCV`
(``search="bayes"``, ROC AUC, the same stratified folds) once per arm at the same
time budget. An arm ``k=N`` fixes ``ensemble_size=N``; the arm ``searched`` adds
``ensemble_size`` to the space, over the sizes given to ``--searched``. Each search's best
cross-validated score, the held-out ROC AUC of its refitted model, its trials and
its wall time are printed per dataset, then the means and, for every arm, the
count of datasets where it beats ``k=1``.

The default datasets are the imbalanced suite, as in :mod:`benchmarks.net_fidelity`.
Run it on an otherwise idle machine; it measures time::

    python -m benchmarks.net_members --budget 60 --ensemble-sizes 1 4 --searched 1 4 8
    python -m benchmarks.net_members --datasets pc1 --budget 10   # smoke
"""

from __future__ import annotations

import argparse

from automl.space import Categorical
from benchmarks.net_fidelity import default_datasets, make_net, search_and_score, space
from benchmarks.search_cells import add_cell_arguments, print_means, print_wins, run_cells

SEARCHED = "searched"


def arm_names(sizes: list[int], searched: list[int] | None) -> list[str]:
    """``k=N`` for each size, then ``searched`` when sizes to search are given."""
    return [f"k={k}" for k in sizes] + ([SEARCHED] if searched else [])


def tune(arm: str, cell: tuple, args: argparse.Namespace) -> tuple[float, float, int]:
    """Best CV score, held-out ROC AUC and trials of one arm's search on one dataset."""
    net, grid = make_net(args.seed, len(cell[0])), space()
    if arm == SEARCHED:
        grid["ensemble_size"] = Categorical(list(args.searched))
    else:
        net.set_params(ensemble_size=int(arm.removeprefix("k=")))
    return search_and_score(net, grid, "bayes", cell, args)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", nargs="+", default=None)
    parser.add_argument("--ensemble-sizes", nargs="+", type=int, default=[1, 4])
    parser.add_argument(
        "--searched",
        nargs="*",
        type=int,
        default=None,
        help="add an arm that searches ensemble_size over these sizes",
    )
    add_cell_arguments(parser, budget=60.0)
    parser.add_argument("--out", default=None, help="write the per-dataset rows to this CSV")
    args = parser.parse_args(argv)
    arms = arm_names(args.ensemble_sizes, args.searched)
    results = run_cells("arm", arms, tune, args, args.datasets or default_datasets())
    print_means(results, "arm")
    print_wins(results, "arm", "k=1", arms)
    if args.out:
        results.to_csv(args.out, index=False)


if __name__ == "__main__":
    main()
