"""The compiled event loop: capacity changes, job ends, repairs, failures, arrivals, serving steps and
samples, until the horizon.

Arrivals are read from the sorted jobs table with a cursor (they never enter the heap). After any event
that can free nodes the policy's pass runs. The loop keeps its place in `Core.cnt`, so when a buffer
runs short (`RC_GROW_*`) the driver grows it and calls again, and the run continues exactly.
"""

from __future__ import annotations

import math

from numba import njit

from colossim.ops.sim.actions import give_back
from colossim.ops.sim.borrow import borrowed
from colossim.ops.sim.failures import arm_failure_clock, on_failure, on_repair
from colossim.ops.sim.heap import heap_pop, heap_push, heap_top_before
from colossim.ops.sim.jobs import close_segment, enqueue, finish
from colossim.ops.sim.layout import (
    ACC_BUSY,
    ACC_DOWN,
    ACC_FREE,
    ACC_SERVE,
    ACC_SPARE,
    ARRIVAL,
    BURN,
    BURN_IN_S,
    BUSY,
    C_CURSOR,
    C_DELIV,
    C_DIRTY,
    C_DONE,
    C_EVENTS,
    C_FAIL,
    C_FAILURES,
    C_HEAP_N,
    C_LIMIT,
    C_Q_SIZE,
    C_RUN_N,
    C_SAMPLES,
    C_SEG,
    C_STALE,
    DELIVERY,
    DOWN,
    EPOCH,
    FAIL_EPOCH,
    FAILURE,
    FEASIBLE,
    FREE,
    G_QUOTA,
    GPN,
    I_QUOTAS,
    I_SERVING,
    I_TIMELINE,
    IN_SERVICE,
    JOB_END,
    NONE,
    OUTCOME,
    P_HORIZON,
    P_SAMPLE_EVERY,
    P_SERVE_STEP_S,
    PEND_RM,
    POOL,
    PRIORITY_OF,
    QUEUED,
    RC_DONE,
    RC_EVENT_LIMIT,
    RC_GROW_DELIV,
    RC_GROW_FAIL,
    RC_GROW_HEAP,
    RC_GROW_SEG,
    REPAIR,
    RUNNING,
    SAMPLE,
    SEG_END,
    SEG_HORIZON,
    SERVE,
    SERVE_SHARE,
    SERVE_STEP,
    SP_BUSY,
    SP_CAP,
    SP_CAP_S,
    SP_IDLE,
    SP_SERVE,
    SPARE,
    ST_QUEUED,
    ST_REJECTED,
    ST_RUNNING,
    STATE,
    STATUS,
    SUBMIT,
    ZERO,
)
from colossim.ops.sim.policies.dispatch import on_arrival, schedule
from colossim.ops.sim.poolstate import arrive, enter_service, in_service, remove, set_serving, touch

_ARRIVAL_PRIORITY = PRIORITY_OF[ARRIVAL]
DAY_S = 86_400.0


@njit(cache=True)
def init_events(pl, c, d_pool, d_at, d_nodes):
    """Deliveries: dated ones as events; ones before the start are in burn-in at 0 or in service."""
    for i in range(d_pool.size):
        p, at, nodes = d_pool[i], d_at[i], d_nodes[i]
        if at >= 0.0:
            heap_push(c, at, DELIVERY, p, nodes)
        elif nodes > 0:
            arrive(pl, p, nodes)
            heap_push(c, max(0.0, at + pl.pf[BURN_IN_S, p]), IN_SERVICE, p, nodes)
        else:
            heap_push(c, 0.0, DELIVERY, p, nodes)
    heap_push(c, 0.0, SAMPLE, ZERO, ZERO)
    if c.ipar[I_SERVING]:
        heap_push(c, 0.0, SERVE_STEP, ZERO, ZERO)


@njit(cache=True)
def _update_quotas(pl, c):
    """Each group may hold its share of the GPUs in service now."""
    total = 0
    for p in range(pl.pi.shape[1]):
        total += (in_service(pl, p) - pl.pi[PEND_RM, p]) * pl.pi[GPN, p]
    for g in range(c.grp.shape[1]):
        c.grp[G_QUOTA, g] = int(math.floor(c.grp_share[g] * total))


@njit(cache=True)
def _on_delivery(pl, c, out, p, nodes, t):
    touch(pl, p, t)
    if nodes > 0:
        arrive(pl, p, nodes)
        heap_push(c, t + pl.pf[BURN_IN_S, p], IN_SERVICE, p, nodes)
    else:
        remove(pl, c, p, -nodes)
        if c.ipar[I_SERVING]:
            _serve_pool(pl, c, p, t)
        if c.ipar[I_QUOTAS]:
            _update_quotas(pl, c)
    if c.ipar[I_TIMELINE]:
        i = c.cnt[C_DELIV]
        out.deliv[i, 0], out.deliv[i, 1], out.deliv[i, 2] = t, p, nodes
        c.cnt[C_DELIV] = i + 1


@njit(cache=True)
def _on_in_service(pl, c, p, nodes, t, rng_fail):
    touch(pl, p, t)
    enter_service(pl, c, p, nodes)
    arm_failure_clock(pl, c, p, t, rng_fail)
    if c.ipar[I_SERVING]:
        _serve_pool(pl, c, p, t)  # the serving share of the new capacity
    if c.ipar[I_QUOTAS]:
        _update_quotas(pl, c)


@njit(cache=True)
def _serve_pool(pl, c, p, t):
    """Hold pool p's serving share of its nodes at this time's point of the daily curve."""
    if pl.pf[SERVE_SHARE, p] <= 0.0:
        return
    curve = c.serve_curve
    point = curve[int((t % DAY_S) // c.par[P_SERVE_STEP_S]) % curve.size]
    touch(pl, p, t)
    set_serving(pl, c, p, int(round(pl.pf[SERVE_SHARE, p] * point * (in_service(pl, p) - pl.pi[PEND_RM, p]))))


@njit(cache=True)
def _on_serve(pl, c, t):
    """A step of the daily curve: every serving pool's share follows it."""
    step = c.par[P_SERVE_STEP_S]
    for p in range(pl.pi.shape[1]):
        _serve_pool(pl, c, p, t)
    if t + step < c.par[P_HORIZON]:
        heap_push(c, t + step, SERVE_STEP, ZERO, ZERO)


@njit(cache=True)
def sample(pl, c, out, t):
    """One row of the time series: GPU counts now, integrals so far, queue and failures."""
    s = c.cnt[C_SAMPLES]
    row = out.ser[s]
    for k in range(row.size):
        row[k] = 0.0
    row[0] = t
    pi, pf, sp = pl.pi, pl.pf, out.ser_pool
    for p in range(pi.shape[1]):
        touch(pl, p, t)
        g = pi[GPN, p]
        cap = in_service(pl, p) * g
        row[1] += cap
        row[2] += pi[BUSY, p] * g
        row[3] += pi[FREE, p] * g
        row[4] += pi[SPARE, p] * g
        row[5] += pi[DOWN, p] * g
        row[6] += pi[BURN, p] * g
        row[7] += pi[PEND_RM, p] * g
        row[8] += pi[SERVE, p] * g
        acc_cap = pf[ACC_BUSY, p] + pf[ACC_FREE, p] + pf[ACC_DOWN, p] + pf[ACC_SPARE, p] + pf[ACC_SERVE, p]
        row[11] += pf[ACC_BUSY, p] * g
        row[12] += acc_cap * g
        row[13] += pf[ACC_SERVE, p] * g
        sp[SP_CAP, s, p] = cap
        sp[SP_BUSY, s, p] = pf[ACC_BUSY, p] * g
        sp[SP_IDLE, s, p] = (pf[ACC_FREE, p] + pf[ACC_SPARE, p]) * g
        sp[SP_SERVE, s, p] = pf[ACC_SERVE, p] * g
        sp[SP_CAP_S, s, p] = acc_cap * g
    row[9] = c.cnt[C_Q_SIZE]
    row[10] = c.cnt[C_RUN_N]
    row[14] = c.cnt[C_FAILURES]
    c.cnt[C_SAMPLES] = s + 1
    nxt = t + c.par[P_SAMPLE_EVERY]
    if nxt <= c.par[P_HORIZON]:
        heap_push(c, nxt, SAMPLE, ZERO, ZERO)


@njit(cache=True)
def _room(c, out, margin):
    """A buffer to grow before the next event (one event adds at most `margin` entries to any)."""
    if c.h_t.size - c.cnt[C_HEAP_N] < margin:
        return RC_GROW_HEAP
    if c.ipar[I_TIMELINE]:
        if out.seg.shape[0] - c.cnt[C_SEG] < margin:
            return RC_GROW_SEG
        if out.fail.shape[0] - c.cnt[C_FAIL] < 2:
            return RC_GROW_FAIL
        if out.deliv.shape[0] - c.cnt[C_DELIV] < 2:
            return RC_GROW_DELIV
    return RC_DONE


@njit(cache=True)
def run(pl, jobs, c, out, rng_fail, rng_victim, rng_repair, margin):
    """Run events until the horizon; returns RC_DONE, or a buffer to grow (then call again)."""
    pl, jobs, c, out = borrowed(pl, jobs, c, out)
    horizon = c.par[P_HORIZON]
    jf, ji = jobs.jf, jobs.ji
    n = jf.shape[1]
    cnt = c.cnt
    while not cnt[C_DONE]:
        rc = _room(c, out, margin)
        if rc != RC_DONE:
            return rc
        if cnt[C_EVENTS] >= cnt[C_LIMIT]:
            return RC_EVENT_LIMIT
        ai = cnt[C_CURSOR]
        na = jf[SUBMIT, ai] if ai < n else math.inf
        if heap_top_before(c, na, _ARRIVAL_PRIORITY):
            t, kind, a, b = heap_pop(c)
        elif ai < n:
            t, kind, a, b = na, ARRIVAL, ai, ZERO
            cnt[C_CURSOR] = ai + 1
        else:
            break
        if t >= horizon:
            if kind == SAMPLE and t == horizon:
                sample(pl, c, out, t)
            break
        cnt[C_EVENTS] += 1
        if kind == JOB_END:
            if b != ji[EPOCH, a]:
                cnt[C_STALE] += 1
                continue
            touch(pl, ji[POOL, a], t)
            close_segment(pl, jobs, c, out, a, t, SEG_END)
            give_back(pl, jobs, c, a, NONE)
            finish(jobs, c, a, t, ji[OUTCOME, a])
        elif kind == ARRIVAL:
            if not ji[FEASIBLE, a]:
                finish(jobs, c, a, t, ST_REJECTED)
                continue
            enqueue(jobs, c, a)
            on_arrival(pl, jobs, c, out, a, t)
        elif kind == FAILURE:
            if b != pl.pi[FAIL_EPOCH, a]:
                cnt[C_STALE] += 1
                continue
            on_failure(pl, jobs, c, out, a, t, rng_fail, rng_victim, rng_repair)
        elif kind == REPAIR:
            on_repair(pl, c, a, b, t)
        elif kind == SAMPLE:
            sample(pl, c, out, t)
        elif kind == IN_SERVICE:
            _on_in_service(pl, c, a, b, t, rng_fail)
        elif kind == SERVE_STEP:
            _on_serve(pl, c, t)
        else:
            _on_delivery(pl, c, out, a, b, t)
        if cnt[C_DIRTY]:
            cnt[C_DIRTY] = 0
            schedule(pl, jobs, c, out, t)
    cnt[C_DONE] = 1
    return RC_DONE


@njit(cache=True)
def finalize(pl, jobs, c, out):
    """At the horizon: close running segments (progress kept), final statuses, a last sample."""
    pl, jobs, c, out = borrowed(pl, jobs, c, out)
    horizon = c.par[P_HORIZON]
    for p in range(pl.pi.shape[1]):
        touch(pl, p, horizon)
    ji = jobs.ji
    for j in range(ji.shape[1]):
        st = ji[STATE, j]
        if st == RUNNING:
            close_segment(pl, jobs, c, out, j, horizon, SEG_HORIZON)
            ji[STATUS, j] = ST_RUNNING
        elif st == QUEUED:
            ji[STATUS, j] = ST_QUEUED
    s = c.cnt[C_SAMPLES]
    if s == 0 or out.ser[s - 1, 0] < horizon:
        sample(pl, c, out, horizon)


__all__ = ["finalize", "init_events", "run", "sample"]
