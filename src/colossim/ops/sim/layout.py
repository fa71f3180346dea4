"""The simulation state as structure-of-arrays: a few named tuples of 2-D numpy arrays that the compiled
kernel reads and writes in place (no object per job, node or event). Rows of each array are named by
the index constants below, e.g. `pl.pi[FREE, p]` (free nodes of pool p) or `jobs.ji[STATE, j]`.

- `Pools`: per pool counters (`pi`) and time integrals (`pf`), per pod node counts (`pod`), the victim
  tree (nodes held per running job), the nodes running jobs free by end-time bucket (`bk_tree`, a
  Fenwick tree, and `bk_head`, each bucket's first job: EASY reservations) and the nodes held per
  priority rank (preemption).
- `Jobs`: the jobs table (one column per job) with its GPU-time ledger columns.
- `Core`: the event heap, the job queue bitmap, the allocation arena, the running list, counters,
  parameters, quota groups and the serving curve.
- `Output`: the time series and the optional timeline buffers.
(Few fields per tuple keep the compile time short; the arrays are all C-contiguous int64 or float64.)
"""

from __future__ import annotations

from collections import namedtuple

import numpy as np


def _ids(n: int) -> tuple[np.int64, ...]:
    """Index constants as numpy int64: numba types a Python int global as a literal and compiles a
    function once per literal value passed to it; an int64 global is typed int64, compiled once."""
    return tuple(np.int64(i) for i in range(n))


Pools = namedtuple("Pools", ["pi", "pf", "pod", "tree", "bk_tree", "bk_head", "prio_nodes"])
Jobs = namedtuple("Jobs", ["jf", "ji", "needp", "order"])
Core = namedtuple(
    "Core",
    ["h_t", "h_i", "q_l0", "q_l1", "ar", "run_list", "cnt", "led", "par", "ipar", "grp", "grp_share",
     "serve_curve", "sc", "win", "wstate"],
)
Output = namedtuple("Output", ["ser", "ser_pool", "seg", "fail", "deliv"])

# ---- Pools.pi: int64 [N_PI, P]
(FREE, BUSY, DOWN, SPARE, BURN, PEND_RM, SPARE_TGT, FAIL_EPOCH, FAIL_BOUND, POD_LO, POD_N, POD_NODES, GPN,
 SERVE, SERVE_PEND, N_PI) = _ids(16)
# ---- Pools.pf: float64 [N_PF, P] (node-seconds integrals, last update, rates)
(ACC_BUSY, ACC_FREE, ACC_DOWN, ACC_SPARE, ACC_BURN, ACC_SERVE, ACC_SERVE_PEND, LAST_T, RATE_S, BURN_IN_S,
 SERVE_SHARE, N_PF) = _ids(12)
# ---- Pools.pod: int64 [4, K] per pod (pods of pool p: POD_LO .. POD_LO + POD_N); installed = free+busy+down
PFREE, PBUSY, PDOWN, PINST = _ids(4)

# ---- Jobs.jf: float64 [N_JF, n]
(SUBMIT, REMAINING, TAU, DELTA, RESTART, FIRST_START, END_S, SEG_START, SEG_OVER, SEG_CKPT, EST, END_EST,
 RUN_S, LOST_GS, N_JF) = _ids(15)
# ---- Jobs.ji: int64 [N_JI, n]
(GPUS, PRIO, OUTCOME, FEASIBLE, MIN_NEED, GROUP, QRANK, STATE, STATUS, EPOCH, POOL, ANODES, ALO, ALEN,
 INTERRUPTS, PREEMPTS, PODS_USED, ELIG, RUN_POS, PRANK, END_BUCKET, END_NEXT, END_PREV, N_JI) = _ids(24)

# ---- Core.h_i columns [H, 4] (the heap's int part; times are in Core.h_t)
HK_KEY, HK_KIND, HK_A, HK_B = _ids(4)
# ---- Core.ar rows: allocation arena of (pod, nodes) entries of running jobs
AR_POD, AR_CNT = _ids(2)
# ---- Core.grp rows: quota groups (GPUs in use, GPUs allowed, pass stamp of a blocked group)
G_USED, G_QUOTA, G_STAMP = _ids(3)
# ---- Core.sc rows: placement scratch (pod, nodes) of the chosen allocation, and pod order
SC_POD, SC_CNT, SC_ORDER = _ids(3)
# ---- Output.ser_pool planes [5, S, P]: GPUs in service, cumulative busy / idle / serving / in-service
# GPU-seconds
SP_CAP, SP_BUSY, SP_IDLE, SP_SERVE, SP_CAP_S = _ids(5)

# ---- event kinds (and their same-time priorities: capacity first, then releases, failures, arrivals)
IN_SERVICE, JOB_END, REPAIR, FAILURE, ARRIVAL, DELIVERY, SERVE_STEP, _, SAMPLE = _ids(9)
PRIORITY_OF = {int(IN_SERVICE): 0, int(DELIVERY): 0, int(SERVE_STEP): 0, int(JOB_END): 1, int(REPAIR): 2,
               int(FAILURE): 3, int(ARRIVAL): 4, int(SAMPLE): 8}
SEQ_BITS = 44

# ---- job states during the run; final statuses index exports.results.STATUSES
WAITING, QUEUED, RUNNING, DONE = _ids(4)
ST_REJECTED, ST_RUNNING, ST_QUEUED, ST_NOT_SUBMITTED = _ids(7)[3:]  # after the user outcomes (0, 1, 2)
SEG_END, SEG_STOP, SEG_HORIZON = _ids(3)
NONE, ZERO = np.int64(-1), np.int64(0)  # "no pod / no job", and a zero payload, as int64

# ---- Core.cnt: int64 counters and loop state
(C_EVENTS, C_STALE, C_THINNED, C_FAILURES, C_HIT, C_SOFT, C_REPAIRS, C_PREEMPT, C_SWAPS, C_FINISHED,
 C_CURSOR, C_HEAP_N, C_HEAP_SEQ, C_AR_TOP, C_Q_SIZE, C_RUN_N, C_SAMPLES, C_SEG, C_FAIL, C_DELIV,
 C_DIRTY, C_DONE, C_Q_VERSION, C_WIN_VERSION, C_WIN_N, C_WIN_END, C_WIN_LEAST, C_LIMIT, N_CNT) = _ids(29)

# ---- Core.led: float64 ledger of GPU-seconds
L_USEFUL, L_CKPT, L_LOST, L_FRAG, N_LED = _ids(5)

# ---- Core.par: float64 parameters (and the backfill reservation, kept between passes)
(P_HORIZON, P_SAMPLE_EVERY, P_REPAIR_AUTO_S, P_REPAIR_MANUAL_S, P_ESCALATE, P_REPAIR_SHARE, P_EST_FACTOR,
 P_SPARE_FRACTION, P_SERVE_STEP_S, P_RES_SHADOW, P_RES_EXTRA, P_BUCKET_S, N_PAR) = _ids(13)

# ---- Core.ipar: int64 parameters (and the reservation's pool and the quota pass stamp)
(I_POLICY, I_PLACEMENT, I_SPARE_MIN_NODES, I_SPARE_MIN_JOB, I_TIMELINE, I_DEPTH, I_PREEMPT, I_QUOTAS,
 I_SERVING, I_RES_POOL, I_TRACK_ENDS, I_SCAN_LIMIT, I_PASS, I_BUCKETS, N_IPAR) = _ids(15)

# ---- kernel return codes: finished, or a buffer to grow before calling again
RC_DONE, RC_GROW_HEAP, RC_GROW_SEG, RC_GROW_FAIL, RC_GROW_DELIV, RC_EVENT_LIMIT = _ids(6)

# ---- time-series columns of Output.ser
SERIES_KEYS = (
    "t_s", "capacity_gpus", "busy_gpus", "idle_gpus", "spare_gpus", "down_gpus", "burn_in_gpus",
    "removal_pending_gpus", "serving_gpus", "queued_jobs", "running_jobs", "acc_busy_gpu_s",
    "acc_capacity_gpu_s", "acc_serving_gpu_s", "failures",
)
N_SERIES = len(SERIES_KEYS)
