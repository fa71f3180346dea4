"""Cluster state as counts: per pool, nodes free / busy / down / installed per pod, plus pool-level spare,
burn-in and pending-removal counters, the running jobs, and time integrals of every count.

No object per node or per GPU: a pool of 12,500 nodes is a few small lists of per-pod integers.
"""

from __future__ import annotations

from colossim.ops.pools import PoolSpec


class PoolState:
    __slots__ = (
        "spec",
        "idx",
        "gpn",
        "pod_cap",
        "kw_per_gpu",
        "rate_per_node_s",
        "free",
        "busy",
        "down",
        "inst",
        "pod_jobs",
        "n_free",
        "n_busy",
        "n_down",
        "n_spare",
        "n_burn",
        "pending_removal",
        "spare_target",
        "fail_epoch",
        "fail_bound",
        "acc_busy",
        "acc_free",
        "acc_down",
        "acc_spare",
        "acc_burn",
        "last_t",
        "ends",
        "running",
        "prio_nodes",
    )

    def __init__(self, idx: int, spec: PoolSpec, rate_per_node_s: float) -> None:
        self.spec = spec
        self.idx = idx
        self.gpn = spec.gpus_per_node
        self.pod_cap = spec.pod_nodes
        self.kw_per_gpu = spec.kw_per_gpu
        self.rate_per_node_s = rate_per_node_s
        self.free: list[int] = []  # per pod
        self.busy: list[int] = []
        self.down: list[int] = []
        self.inst: list[int] = []  # free + busy + down, per pod
        self.pod_jobs: list[dict[int, int]] = []  # per pod: job -> nodes
        self.n_free = self.n_busy = self.n_down = self.n_spare = self.n_burn = 0
        self.pending_removal = 0
        self.spare_target = 0
        self.fail_epoch = 0
        self.fail_bound = 0  # in-service nodes when the failure clock was armed
        self.acc_busy = self.acc_free = self.acc_down = self.acc_spare = self.acc_burn = 0.0  # node-seconds
        self.last_t = 0.0
        self.ends: list[tuple[float, int]] = []  # sorted (estimated end, job) of running jobs
        self.running: dict[int, int] = {}  # job -> nodes
        self.prio_nodes: dict[int, int] = {}  # priority -> nodes of running jobs

    def touch(self, t: float) -> None:
        """Integrate every count up to t (call before changing any count)."""
        dt = t - self.last_t
        if dt > 0.0:
            self.acc_busy += self.n_busy * dt
            self.acc_free += self.n_free * dt
            self.acc_down += self.n_down * dt
            self.acc_spare += self.n_spare * dt
            self.acc_burn += self.n_burn * dt
            self.last_t = t

    @property
    def up(self) -> int:
        """Nodes that can fail: in service and not under repair."""
        return self.n_free + self.n_busy + self.n_spare

    @property
    def in_service(self) -> int:
        return self.n_free + self.n_busy + self.n_down + self.n_spare

    def add_pod(self) -> int:
        for lst in (self.free, self.busy, self.down, self.inst):
            lst.append(0)
        self.pod_jobs.append({})
        return len(self.inst) - 1

    def add_nodes_to_pods(self, nodes: int) -> None:
        """New in-service nodes fill the pods that have room, in order, then new pods."""
        k = 0
        while nodes > 0:
            if k == len(self.inst):
                self.add_pod()
            room = self.pod_cap - self.inst[k]
            if room > 0:
                c = room if room < nodes else nodes
                self.inst[k] += c
                self.free[k] += c
                self.n_free += c
                nodes -= c
            k += 1

    def remove_free_nodes(self, nodes: int) -> int:
        """Take up to `nodes` idle nodes out (emptiest-loaded pods first); returns how many were taken."""
        taken = 0
        for k in sorted(range(len(self.free)), key=self.free.__getitem__, reverse=True):
            if taken == nodes or self.free[k] == 0:
                break
            c = min(self.free[k], nodes - taken)
            self.free[k] -= c
            self.inst[k] -= c
            self.n_free -= c
            taken += c
        return taken
