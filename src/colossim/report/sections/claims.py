"""Claims against independent estimates: what xAI and Elon Musk said, what satellite imagery, analysts, permits
and advocates found, and colossim's own figure for each side where a scenario models it (colossim.cluster.claims,
the same table as `colossim cluster NAME --compare-variants`). Shown for a cluster the record's claims are about."""

from __future__ import annotations

import pandas as pd

from colossim.cluster import list_scenarios
from colossim.cluster.campus import list_campuses, load_campus
from colossim.cluster.claims import ClaimRow, claims_table
from colossim.cluster.variants import family, has_variants
from colossim.report.context import Context
from colossim.report.document import Bullets, Paragraph, Section, Table
from colossim.report.sections import SectionOutput

LABELS = {
    "quantity": "quantity", "unit": "unit",
    "claimed": "claimed", "claimed_by": "claimed by, when [confidence]", "model_claimed": "colossim (claimed variant)",
    "observed": "observed or estimated", "observed_by": "observed by, when [confidence]",
    "model_observed": "colossim (observed variant)",
}
FORMATS = {"claimed": ",.6g", "observed": ",.6g", "model_claimed": ",.6g", "model_observed": ",.6g"}


def _row(r: ClaimRow) -> dict:
    return {"quantity": r.quantity, "unit": r.unit, "claimed": r.claimed,
            "claimed_by": f"{r.claimed_by}, {r.claimed_when} [{r.claimed_confidence}]",
            "model_claimed": r.model_claimed,
            "observed": r.observed, "observed_by": f"{r.observed_by}, {r.observed_when} [{r.observed_confidence}]",
            "model_observed": r.model_observed}


def _scenarios(ctx: Context) -> set[str]:
    """The report's cluster, the built-in campuses it belongs to, their members and their variants."""
    mine = {ctx.spec.name}
    for campus in list_campuses():
        members = set(load_campus(campus).members)
        if ctx.spec.name in members:
            mine |= members | {campus}
    builtin = set(list_scenarios()) | set(list_campuses())
    for name in list(mine & builtin):
        if has_variants(name, ctx.catalog):
            mine |= {m.name for m in family(name, ctx.catalog)[1]}
    return mine


def build(ctx: Context) -> SectionOutput:
    rows = claims_table(_scenarios(ctx), ctx.catalog)
    if not rows:
        text = Paragraph(f"The public record holds no contested claims about {ctx.spec.name}.")
        return SectionOutput(Section("claims", "Claims against independent estimates", (text,)), {"claims": []})
    frame = pd.DataFrame([_row(r) for r in rows], columns=list(LABELS))
    table = Table("claims", "What was claimed, what was observed, and what colossim computes",
                  "From the dated public record (colossus_record_2026.md sec. 9): each claim, the independent "
                  "estimate or lower figure, and colossim's own figure where a scenario models that side (the "
                  "claimed and observed variants of Colossus 2 and of the campus; Colossus 1 on the dates given). "
                  "Confidence: high, medium, low as the record tags its sources.", frame, LABELS, FORMATS,
                  summary=True)
    facts = []
    for r in rows:
        if r.model_claimed is not None and r.model_observed is not None and r.claimed:
            facts.append(f"{r.quantity}: {r.claimed:,.6g} claimed against {r.observed:,.6g} observed {r.unit}; "
                         f"colossim's variants give {r.model_claimed:,.6g} and {r.model_observed:,.6g}.")
    text = Paragraph(
        "Several figures in the Colossus story exist twice: once as claimed by xAI or Elon Musk, once as measured "
        "or estimated by others (satellite imagery of the cooling plant, analysts, the air permit, an advocacy "
        "group's imaging). colossim keeps both as scenario variants and computes each; where they differ by a "
        "factor of three, so do the power, the gas burned and the emissions that follow from them."
    )
    section = Section("claims", "Claims against independent estimates", (text, table, Bullets(tuple(facts))))
    return SectionOutput(section, {"claims": [r.model_dump(mode="json") for r in rows]})


__all__ = ["build"]
