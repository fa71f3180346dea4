"""`colossim validate`: predict published, measured training runs and report the error."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import typer
from rich.table import Table

from colossim.cli.common import console, guarded, print_json, working
from colossim.validation import load_runs, predict_runs
from colossim.validation.fit import GROUPINGS, batch, fit, leave_one_group_out, predict_with
from colossim.validation.predict import GroupError, ValidationReport, group_error, prepare


def register(app: typer.Typer) -> None:
    app.command("validate")(validate_cmd)


def _runs_table(rep: ValidationReport) -> Table:
    table = Table(title="predicted vs measured step time")
    for col in ("run", "gpu", "target s", "predicted s", "error %", "MFU", "fits"):
        table.add_column(col, justify="left" if col in ("run", "gpu") else "right")
    for r in rep.runs:
        if r.status != "ok":
            table.add_row(r.id, r.gpu, f"{r.target_step_time_s:.3f}", "-", "unsupported", "-", "-")
            continue
        table.add_row(
            r.id,
            r.gpu,
            f"{r.target_step_time_s:.3f}",
            f"{r.predicted_step_time_s:.3f}",
            f"{r.error_pct:+.1f}",
            f"{r.predicted_mfu:.1%}",
            "yes" if r.fits_memory else "no",
        )
    return table


COLUMNS = ("group", "runs", "MAPE %", "median %", "p90 %", "signed %", "max %")


def _group_table(title: str, groups: dict[str, GroupError]) -> Table:
    table = Table(title=title)
    for col in COLUMNS:
        table.add_column(col, justify="left" if col == "group" else "right")
    for name, g in groups.items():
        table.add_row(name, str(g.runs), f"{g.mape_pct:.1f}", f"{g.median_abs_error_pct:.1f}",
                      f"{g.p90_abs_error_pct:.1f}", f"{g.mean_signed_error_pct:+.1f}", f"{g.max_abs_error_pct:.1f}")
    return table


def _fit_summary(runs) -> dict:
    b = batch(prepare(runs))
    fitted = fit(b)
    err = (predict_with(b, fitted) - b.target) / b.target * 100.0
    return {"constants": {k: round(float(v), 4) for k, v in fitted.items()},
            **group_error(err).model_dump()}


def _cv_summary(runs) -> dict:
    """Leave one group out under each grouping: refit the global constants without the group, predict it."""
    b = batch(prepare(runs))
    out = {}
    for grouping in GROUPINGS:
        folds = leave_one_group_out(b, grouping)
        out[grouping] = {"overall": group_error(np.concatenate(list(folds.values()))).model_dump(),
                         "held_out": {k: group_error(v).model_dump() for k, v in folds.items()}}
    return out


@guarded
def validate_cmd(
    file: Path | None = typer.Argument(
        None, help="runs YAML (schema in docs/perf_model.md) [the shipped runs]"
    ),
    json_out: bool = typer.Option(False, "--json", help="print JSON instead of tables"),
    refit: bool = typer.Option(False, "--fit", help="also refit the calibration constants and show them"),
    cross_validate: bool = typer.Option(
        False, "--cv", help="also leave-one-group-out cross-validation by GPU generation, framework family and "
        "source (refit without the group, predict it)"
    ),
    serving: bool = typer.Option(False, "--serving", help="published serving results instead (FILE: same schema)"),
) -> None:
    """Predict every run and compare with its measured step time (MAPE overall, per GPU, per source)."""
    if serving:
        from colossim.cli.serve_cmd import serving_validation

        return serving_validation(file, json_out)
    runs = load_runs(file)
    rep = predict_runs(runs)
    if rep.predicted == 0:
        reasons = "; ".join(f"{r.id}: {r.reason}" for r in rep.runs[:5])
        raise ValueError(f"none of the {len(rep.runs)} runs can be predicted ({reasons}): fix the runs named")
    extra = {}
    if refit:
        with working("refitting the global constants on every run"):
            extra["fit"] = _fit_summary(runs)
    if cross_validate:
        with working("cross-validating: refit without each generation, framework and source, predict it"):
            extra["cross_validation"] = _cv_summary(runs)
    if json_out:
        print_json({**rep.model_dump(mode="json"), **extra})
        return
    console.print(_runs_table(rep))
    for r in rep.runs:
        if r.status != "ok":
            console.print(f"unsupported: {r.id}: {r.reason}", markup=False)
    for title, groups in (("error by GPU", rep.by_gpu), ("error by GPU generation", rep.by_generation),
                          ("error by framework family", rep.by_framework), ("error by source", rep.by_source),
                          ("dense vs MoE", rep.by_kind), ("error by ZeRO stage", rep.by_zero_stage)):
        console.print(_group_table(title, groups))
    console.print(
        f"MAPE {rep.mape_pct:.1f}% over {rep.predicted} runs ({rep.unsupported} unsupported), median "
        f"{rep.median_abs_error_pct:.1f}%, p90 {rep.p90_abs_error_pct:.1f}%, mean signed error "
        f"{rep.mean_signed_error_pct:+.1f}%; worst {rep.worst_run} ({rep.max_abs_error_pct:.1f}%)", markup=False
    )
    if "fit" in extra:
        f = extra["fit"]
        console.print(f"refit from the priors: {f['constants']}; MAPE {f['mape_pct']:.1f}%, signed "
                      f"{f['mean_signed_error_pct']:+.1f}%, max {f['max_abs_error_pct']:.1f}%", markup=False)
    if "cross_validation" in extra:
        for grouping, cv in extra["cross_validation"].items():
            groups = {k: GroupError(**v) for k, v in cv["held_out"].items()}
            groups["all held-out runs"] = GroupError(**cv["overall"])
            console.print(_group_table(f"leave one {grouping} out (refit without it, predict it)", groups))
