"""Confidence bands across seeds: every headline as the median with the 5th-95th percentile range.

A seed's row is its summary flattened (the flagship's fields prefixed `flagship_`); the bands read the
headlines below from many rows, per policy (pure: rows in, bands out)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from colossim.ops.exports.results import OpsResult

# headline -> what it is (the row column it is read from)
HEADLINES: dict[str, str] = {
    "utilisation": "busy / in service for training",
    "goodput": "useful / in service for training",
    "queue_time_s_median": "median queue wait (s)",
    "queue_time_s_p95": "95th percentile queue wait (s)",
    "flagship_wall_days": "flagship run: first start to end or horizon (days)",
    "lost_gpu_h": "GPU-hours lost to failures and preemption",
}


@dataclass(frozen=True)
class Band:
    median: float | None
    p5: float | None
    p95: float | None
    seeds: int  # seeds with a value

    @classmethod
    def of(cls, values: np.ndarray) -> Band:
        v = np.asarray([x for x in values if x is not None and np.isfinite(x)], dtype=float)
        if v.size == 0:
            return cls(None, None, None, 0)
        p5, med, p95 = np.percentile(v, [5, 50, 95])
        return cls(float(med), float(p5), float(p95), int(v.size))


def seed_row(result: OpsResult) -> dict[str, Any]:
    """A seed's summary as one flat row (lists as text, the flagship's fields prefixed flagship_)."""
    row = {k: (", ".join(map(str, v)) if isinstance(v, list) else v) for k, v in result.summary.to_dict().items()}
    if result.flagship is not None:
        row.update({f"flagship_{k}": v for k, v in asdict(result.flagship).items()})
    return row


def bands(rows: list[dict[str, Any]]) -> dict[str, dict[str, Band]]:
    """policy -> headline -> band, over the rows of each policy."""
    out: dict[str, dict[str, Band]] = {}
    for policy in dict.fromkeys(r["policy"] for r in rows):
        mine = [r for r in rows if r["policy"] == policy]
        out[policy] = {h: Band.of(np.array([r.get(h) for r in mine], dtype=object)) for h in HEADLINES
                       if any(r.get(h) is not None for r in mine)}
    return out
