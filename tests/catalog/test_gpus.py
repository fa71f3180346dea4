"""Every GPU entry loads, carries a source and has dense (not sparse) rates that make sense."""

from colossim.catalog import load_catalog

# Dense BF16 TFLOP/s from shared/reference/hardware_catalog.yaml (vendor sparse headline halved).
PUBLISHED_DENSE_BF16 = {"h100_sxm5": 989.4, "h200_sxm": 989.4, "b200_hgx": 2250, "gb200_nvl72_gpu": 2500,
                        "a100_sxm4_80gb": 312, "mi300x": 1307.4}


def test_every_gpu_has_source_and_positive_rates():
    for gpu in load_catalog().gpus:
        assert len(gpu.source) > 10, gpu.id
        assert gpu.dense_tflops.bf16 and gpu.dense_tflops.bf16 > 0, gpu.id
        assert gpu.hbm_gb > 0 and gpu.hbm_bw_tb_s > 0 and gpu.tdp_w > 0


def test_fp8_is_twice_bf16_where_present():
    for gpu in load_catalog().gpus:
        if gpu.dense_tflops.fp8 is not None:
            assert abs(gpu.dense_tflops.fp8 / gpu.dense_tflops.bf16 - 2.0) < 0.01, gpu.id


def test_dense_bf16_matches_published_dense_figures():
    cat = load_catalog()
    for gpu_id, tflops in PUBLISHED_DENSE_BF16.items():
        assert cat.gpus[gpu_id].dense_tflops.bf16 == tflops


def test_aliases_used_by_validation_runs_resolve():
    cat = load_catalog()
    for alias in ("b200", "gb200", "gb300", "h100_sxm5", "a100_sxm4_80gb", "a100_sxm4_40gb"):
        assert cat.gpus[alias].id
