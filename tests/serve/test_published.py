"""The shipped file of published serving results: sourced, well-formed, and strict about bad input."""

import pytest

from colossim.inputs import InputError
from colossim.serve.published import load_published, parse_published, published_rows


def test_every_row_has_a_source_with_an_address_and_what_was_measured():
    data = load_published()
    for s in data.series:
        src = data.sources[s.source]
        assert src.url.startswith("https://") and len(src.measured) > 20
    assert len(published_rows(data)) >= 100


def test_rows_span_gpu_generations_and_moe():
    rows = [r for r in published_rows(load_published()) if r.headline]
    assert {"h100_sxm5", "h200_sxm", "b200_hgx", "gb200_nvl72_gpu"} <= {r.gpu for r in rows}
    assert any(r.model == "deepseek-v3" for r in rows)


def test_unknown_source_is_refused():
    text = """
sources: {}
series:
  - {id: x, source: nowhere, model: llama3-8b, gpu: h100_sxm5, layout: {tp: 1}, reliability: high,
     metric: output_tokens_per_s, points: [[1, 1, 1]]}
"""
    with pytest.raises(InputError) as err:
        parse_published(text, "mine.yaml")
    assert "nowhere" in str(err.value)


def test_bad_layout_field_names_its_path():
    text = """
sources: {s: {title: abc, url: https://example.org/x, measured: something measured}}
series:
  - {id: x, source: s, model: llama3-8b, gpu: h100_sxm5, layout: {tp: 1, tensor: 2}, reliability: high,
     metric: output_tokens_per_s, points: [[1, 1, 1]]}
"""
    with pytest.raises(InputError) as err:
        parse_published(text, "mine.yaml")
    assert "series.0.layout.tensor" in str(err.value)
