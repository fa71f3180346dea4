"""A replica under maximum load: batching, disaggregation and data-parallel attention."""

import pytest
from serve_helpers import one

from colossim.serve.throughput import evaluate_serving
from colossim.serve.workload import fixed_workload


def test_disaggregated_unit_balances_prefill_and_decode():
    m, lay, hw = one("llama3-70b", "h100_sxm5", tp=8, disaggregated=True)
    r = evaluate_serving(m, lay, hw, fixed_workload(2000.0, 200.0))
    # one prefill replica feeds `decode_replicas` decode replicas: its request rate equals theirs
    decode_rps = float(r.tokens_per_s[0]) / 200.0
    assert float(r.requests_per_s[0]) == pytest.approx(decode_rps)
    assert float(r.gpus[0]) == pytest.approx(8 * (1 + float(r.decode_replicas[0])))
    assert float(r.kv_transfer_s[0]) > 0


def test_attention_dp_holds_more_mla_requests_than_tensor_parallelism():
    # MLA's latent cannot be split by heads: under TP every GPU keeps it whole, under attention DP each GPU
    # keeps only its own requests' (SGLang's and TensorRT-LLM's reason for data-parallel attention)
    work = fixed_workload(1024.0, 2048.0)
    tp = evaluate_serving(*one("deepseek-v3", "h200_sxm", tp=8, ep=8), work)
    dp = evaluate_serving(*one("deepseek-v3", "h200_sxm", tp=8, ep=8, attention_tp=1), work)
    assert float(dp.memory.max_requests[0]) > 3 * float(tp.memory.max_requests[0])


def test_batch_cap_is_respected():
    m, lay, hw = one("llama3-8b", "h100_sxm5", tp=1, max_batch=64)
    r = evaluate_serving(m, lay, hw, fixed_workload(128.0, 1024.0))
    assert float(r.batch[0]) <= 64
