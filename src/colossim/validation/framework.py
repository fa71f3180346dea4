"""Which framework a published run used, and when: read from what the run states (its `framework` and
`framework_release` fields when given, else the words of its source and id), so the validation applies that
framework's documented defaults at that date (perf/software.yaml) to whatever the run leaves out.

The rule is the same for every run: the first framework, in a fixed order from the most specific name to
the most generic, whose keyword appears in the run's source or id; the date is a container tag the source
names ('24.07', '25.09'), else the month of its arXiv identifier, else unknown (the newest release).
"""

from __future__ import annotations

import re
from datetime import date

from colossim.perf.software import Framework, load_software_defaults
from colossim.validation.schema import ValidationRun

# most specific first: Megatron-Bridge and NeMo are Megatron-Core recipes, torchtitan and llm-foundry are
# FSDP trainers, so their names win over the generic ones
ORDER: tuple[Framework, ...] = (
    "megatron_bridge", "nemo", "megascale", "torchtitan", "llm_foundry", "deepspeed", "meta_llama3",
    "pytorch_fsdp", "megatron_lm",
)
CONTAINER_TAG = re.compile(r"(?:section '|container |nemo |')(\d{2})\.(0[1-9]|1[0-2])\b")
ARXIV_ID = re.compile(r"arxiv[: ]?(\d{2})(0[1-9]|1[0-2])\.\d{4,5}")


def framework_of(text: str) -> Framework:
    words = text.lower()
    table = load_software_defaults().frameworks
    for fw in ORDER:
        if any(k in words for k in table[fw].keywords):
            return fw
    return "generic"


def release_of(text: str) -> date | None:
    words = text.lower()
    m = CONTAINER_TAG.search(words)
    if m:
        return date(2000 + int(m.group(1)), int(m.group(2)), 1)
    m = ARXIV_ID.search(words)
    if m:
        return date(2000 + int(m.group(1)), int(m.group(2)), 1)
    return None


def run_framework(run: ValidationRun) -> tuple[Framework, date | None, list[str]]:
    """(framework, release date or None, notes saying where both came from)."""
    text = f"{run.source} {run.id}"
    notes = []
    fw = run.framework or framework_of(text)
    if run.framework is None:
        notes.append(f"framework -> {fw} (named in the source)" if fw != "generic" else
                     "framework -> generic (the source names none)")
    day = run.framework_release or release_of(run.source)
    if run.framework_release is None:
        notes.append(f"release -> {day.isoformat()} (from the source)" if day else
                     "release -> newest defaults (the source gives no date)")
    return fw, day, notes


__all__ = ["ORDER", "framework_of", "release_of", "run_framework"]
