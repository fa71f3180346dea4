"""Grid expansion and the stable point key."""

import hashlib
import json
import subprocess
import sys

from sweep_helpers import spec

import colossim
from colossim.sweep.grid import SweepPoint, expand_grid, point_key


def test_grid_is_the_full_product_in_a_fixed_order():
    s = spec(objectives=["throughput", "cost"], global_batch_sizes=[256, 512])
    points = expand_grid(s)
    assert len(points) == s.n_points == 2 * 2 * 2 * 2 * 3
    combos = {(p.model, p.cluster, p.gpus, p.global_batch, p.objective) for p in points}
    assert len(combos) == len(points)
    assert [p.gpus for p in points[:3]] == [8, 16, 64]  # GPU count varies fastest
    assert all(p.model == "tiny" for p in points[: len(points) // 2])


def test_keys_are_unique_across_the_grid():
    points = expand_grid(spec(objectives=["throughput", "cost"]))
    assert len({p.key for p in points}) == len(points)


def test_key_is_sha256_of_the_canonical_point():
    p = SweepPoint("m", "c", 8, 256, "throughput", top_k=2, options=(("a", 1), ("b", "x")), evaluator="x",
                   model_digest="00ff", cluster_digest="abcd")
    canon = ('{"cluster":"c","cluster_digest":"abcd","colossim":"' + colossim.__version__ + '","evaluator":"x",'
             '"global_batch":256,"gpus":8,"model":"m","model_digest":"00ff","objective":"throughput",'
             '"options":{"a":1,"b":"x"},"top_k":2,"v":"colossim.sweep/2"}')
    assert json.loads(canon)["options"] == {"a": 1, "b": "x"}
    assert point_key(p) == hashlib.sha256(canon.encode()).hexdigest()[:16]


def test_key_follows_the_content_digests_of_model_and_cluster():
    s = spec()
    plain = expand_grid(s)
    edited = expand_grid(s, {("cluster", "fast"): "1234"})
    changed = [a.key != b.key for a, b in zip(plain, edited, strict=True)]
    assert changed == [p.cluster == "fast" for p in plain]  # only the points of the edited cluster
    assert expand_grid(s, {("model", "tiny"): "9"})[0].key != plain[0].key


def test_key_changes_with_evaluator_options_and_top_k_but_not_option_order():
    a = spec()
    points = expand_grid(a)
    assert points[0].key != expand_grid(spec(evaluator="noop"))[0].key
    assert points[0].key != expand_grid(spec(options={"samples": 2001}))[0].key
    assert points[0].key != expand_grid(spec(top_k=3))[0].key
    two = expand_grid(spec(options={"samples": 2000, "z": True}))[0].key
    assert two == expand_grid(spec(options={"z": True, "samples": 2000}))[0].key


def test_key_is_the_same_in_another_python_process():
    p = expand_grid(spec())[0]
    code = ("from colossim.sweep.grid import SweepPoint, point_key; "
            f"print(point_key(SweepPoint({p.model!r}, {p.cluster!r}, {p.gpus}, {p.global_batch}, "
            f"{p.objective!r}, {p.top_k}, {p.options!r}, {p.evaluator!r}, {p.model_digest!r}, "
            f"{p.cluster_digest!r})))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={"PYTHONHASHSEED": "123", "PATH": ""})
    assert out.stdout.strip() == p.key
