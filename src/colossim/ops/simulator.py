"""The operations simulator: jobs, failures, repairs and deliveries on node pools over months.

`simulate(cluster, workload, config)` is pure: same inputs and seed, same result. Events:

- DELIVERY / IN_SERVICE: racks arrive, then enter service after the pool's burn-in (or nodes are removed);
- ARRIVAL: a job is queued (read from the sorted workload arrays with a cursor, not through the heap);
- JOB_END: a job finishes its work and ends with its user outcome;
- FAILURE: one superposed exponential clock per pool (rate = up nodes x per-node rate, re-armed whenever
  the up count changes, which memorylessness allows); the failed node is drawn uniformly among up nodes
  (busy nodes hit the job holding them, in proportion to its nodes). A share of failures (software)
  only restart the job; the rest take the node down for repair (a spare takes its place if there is one,
  otherwise the job requeues);
- REPAIR: the node comes back (to the spares first, then its pod);
- SAMPLE: the time series.

After any event that can free nodes the policy's scheduling pass runs.
"""

from __future__ import annotations

import heapq
import math
from bisect import bisect_left, insort

import numpy as np

from colossim.ops import defaults
from colossim.ops.config import OpsConfig
from colossim.ops.engine import (
    ARRIVAL,
    FAILURE,
    IN_SERVICE,
    JOB_END,
    REPAIR,
    SAMPLE,
    EventQueue,
    Uniforms,
    spawn_streams,
)
from colossim.ops.policies import JobQueue, Reservation
from colossim.ops.pools import OpsCluster
from colossim.ops.results import OpsResult, Timeline, build_result
from colossim.ops.state import PoolState
from colossim.ops.workload import ANY_GPU, Workload
from colossim.reliability import daly_interval_s, young_interval_s

DELIVERY = 5
SERIES_KEYS = (
    "t_s", "capacity_gpus", "busy_gpus", "idle_gpus", "spare_gpus", "down_gpus", "burn_in_gpus",
    "removal_pending_gpus", "queued_jobs", "running_jobs", "acc_busy_gpu_s", "acc_capacity_gpu_s",
    "acc_energy_kwh", "failures",
)
INF = math.inf
DAY_S = 86_400.0

# job states during the run; final statuses are in results.STATUSES
QUEUED, RUNNING, DONE, WAITING = 0, 1, 2, 3
ST_REJECTED, ST_RUNNING, ST_QUEUED, ST_NOT_SUBMITTED = 3, 4, 5, 6  # after the three user outcomes (0, 1, 2)


class _Run:
    """One simulation's mutable state and event handlers (private; use `simulate`)."""

    def __init__(self, cluster: OpsCluster, workload: Workload, config: OpsConfig) -> None:
        self.cluster = cluster
        self.config = config
        self.horizon = config.horizon_s
        streams = spawn_streams(config.seed)
        self.u_fail = Uniforms(streams["failures"])
        self.u_victim = Uniforms(streams["victims"])
        self.u_repair = Uniforms(streams["repairs"])

        fcfg = config.failures
        rate_ref = (
            fcfg.failures_per_1000_node_days
            if fcfg.failures_per_1000_node_days is not None
            else defaults.failures_per_1000_node_days(fcfg.preset).value
        )
        self.repair_share = (
            fcfg.node_repair_share
            if fcfg.node_repair_share is not None
            else defaults.node_repair_share(fcfg.preset).value
        )
        auto_h, manual_h, esc = defaults.repair_hours()
        rc = config.repair
        self.repair_auto_s = 3600.0 * (rc.automated_h if rc.automated_h is not None else auto_h.value)
        self.repair_manual_s = 3600.0 * (rc.manual_h if rc.manual_h is not None else manual_h.value)
        self.escalate = rc.escalate_share if rc.escalate_share is not None else esc.value

        self.pools: list[PoolState] = []
        self.rate_per_node_day: list[float] = []
        for i, spec in enumerate(cluster.pools):
            if spec.failures_per_node_day is not None:
                per_day = spec.failures_per_node_day
            else:  # preset rates are per 8-GPU node: scale to this pool's node size (constant rate per GPU)
                per_day = rate_ref / 1000.0 * spec.gpus_per_node / defaults.REFERENCE_GPUS_PER_NODE
            if not fcfg.enabled:
                per_day = 0.0
            self.rate_per_node_day.append(per_day)
            self.pools.append(PoolState(i, spec, per_day / DAY_S))
        self.spares = config.spares
        self.placement = config.placement
        self.policy = config.policy.build()
        self.estimate_factor = float(getattr(config.policy, "runtime_estimate_factor", 1.0))
        # bookkeeping only some policies read: running jobs' estimated ends (EASY reservations) and
        # running nodes per priority (preemption)
        self.track_ends = bool(getattr(self.policy, "uses_reservations", False))
        self.track_prio = bool(getattr(self.policy, "uses_priority_nodes", False))

        self._load_jobs(workload)
        self.queue = JobQueue(lambda j: self.policy.key(self, j))
        self.events = EventQueue()
        self.dirty = False
        self.n_events = self.n_stale = self.n_thinned = 0
        self.failures = self.failures_hit_jobs = self.failures_software = self.repairs = 0
        self.preemptions = self.spare_swaps = 0
        self.useful_gs = self.ckpt_gs = self.lost_gs = self.frag_gs = 0.0
        self.series_rows: list[tuple] = []  # one row of SERIES_KEYS per sample
        self.series_pool_cap: list[list[int]] = []  # in-service GPUs per pool per sample
        self.timeline = Timeline() if config.record_timeline else None

    # ----------------------------------------------------------------------------------- set-up
    def _load_jobs(self, w: Workload) -> None:
        n = len(w)
        self.n_jobs = n
        self.sub: list[float] = w.submit_s.tolist()
        self.gpus: list[int] = w.gpus.tolist()
        self.prio: list[int] = w.priority.tolist()
        self.outcome: list[int] = w.outcome.tolist()
        self.remaining: list[float] = w.duration_s.tolist()
        rec = self.config.recovery
        restart_default = rec.restart_s if rec.restart_s is not None else defaults.restart_s().value

        def col(values: np.ndarray | None, default: float) -> list[float]:
            if values is None:
                return [default] * n
            return np.where(np.isnan(values), default, values).tolist()

        # eligible pools per GPU-type code
        by_type: dict[int, list[int]] = {ANY_GPU: list(range(len(self.pools)))}
        for code, name in enumerate(w.gpu_types):
            by_type[code] = [p.idx for p in self.pools if p.spec.gpu == name]
        codes = w.gpu_type.tolist()
        self.eligible: list[list[int]] = [by_type[c] for c in codes]
        self.needp: list[list[int]] = [p.spec.nodes_for(w.gpus).tolist() for p in self.pools]
        self.tau = col(w.checkpoint_interval_s, math.nan)
        if np.isnan(self.tau).any():
            default_tau = self._default_intervals(w, by_type)
            self.tau = [
                d if math.isnan(t) else t for t, d in zip(self.tau, default_tau.tolist(), strict=True)
            ]
        self.delta = col(w.checkpoint_write_s, rec.checkpoint_write_s)
        self.restart = col(w.restart_s, restart_default)
        usable = [p.spec.max_nodes - self.spares.target(p.spec.max_nodes) for p in self.pools]
        need_arr = np.array(self.needp) if self.pools else np.zeros((0, n))
        feasible = np.zeros(n, bool)
        for code, pools in by_type.items():
            mask = w.gpu_type == code
            for p in pools:
                feasible[mask] |= need_arr[p][mask] <= usable[p]
        self.feasible: list[bool] = feasible.tolist()
        min_need = np.full(n, np.iinfo(np.int64).max)
        for code, pools in by_type.items():
            mask = w.gpu_type == code
            for p in pools:
                min_need[mask] = np.minimum(min_need[mask], need_arr[p][mask])
        self.min_need: list[int] = min_need.tolist()
        self.state = [WAITING] * n
        self.status = [ST_NOT_SUBMITTED] * n
        self.first_start = [math.nan] * n
        self.end_s = [math.nan] * n
        self.epoch = [0] * n
        self.alloc: list[list[list[int]] | None] = [None] * n
        self.alloc_nodes = [0] * n
        self.pool = [-1] * n
        self.seg_start = [0.0] * n
        self.seg_over = [0.0] * n
        self.seg_ckpt = [0.0] * n
        self.end_key: list[tuple[float, int] | None] = [None] * n
        self.started = [False] * n
        self.interrupts = [0] * n
        self.pods_used = [0] * n
        self.est = [0.0] * n
        self.preempts = [0] * n
        self.run_s = [0.0] * n
        self.job_lost_gs = [0.0] * n
        self.finished = 0

    def _default_intervals(self, w: Workload, by_type: dict[int, list[int]]) -> np.ndarray:
        """Checkpoint interval of ordinary jobs: a fixed number, or Young/Daly for each job's MTTF
        (1 / (nodes x node failure rate) in its first eligible pool)."""
        rec = self.config.recovery
        n = len(w)
        if not isinstance(rec.checkpoint_interval, str):
            return np.full(n, float(rec.checkpoint_interval))
        rate = np.zeros(n)  # failures per second for the whole job
        for code, pools in by_type.items():
            if pools:
                mask = w.gpu_type == code
                p = pools[0]
                rate[mask] = np.asarray(self.needp[p], dtype=float)[mask] * self.pools[p].rate_per_node_s
        tau = np.full(n, math.inf)
        ok = rate > 0
        if ok.any():
            fn = young_interval_s if rec.checkpoint_interval == "young" else daly_interval_s
            tau[ok] = fn(rec.checkpoint_write_s, 1.0 / rate[ok])
        return tau

    # ------------------------------------------------------------------------- policy interface
    def submit_s(self, job: int) -> float:
        return self.sub[job]

    def priority(self, job: int) -> int:
        return self.prio[job]

    def need(self, job: int, pool: int) -> int:
        return self.needp[pool][job]

    def job_pool(self, job: int) -> int:
        return self.pool[job]

    def estimated_runtime_s(self, job: int) -> float:
        """Run-time estimate of a queued job (its remaining work, checkpoints and restart)."""
        return self.est[job]

    def pool_free(self) -> list[int]:
        return [ps.n_free for ps in self.pools]

    def free_nodes_total(self) -> int:
        return sum(ps.n_free for ps in self.pools)

    def max_free_nodes(self) -> int:
        return max(ps.n_free for ps in self.pools)

    def fit_options(self, job: int) -> list[int]:
        return [p for p in self.eligible[job] if self.pools[p].n_free >= self.needp[p][job]]

    def start(self, job: int, pools: list[int], t: float) -> bool:
        if not pools:
            return False
        options = [(p, self.pools[p].free, self.pools[p].n_free, self.needp[p][job]) for p in pools]
        choice = self.placement.choose(options)
        if choice is None:
            return False
        self._start(job, choice[0], choice[1], t)
        return True

    def reservation(self, job: int, t: float) -> Reservation | None:
        best: Reservation | None = None
        for p in self.eligible[job]:
            ps = self.pools[p]
            need = self.needp[p][job]
            if ps.n_free + ps.n_busy < need:
                continue  # cannot fit until repairs or deliveries arrive
            cum = ps.n_free
            res = None
            if cum >= need:
                res = Reservation(t, p, cum - need)
            else:
                for end, v in ps.ends:
                    cum += self.alloc_nodes[v]
                    if cum >= need:
                        res = Reservation(end, p, cum - need)
                        break
            if res is not None and (best is None or res.shadow_s < best.shadow_s):
                best = res
        return best

    def preempt_for(self, job: int, t: float) -> bool:
        pj = self.prio[job]
        for p in self.eligible[job]:
            ps = self.pools[p]
            need = self.needp[p][job]
            lower = sum(nodes for pr, nodes in ps.prio_nodes.items() if pr < pj)
            if ps.n_free + lower < need:
                continue
            victims = sorted((self.prio[v], -self.seg_start[v], v) for v in ps.running if self.prio[v] < pj)
            for _, _, v in victims:
                if ps.n_free >= need:
                    break
                self._stop(v, t, preempted=True)
            return True
        return False

    # ------------------------------------------------------------------------------ job mechanics
    def _wall(self, j: int, overhead: float) -> float:
        w, tau, d = self.remaining[j], self.tau[j], self.delta[j]
        n_ckpt = math.ceil(w / tau) if d > 0.0 else 0
        return overhead + w + n_ckpt * d

    def _start(self, j: int, p: int, alloc: list[list[int]], t: float) -> None:
        ps = self.pools[p]
        ps.touch(t)
        n = 0
        free, busy, pod_jobs = ps.free, ps.busy, ps.pod_jobs
        for k, c in alloc:
            free[k] -= c
            busy[k] += c
            pod_jobs[k][j] = c
            n += c
        ps.n_free -= n
        ps.n_busy += n
        ps.running[j] = n
        if self.track_prio:
            pr = self.prio[j]
            ps.prio_nodes[pr] = ps.prio_nodes.get(pr, 0) + n
        self.alloc[j] = alloc
        self.alloc_nodes[j] = n
        self.pods_used[j] = len(alloc)
        self.pool[j] = p
        self.state[j] = RUNNING
        if not self.started[j]:
            self.started[j] = True
            self.first_start[j] = t
            overhead = 0.0
        else:
            overhead = self.restart[j]
        self._begin_segment(j, ps, overhead, t)

    def _begin_segment(self, j: int, ps: PoolState, overhead: float, t: float) -> None:
        self.seg_start[j] = t
        self.seg_over[j] = overhead
        wall = self._wall(j, overhead)
        self.seg_ckpt[j] = wall - overhead - self.remaining[j]
        self.epoch[j] += 1
        self.events.push(t + wall, JOB_END, JOB_END, j, self.epoch[j])
        if self.track_ends:
            key = (t + wall * self.estimate_factor, j)
            self.end_key[j] = key
            insort(ps.ends, key)

    def _close_segment(self, j: int, t: float, completed: bool, horizon: bool = False) -> None:
        wall = t - self.seg_start[j]
        w, tau, d = self.remaining[j], self.tau[j], self.delta[j]
        if completed:
            useful, ckpt = w, self.seg_ckpt[j]
        else:
            e = wall - self.seg_over[j]
            if e <= 0.0:
                useful = ckpt = 0.0
            else:
                cyc = tau + d
                k = int(e // cyc)
                done = k * tau if k else 0.0
                if horizon:  # progress since the last checkpoint is not lost yet
                    part = e - k * cyc if k else e
                    useful = min(w, done + min(tau, part))
                    ckpt = k * d + max(0.0, part - tau)
                else:
                    useful = min(w, done)
                    ckpt = k * d
        lost = wall - useful - ckpt
        g = self.gpus[j]
        self.useful_gs += useful * g
        self.ckpt_gs += ckpt * g
        self.lost_gs += lost * g
        self.job_lost_gs[j] += lost * g
        ps = self.pools[self.pool[j]]
        self.frag_gs += wall * (self.alloc_nodes[j] * ps.gpn - g)
        self.run_s[j] += wall
        self.remaining[j] = w - useful
        if self.timeline is not None:
            self.timeline.segments.append(
                (
                    j,
                    ps.idx,
                    self.seg_start[j],
                    t,
                    self.alloc_nodes[j] * ps.gpn,
                    "end" if completed else ("horizon" if horizon else "stop"),
                )
            )

    def _release(self, j: int, t: float) -> None:
        ps = self.pools[self.pool[j]]
        ps.touch(t)
        freed = 0
        for k, c in self.alloc[j]:
            ps.busy[k] -= c
            ps.pod_jobs[k].pop(j, None)
            if ps.pending_removal:
                m = min(c, ps.pending_removal)
                ps.pending_removal -= m
                ps.inst[k] -= m
                c -= m
            ps.free[k] += c
            freed += c
        n = self.alloc_nodes[j]
        ps.n_busy -= n
        ps.n_free += freed
        del ps.running[j]
        if self.track_prio:
            ps.prio_nodes[self.prio[j]] -= n
        if self.track_ends:
            del ps.ends[bisect_left(ps.ends, self.end_key[j])]
            self.end_key[j] = None
        self.alloc[j] = None
        self.alloc_nodes[j] = 0
        self.dirty = True

    def _stop(self, j: int, t: float, preempted: bool) -> None:
        """Preempt a running job: lose work since its checkpoint, give back its nodes, requeue it."""
        self._close_segment(j, t, completed=False)
        if preempted:
            self.preempts[j] += 1
            self.preemptions += 1
        self._release(j, t)
        self._requeue(j)

    def _requeue(self, j: int) -> None:
        self.epoch[j] += 1
        self._enqueue(j)
        self.dirty = True

    def _enqueue(self, j: int) -> None:
        self.state[j] = QUEUED
        self.est[j] = self._wall(j, self.restart[j] if self.started[j] else 0.0) * self.estimate_factor
        self.queue.push(j)

    def _restart_in_place(self, j: int, t: float) -> None:
        ps = self.pools[self.pool[j]]
        if self.track_ends:
            del ps.ends[bisect_left(ps.ends, self.end_key[j])]
        self._begin_segment(j, ps, self.restart[j], t)

    def _finish(self, j: int, t: float, status: int) -> None:
        if self.state[j] == DONE:  # pragma: no cover - guarded by epochs; kept as an invariant check
            raise RuntimeError(f"job {j} ended twice")
        self.state[j] = DONE
        self.status[j] = status
        self.end_s[j] = t
        self.finished += 1

    # ------------------------------------------------------------------------------ failures
    def _arm_failure(self, ps: PoolState, t: float) -> None:
        """(Re)start the pool's failure clock at rate r x B, B = nodes in service now. Each firing is
        accepted with probability up / B (thinning: exact for the rate r x up(t) while B >= in-service
        nodes), so only deliveries need a re-arm, not every failure or repair."""
        ps.fail_epoch += 1
        ps.fail_bound = ps.in_service
        rate = ps.rate_per_node_s * ps.fail_bound
        if rate > 0.0:
            self.events.push(t + self.u_fail.exponential(1.0 / rate), FAILURE, FAILURE, ps.idx, ps.fail_epoch)

    def _repair_time(self) -> float:
        dt = self.u_repair.exponential(self.repair_auto_s)
        if self.u_repair.next() < self.escalate:
            dt += self.u_repair.exponential(self.repair_manual_s)
        return dt

    def _on_failure(self, p: int, t: float) -> None:
        ps = self.pools[p]
        self.events.push(t + self.u_fail.exponential(1.0 / (ps.rate_per_node_s * ps.fail_bound)), FAILURE, FAILURE,
                         p, ps.fail_epoch)
        u = self.u_victim.next() * ps.fail_bound  # a node of the bound: up ones fail, the rest are thinned out
        if u >= ps.up:
            self.n_thinned += 1
            return
        ps.touch(t)
        self.failures += 1
        needs_repair = self.u_victim.next() < self.repair_share
        if not needs_repair:
            self.failures_software += 1
        if u < ps.n_busy:
            acc = 0
            k = 0
            for k, b in enumerate(ps.busy):  # noqa: B007 - k is used after the loop
                acc += b
                if u < acc:
                    break
            rem = u - (acc - ps.busy[k])
            victim = -1
            for v, c in ps.pod_jobs[k].items():
                victim = v
                if rem < c:
                    break
                rem -= c
            self._interrupt(victim, ps, k, needs_repair, t)
        elif u < ps.n_busy + ps.n_free:
            if needs_repair:
                rem = u - ps.n_busy
                acc = 0
                k = 0
                for k, f in enumerate(ps.free):  # noqa: B007
                    acc += f
                    if rem < acc:
                        break
                ps.free[k] -= 1
                ps.n_free -= 1
                ps.down[k] += 1
                ps.n_down += 1
                self._send_to_repair(ps, k, t)
        elif needs_repair:
            ps.n_spare -= 1
            ps.n_down += 1
            self._send_to_repair(ps, -1, t)
        if self.timeline is not None:
            self.timeline.failures.append((t, p, needs_repair))

    def _send_to_repair(self, ps: PoolState, k: int, t: float) -> None:
        self.events.push(t + self._repair_time(), REPAIR, REPAIR, ps.idx, k)

    def _interrupt(self, j: int, ps: PoolState, k: int, needs_repair: bool, t: float) -> None:
        self.failures_hit_jobs += 1
        self.interrupts[j] += 1
        self._close_segment(j, t, completed=False)
        if not needs_repair:
            self._restart_in_place(j, t)
            return
        ps.down[k] += 1
        ps.n_down += 1
        if ps.n_spare > 0 and self.alloc_nodes[j] >= self.spares.min_job_nodes:
            ps.n_spare -= 1  # the spare takes the failed node's place in pod k
            ps.inst[k] += 1
            self.spare_swaps += 1
            self._restart_in_place(j, t)
        else:
            ps.busy[k] -= 1
            ps.n_busy -= 1
            ps.running[j] -= 1
            if self.track_prio:
                ps.prio_nodes[self.prio[j]] -= 1
            alloc = self.alloc[j]
            for entry in alloc:
                if entry[0] == k:
                    entry[1] -= 1
                    break
            if ps.pod_jobs[k][j] == 1:
                del ps.pod_jobs[k][j]
            else:
                ps.pod_jobs[k][j] -= 1
            self.alloc[j] = [e for e in alloc if e[1] > 0]
            self.alloc_nodes[j] -= 1
            self._release(j, t)
            self._requeue(j)
        self._send_to_repair(ps, k, t)

    def _on_repair(self, p: int, k: int, t: float) -> None:
        ps = self.pools[p]
        ps.touch(t)
        self.repairs += 1
        ps.n_down -= 1
        if k >= 0:
            ps.down[k] -= 1
            ps.inst[k] -= 1
        if ps.pending_removal:
            ps.pending_removal -= 1
        elif ps.n_spare < ps.spare_target:
            ps.n_spare += 1
        else:
            if k < 0:
                k = min(range(len(ps.inst)), key=ps.inst.__getitem__)
            ps.inst[k] += 1
            ps.free[k] += 1
            ps.n_free += 1
            self.dirty = True

    # --------------------------------------------------------------------------- capacity changes
    def _on_delivery(self, p: int, nodes: int, t: float) -> None:
        ps = self.pools[p]
        ps.touch(t)
        if nodes > 0:
            ps.n_burn += nodes
            self.events.push(t + ps.spec.burn_in_s, IN_SERVICE, IN_SERVICE, p, nodes)
        else:
            want = -nodes
            taken = ps.remove_free_nodes(want)
            if taken < want and ps.n_spare:
                s = min(ps.n_spare, want - taken)
                ps.n_spare -= s
                taken += s
            ps.pending_removal += want - taken
            ps.spare_target = self.spares.target(ps.in_service - ps.pending_removal)
        if self.timeline is not None:
            self.timeline.deliveries.append((t, p, nodes))

    def _on_in_service(self, p: int, nodes: int, t: float) -> None:
        ps = self.pools[p]
        ps.touch(t)
        ps.n_burn -= nodes
        ps.spare_target = self.spares.target(ps.in_service + nodes - ps.pending_removal)
        to_spare = min(nodes, max(0, ps.spare_target - ps.n_spare))
        ps.n_spare += to_spare
        ps.add_nodes_to_pods(nodes - to_spare)
        self._arm_failure(ps, t)
        self.dirty = True

    # ------------------------------------------------------------------------------ sampling
    def _sample(self, t: float) -> None:
        """Append one row of SERIES_KEYS (GPU counts now, integrals so far, queue and failures)."""
        pools = self.pools
        per_pool = []
        for ps in pools:
            ps.touch(t)
            g = ps.gpn
            per_pool.append((
                ps.in_service * g, ps.n_busy * g, ps.n_free * g, ps.n_spare * g, ps.n_down * g, ps.n_burn * g,
                ps.pending_removal * g, len(ps.running), ps.acc_busy * g,
                (ps.acc_busy + ps.acc_free + ps.acc_down + ps.acc_spare) * g, ps.acc_busy * g * ps.kw_per_gpu / 3600.0,
            ))
        totals = [sum(col) for col in zip(*per_pool, strict=True)] if per_pool else [0] * 11
        cap, busy, free, spare, down, burn, pending, running, acc_busy, acc_cap, energy = totals
        self.series_rows.append((t, cap, busy, free, spare, down, burn, pending, self.queue.size, running,
                                 acc_busy, acc_cap, energy, self.failures))
        self.series_pool_cap.append([row[0] for row in per_pool])
        nxt = t + self.config.sample_every_s
        if nxt <= self.horizon:
            self.events.push(nxt, SAMPLE, SAMPLE)

    # ------------------------------------------------------------------------------ main loop
    def run(self) -> None:
        ev = self.events
        for ps in self.pools:
            for d in ps.spec.deliveries:
                if d.at_s >= 0.0:
                    ev.push(d.at_s, 0, DELIVERY, ps.idx, d.nodes)
                elif d.nodes > 0:  # delivered before the start: in burn-in at 0, or already in service
                    ps.n_burn += d.nodes
                    ev.push(max(0.0, d.at_s + ps.spec.burn_in_s), IN_SERVICE, IN_SERVICE, ps.idx, d.nodes)
                else:
                    ev.push(0.0, 0, DELIVERY, ps.idx, d.nodes)
        ev.push(0.0, SAMPLE, SAMPLE)
        heap = ev._heap
        pop = heapq.heappop
        sub = self.sub
        n = self.n_jobs
        horizon = self.horizon
        policy = self.policy
        ai = 0
        n_events = 0
        epoch = self.epoch
        while True:
            na = sub[ai] if ai < n else INF
            if heap and (heap[0][0] < na or (heap[0][0] == na and heap[0][1] < ARRIVAL)):
                t, _, _, kind, a, b = pop(heap)
            elif ai < n:
                t, kind, a, b = na, ARRIVAL, ai, 0
                ai += 1
            else:
                break
            if t >= horizon:
                if kind == SAMPLE and t == horizon:
                    self._sample(t)
                break
            n_events += 1
            if kind == JOB_END:
                if b != epoch[a]:
                    self.n_stale += 1
                    continue
                self._close_segment(a, t, completed=True)
                self._release(a, t)
                self._finish(a, t, self.outcome[a])
            elif kind == ARRIVAL:
                if not self.feasible[a]:
                    self._finish(a, t, ST_REJECTED)
                    continue
                self._enqueue(a)
                policy.on_arrival(self, a, t)
            elif kind == FAILURE:
                if b != self.pools[a].fail_epoch:
                    self.n_stale += 1
                    continue
                self._on_failure(a, t)
            elif kind == REPAIR:
                self._on_repair(a, b, t)
            elif kind == SAMPLE:
                self._sample(t)
            elif kind == IN_SERVICE:
                self._on_in_service(a, b, t)
            else:
                self._on_delivery(a, b, t)
            if self.dirty:
                self.dirty = False
                policy.schedule(self, t)
        self.n_events = n_events
        self._finalize(horizon, ai)

    def _finalize(self, horizon: float, submitted: int) -> None:
        for ps in self.pools:
            ps.touch(horizon)
        for j in range(self.n_jobs):
            st = self.state[j]
            if st == RUNNING:
                self._close_segment(j, horizon, completed=False, horizon=True)
                self.status[j] = ST_RUNNING
            elif st == QUEUED:
                self.status[j] = ST_QUEUED
        if not self.series_rows or self.series_rows[-1][0] < horizon:
            self._sample(horizon)


def simulate(cluster: OpsCluster, workload: Workload, config: OpsConfig | None = None) -> OpsResult:
    """Run the operations simulation of `workload` on `cluster` for config.days (deterministic per seed)."""
    config = config or OpsConfig()
    run = _Run(cluster, workload, config)
    run.run()
    return build_result(run, workload)
