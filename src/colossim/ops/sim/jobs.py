"""The jobs table's life cycle and its GPU-time ledger.

A job has `remaining` seconds of compute. It checkpoints every tau seconds of compute, each write
blocking for delta, so a segment (a start or restart to its end) lasts R + W + delta x ceil(W / tau)
(R = restart time, only after an interruption). An interruption loses the work since the last completed
checkpoint (a write in progress included). Closing a segment books its GPU-time into the ledger:
useful + checkpoint + lost, plus fragmentation (GPUs allocated but not asked for).
"""

from __future__ import annotations

import math

from numba import njit

from colossim.ops.sim.heap import heap_push
from colossim.ops.sim.layout import (
    ANODES,
    C_FINISHED,
    C_SEG,
    DELTA,
    DONE,
    END_EST,
    END_S,
    EPOCH,
    EST,
    FIRST_START,
    GPN,
    GPUS,
    I_TIMELINE,
    I_TRACK_ENDS,
    JOB_END,
    L_CKPT,
    L_FRAG,
    L_LOST,
    L_USEFUL,
    LOST_GS,
    P_EST_FACTOR,
    POOL,
    QUEUED,
    REMAINING,
    RESTART,
    RUN_S,
    SEG_CKPT,
    SEG_END,
    SEG_HORIZON,
    SEG_OVER,
    SEG_START,
    STATE,
    STATUS,
    TAU,
)
from colossim.ops.sim.queue import q_insert
from colossim.ops.sim.running import ends_insert, ends_remove


@njit(cache=True, inline="always")
def wall_time(jobs, j, overhead):
    """R + W + delta x ceil(W / tau): a segment's length without interruptions."""
    jf = jobs.jf
    w, tau, d = jf[REMAINING, j], jf[TAU, j], jf[DELTA, j]
    n_ckpt = math.ceil(w / tau) if d > 0.0 and math.isfinite(tau) else 0.0
    return overhead + w + n_ckpt * d


@njit(cache=True, inline="always")
def begin_segment(pl, jobs, c, j, overhead, t):
    """Run job j from t (after `overhead` s of restart) and schedule its end."""
    jf, ji = jobs.jf, jobs.ji
    jf[SEG_START, j] = t
    jf[SEG_OVER, j] = overhead
    wall = wall_time(jobs, j, overhead)
    jf[SEG_CKPT, j] = wall - overhead - jf[REMAINING, j]
    ji[EPOCH, j] += 1
    heap_push(c, t + wall, JOB_END, j, ji[EPOCH, j])
    if c.ipar[I_TRACK_ENDS]:
        jf[END_EST, j] = t + wall * c.par[P_EST_FACTOR]
        ends_insert(pl, jobs, c, ji[POOL, j], j)


@njit(cache=True, inline="always")
def restart_in_place(pl, jobs, c, j, t):
    """After a software failure or a spare swap: the job restarts on its nodes."""
    if c.ipar[I_TRACK_ENDS]:
        ends_remove(pl, jobs, c, jobs.ji[POOL, j], j)
    begin_segment(pl, jobs, c, j, jobs.jf[RESTART, j], t)


@njit(cache=True, inline="always")
def close_segment(pl, jobs, c, out, j, t, why):
    """Book the segment [seg_start, t) into the ledger; `why`: SEG_END (work done), SEG_STOP (interrupted:
    work since the last checkpoint is lost) or SEG_HORIZON (still running: progress is not lost yet)."""
    jf, ji = jobs.jf, jobs.ji
    wall = t - jf[SEG_START, j]
    w, tau, d = jf[REMAINING, j], jf[TAU, j], jf[DELTA, j]
    if why == SEG_END:
        useful, ckpt = w, jf[SEG_CKPT, j]
    else:
        e = wall - jf[SEG_OVER, j]
        useful = ckpt = 0.0
        if e > 0.0:
            cyc = tau + d
            k = math.floor(e / cyc) if math.isfinite(cyc) else 0.0
            done = k * tau if k > 0 else 0.0
            if why == SEG_HORIZON:  # progress since the last checkpoint is not lost yet
                part = e - k * cyc if k > 0 else e
                useful = min(w, done + min(tau, part))
                ckpt = k * d + max(0.0, part - tau)
            else:
                useful = min(w, done)
                ckpt = k * d
    lost = wall - useful - ckpt
    g = ji[GPUS, j]
    p = ji[POOL, j]
    alloc_gpus = ji[ANODES, j] * pl.pi[GPN, p]
    c.led[L_USEFUL] += useful * g
    c.led[L_CKPT] += ckpt * g
    c.led[L_LOST] += lost * g
    c.led[L_FRAG] += wall * (alloc_gpus - g)
    jf[LOST_GS, j] += lost * g
    jf[RUN_S, j] += wall
    jf[REMAINING, j] = w - useful
    if c.ipar[I_TIMELINE]:
        i = c.cnt[C_SEG]
        seg = out.seg
        seg[i, 0], seg[i, 1], seg[i, 2], seg[i, 3], seg[i, 4], seg[i, 5] = j, p, jf[SEG_START, j], t, alloc_gpus, why
        c.cnt[C_SEG] = i + 1


@njit(cache=True, inline="always")
def enqueue(jobs, c, j):
    """Queue job j with its run-time estimate (remaining work, checkpoints, a restart if it ran before)."""
    jobs.ji[STATE, j] = QUEUED
    overhead = 0.0 if math.isnan(jobs.jf[FIRST_START, j]) else jobs.jf[RESTART, j]
    jobs.jf[EST, j] = wall_time(jobs, j, overhead) * c.par[P_EST_FACTOR]
    q_insert(c, jobs, j)


@njit(cache=True, inline="always")
def finish(jobs, c, j, t, status):
    jobs.ji[STATE, j] = DONE
    jobs.ji[STATUS, j] = status
    jobs.jf[END_S, j] = t
    c.cnt[C_FINISHED] += 1
