"""Lay a run out as arrays: the jobs table (queue ranks, nodes needed per pool, eligibility,
checkpoint parameters, feasibility), the pools and pods, the heap and buffers, and the parameters.

Everything the compiled kernel needs is computed here with numpy, once, before the first event.
"""

from __future__ import annotations

import numpy as np

from colossim.ops.config import OpsConfig
from colossim.ops.pools import OpsCluster
from colossim.ops.sim import layout as L
from colossim.ops.sim.poolstate import fenwick_size, pods_needed, spare_target
from colossim.ops.sim.queue import queue_words
from colossim.ops.sim.resolve import RunReliability, job_intervals_s
from colossim.ops.workloads.workload import ANY_GPU, Workload

MAX_POOLS = 62  # eligibility is a bitmask per job


def queue_ranks(workload: Workload, by_priority: bool) -> tuple[np.ndarray, np.ndarray]:
    """Each job's rank in the queue order (submit time then index, or priority first) and its inverse."""
    n = len(workload)
    idx = np.arange(n)
    keys = (idx, workload.submit_s) + ((-workload.priority,) if by_priority else ())
    order = np.lexsort(keys).astype(np.int64)
    rank = np.empty(n, np.int64)
    rank[order] = idx
    return rank, order


def serving_shares(cluster: OpsCluster, config: OpsConfig) -> np.ndarray:
    s = config.serving
    share = np.zeros(len(cluster.pools))
    if s is None:
        return share
    names = {p.name for p in cluster.pools} | {p.gpu for p in cluster.pools}
    unknown = [x for x in (s.pools or ()) if x not in names]
    if unknown:
        raise ValueError(f"serving.pools: no pool or GPU type {unknown[0]!r}: use one of {', '.join(sorted(names))}")
    for i, p in enumerate(cluster.pools):
        if s.pools is None or p.name in s.pools or p.gpu in s.pools:
            share[i] = s.peak_share
    return share


def build_jobs(cluster: OpsCluster, workload: Workload, config: OpsConfig, rel: RunReliability,
               groups: tuple[str, ...], group_share: np.ndarray) -> L.Jobs:
    """The jobs table: one column per job (rows named in layout), nodes needed per pool, queue order."""
    n = len(workload)
    specs = cluster.pools
    P = len(specs)
    needp = np.array([p.nodes_for(workload.gpus) for p in specs], dtype=np.int64).reshape(P, n)
    elig = np.zeros(n, np.int64)
    codes = workload.gpu_type
    for code in np.unique(codes):
        mask = 0
        for i, p in enumerate(specs):
            if code == ANY_GPU or p.gpu == workload.gpu_types[code]:
                mask |= 1 << i
        elig[codes == code] = mask
    spares = config.spares
    serve = serving_shares(cluster, config)
    trough = min(config.serving.curve) if config.serving is not None else 0.0
    usable = np.array([p.max_nodes - spare_target.py_func(p.max_nodes, spares.fraction, spares.min_nodes)
                       - round(serve[i] * trough * p.max_nodes) for i, p in enumerate(specs)], np.int64)
    big = np.iinfo(np.int64).max
    in_elig = ((elig[None, :] >> np.arange(P)[:, None]) & 1).astype(bool)
    min_need = np.where(in_elig, needp, big).min(axis=0)
    feasible = (in_elig & (needp <= usable[:, None])).any(axis=0)
    group = workload.group if workload.group is not None and groups else np.full(n, -1, np.int64)
    if groups:  # a job bigger than its group's quota at full capacity can never start
        peak = sum(p.max_gpus for p in specs)
        quota_peak = np.floor(group_share * peak)
        feasible &= (group < 0) | (workload.gpus <= quota_peak[np.maximum(group, 0)])
    # checkpoint parameters: per job where given, else the recovery settings (interval from reliability)
    first = np.argmax(in_elig, axis=0)  # first eligible pool: its failure rate sets the default interval
    per_node_hour = np.array([rel.rate_per_node_day(p) / 24.0 for p in specs])[first]
    tau_default = job_intervals_s(config, needp[first, np.arange(n)], per_node_hour)

    def col(values, default):
        if values is None:
            return np.broadcast_to(np.asarray(default, float), (n,)).copy()
        return np.where(np.isnan(values), default, values).astype(float)

    jf = np.zeros((L.N_JF, n))
    jf[L.SUBMIT] = workload.submit_s
    jf[L.REMAINING] = workload.duration_s
    jf[L.TAU] = col(workload.checkpoint_interval_s, tau_default)
    jf[L.DELTA] = col(workload.checkpoint_write_s, config.recovery.checkpoint_write_s)
    jf[L.RESTART] = col(workload.restart_s, rel.restart_s)
    jf[L.FIRST_START] = jf[L.END_S] = np.nan
    ji = np.zeros((L.N_JI, n), np.int64)
    ji[L.GPUS] = workload.gpus
    ji[L.PRIO] = workload.priority
    ji[L.OUTCOME] = workload.outcome
    ji[L.FEASIBLE] = feasible
    ji[L.MIN_NEED] = min_need
    ji[L.GROUP] = group
    rank, order = queue_ranks(workload, config.policy.queue_order() == "priority")
    ji[L.QRANK] = rank
    ji[L.STATE] = L.WAITING
    ji[L.STATUS] = L.ST_NOT_SUBMITTED
    ji[L.POOL] = -1
    ji[L.ELIG] = elig
    ji[L.RUN_POS] = -1
    ji[L.PRANK] = np.searchsorted(np.unique(workload.priority), workload.priority)
    return L.Jobs(jf=jf, ji=ji, needp=np.ascontiguousarray(needp), order=order)


def build_pools(cluster: OpsCluster, config: OpsConfig, rel: RunReliability, n_jobs: int,
                n_priorities: int) -> L.Pools:
    specs = cluster.pools
    P = len(specs)
    if P > MAX_POOLS:
        raise ValueError(f"{P} pools: the simulator handles at most {MAX_POOLS}; merge pools of one GPU type")
    pods = np.array([pods_needed(p.max_nodes, p.pod_nodes) + 1 for p in specs], np.int64)
    pi = np.zeros((L.N_PI, P), np.int64)
    pi[L.POD_LO] = np.concatenate([[0], np.cumsum(pods)[:-1]])
    pi[L.POD_NODES] = [p.pod_nodes for p in specs]
    pi[L.GPN] = [p.gpus_per_node for p in specs]
    pf = np.zeros((L.N_PF, P))
    pf[L.RATE_S] = [rel.rate_per_node_day(p) / 86_400.0 for p in specs]
    pf[L.BURN_IN_S] = [p.burn_in_s for p in specs]
    pf[L.SERVE_SHARE] = serving_shares(cluster, config)
    buckets = end_buckets(config) if config.policy.capabilities.reservations else 1
    return L.Pools(
        pi=pi, pf=pf, pod=np.zeros((4, int(pods.sum())), np.int64),
        tree=np.zeros((P, fenwick_size(n_jobs)), np.int64),
        bk_tree=np.zeros((P, buckets + 1), np.int64), bk_head=np.full((P, buckets), -1, np.int64),
        prio_nodes=np.zeros((P, max(1, n_priorities)), np.int64),
    )


MAX_END_BUCKETS = 1 << 18
MIN_BUCKET_S = 60.0


def end_buckets(config: OpsConfig) -> int:
    """End-time buckets of the reservation tree: a minute each, at most 2^18 (ends past the horizon share
    the last)."""
    return int(min(MAX_END_BUCKETS, max(1, np.ceil(config.horizon_s / MIN_BUCKET_S)) + 1))


def build_core(cluster: OpsCluster, config: OpsConfig, rel: RunReliability, n_jobs: int,
               group_share: np.ndarray, event_limit: int) -> tuple[L.Core, int]:
    """The heap, queue, arena and parameters; returns them and the per-event room margin."""
    nodes = sum(p.max_nodes for p in cluster.pools)
    n_deliveries = sum(len(p.deliveries) for p in cluster.pools)
    max_pods = max(pods_needed(p.max_nodes, p.pod_nodes) + 1 for p in cluster.pools)
    margin = nodes + len(cluster.pools) + 16
    heap_cap = 2 * margin + nodes + 2 * n_deliveries + 1024
    l0, l1 = queue_words(n_jobs)
    pol = config.policy
    par = np.zeros(L.N_PAR)
    par[L.P_HORIZON] = config.horizon_s
    par[L.P_SAMPLE_EVERY] = config.sample_every_s
    par[L.P_REPAIR_AUTO_S], par[L.P_REPAIR_MANUAL_S] = rel.repair_auto_s, rel.repair_manual_s
    par[L.P_ESCALATE], par[L.P_REPAIR_SHARE] = rel.escalate_share, rel.repair_share
    par[L.P_EST_FACTOR] = pol.estimate_factor()
    par[L.P_SPARE_FRACTION] = config.spares.fraction
    curve = np.asarray(config.serving.curve if config.serving is not None else (0.0,), float)
    par[L.P_SERVE_STEP_S] = 86_400.0 / curve.size
    buckets = end_buckets(config)
    par[L.P_BUCKET_S] = max(MIN_BUCKET_S, config.horizon_s / (buckets - 1)) if buckets > 1 else config.horizon_s
    ipar = np.zeros(L.N_IPAR, np.int64)
    ipar[L.I_POLICY] = int(pol.code)
    ipar[L.I_PLACEMENT] = config.placement.code
    ipar[L.I_SPARE_MIN_NODES] = config.spares.min_nodes
    ipar[L.I_SPARE_MIN_JOB] = config.spares.min_job_nodes
    ipar[L.I_TIMELINE] = int(config.record_timeline)
    ipar[L.I_DEPTH] = max(1, pol.backfill_depth())
    ipar[L.I_PREEMPT] = int(pol.preempt_enabled())
    ipar[L.I_QUOTAS] = int(pol.quotas is not None)
    ipar[L.I_SERVING] = int(config.serving is not None)
    ipar[L.I_RES_POOL] = -1
    ipar[L.I_TRACK_ENDS] = int(pol.capabilities.reservations)
    ipar[L.I_SCAN_LIMIT] = pol.quotas.scan_depth if pol.quotas is not None else 0
    ipar[L.I_BUCKETS] = buckets if pol.capabilities.reservations else 1
    cnt = np.zeros(L.N_CNT, np.int64)
    cnt[L.C_WIN_END] = np.iinfo(np.int64).max
    cnt[L.C_WIN_VERSION] = -1
    cnt[L.C_LIMIT] = event_limit
    G = max(1, group_share.size)
    grp = np.zeros((3, G), np.int64)
    grp[L.G_STAMP] = -1
    arena = 2 * nodes + max_pods + 64
    core = L.Core(
        h_t=np.zeros(heap_cap), h_i=np.zeros((heap_cap, 4), np.int64),
        q_l0=np.zeros(l0, np.uint64), q_l1=np.zeros(l1, np.uint64), ar=np.zeros((2, arena), np.int64),
        run_list=np.zeros(n_jobs + 1, np.int64), cnt=cnt, led=np.zeros(L.N_LED), par=par, ipar=ipar, grp=grp,
        grp_share=np.asarray(group_share, float) if group_share.size else np.zeros(1), serve_curve=curve,
        sc=np.zeros((3, max_pods), np.int64), win=np.zeros(max(1, pol.backfill_depth()), np.int64),
        wstate=np.full(len(cluster.pools) + 4, -1.0),
    )
    return core, margin


def build_output(config: OpsConfig, n_pools: int, margin: int) -> L.Output:
    samples = int(config.horizon_s // config.sample_every_s) + 2
    tl = config.record_timeline
    return L.Output(
        ser=np.zeros((samples, L.N_SERIES)), ser_pool=np.zeros((5, samples, n_pools)),
        seg=np.zeros((4 * margin if tl else 1, 6)), fail=np.zeros((1024 if tl else 1, 3)),
        deliv=np.zeros((256 if tl else 1, 3)),
    )


def delivery_arrays(cluster: OpsCluster) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rows = [(i, d.at_s, d.nodes) for i, p in enumerate(cluster.pools) for d in p.deliveries]
    return (np.array([r[0] for r in rows], np.int64), np.array([r[1] for r in rows], float),
            np.array([r[2] for r in rows], np.int64))
