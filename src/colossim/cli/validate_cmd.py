"""`colossim validate`: predict published, measured training runs and report the error."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import typer
from rich.table import Table

from colossim.cli.common import console, guarded, print_json
from colossim.validation import load_runs, predict_runs
from colossim.validation.fit import batch, fit, leave_one_source_out, predict_with
from colossim.validation.predict import ValidationReport, prepare


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


def _group_table(title: str, groups) -> Table:
    table = Table(title=title)
    for col in ("group", "runs", "MAPE %", "max |error| %"):
        table.add_column(col, justify="left" if col == "group" else "right")
    for name, g in groups.items():
        table.add_row(name, str(g.runs), f"{g.mape_pct:.1f}", f"{g.max_abs_error_pct:.1f}")
    return table


def _fit_summary(runs) -> dict:
    b = batch(prepare(runs))
    fitted = fit(b)
    err = (predict_with(b, fitted) - b.target) / b.target * 100.0
    return {
        "constants": {f: {k: round(float(v), 4) for k, v in vals.items()} for f, vals in fitted.items()},
        "mape_pct": float(np.mean(np.abs(err))),
        "max_abs_error_pct": float(np.max(np.abs(err))),
    }


def _cv_summary(runs) -> dict:
    folds = leave_one_source_out(batch(prepare(runs)))
    every = np.concatenate(list(folds.values()))
    return {
        "by_source": {
            k: {
                "runs": int(v.size),
                "mape_pct": float(np.mean(np.abs(v))),
                "max_abs_error_pct": float(np.max(np.abs(v))),
            }
            for k, v in folds.items()
        },
        "mape_pct": float(np.mean(np.abs(every))),
        "max_abs_error_pct": float(np.max(np.abs(every))),
    }


@guarded
def validate_cmd(
    file: Path | None = typer.Argument(
        None, help="runs YAML (schema in docs/perf_model.md) [the shipped runs]"
    ),
    json_out: bool = typer.Option(False, "--json", help="print JSON instead of tables"),
    refit: bool = typer.Option(False, "--fit", help="also refit the calibration constants and show them"),
    cross_validate: bool = typer.Option(
        False, "--cv", help="also leave-one-source-out cross-validation (~1 min)"
    ),
    serving: bool = typer.Option(False, "--serving", help="published serving results instead (FILE: same schema)"),
) -> None:
    """Predict every run and compare with its measured step time (MAPE overall, per GPU, per source)."""
    if serving:
        from colossim.cli.serve_cmd import serving_validation

        return serving_validation(file, json_out)
    runs = load_runs(file)
    rep = predict_runs(runs)
    extra = {}
    if refit:
        extra["fit"] = _fit_summary(runs)
    if cross_validate:
        extra["cross_validation"] = _cv_summary(runs)
    if json_out:
        print_json({**rep.model_dump(mode="json"), **extra})
        return
    console.print(_runs_table(rep))
    for r in rep.runs:
        if r.status != "ok":
            console.print(f"unsupported: {r.id}: {r.reason}", markup=False)
    console.print(_group_table("error by GPU", rep.by_gpu))
    console.print(_group_table("error by source", rep.by_source))
    console.print(
        f"MAPE {rep.mape_pct:.1f}% over {rep.predicted} runs ({rep.unsupported} unsupported); "
        f"worst {rep.worst_run} ({rep.max_abs_error_pct:.1f}%)"
    )
    if "fit" in extra:
        console.print(f"refit from the sourced priors: {extra['fit']['constants']}", markup=False)
        console.print(
            f"refit MAPE {extra['fit']['mape_pct']:.1f}%, max {extra['fit']['max_abs_error_pct']:.1f}%"
        )
    if "cross_validation" in extra:
        cv = extra["cross_validation"]
        for name, v in cv["by_source"].items():
            console.print(
                f"  held out {name}: {v['runs']} runs, MAPE {v['mape_pct']:.1f}%, "
                f"max {v['max_abs_error_pct']:.1f}%"
            )
        console.print(f"leave-one-source-out MAPE {cv['mape_pct']:.1f}%, max {cv['max_abs_error_pct']:.1f}%")
