"""A minimal SimPy model of the same jobs, for the speed comparison in bench_simulate.py (benchmark only:
`pip install 'colossim[bench]'`).

One process per job: it waits for its nodes in its pool (a Container of nodes, FIFO: SimPy serves
container requests in order), runs its work in checkpointed cycles, and on a node failure loses the work
since its last checkpoint, gives its nodes back (the failed one goes to repair) and asks again. One
process per pool draws failures at the pool's rate (nodes in service x per-node rate) and interrupts the
job holding a uniformly drawn busy node; one process per repair returns the node. No pods, spares,
deliveries or backfill: the events per job are what the comparison is about.
"""

from __future__ import annotations

import math

import numpy as np


def run_simpy(cluster, workload, config, seed: int = 1) -> dict:
    import simpy

    env = simpy.Environment()
    rng = np.random.default_rng(seed)
    pools = [simpy.Container(env, init=p.max_nodes, capacity=p.max_nodes) for p in cluster.pools]
    specs = cluster.pools
    running: list[list[tuple]] = [[] for _ in pools]  # (process, nodes) per pool
    stats = {"completed": 0, "interruptions": 0, "failures": 0}
    horizon = config.horizon_s
    rate_node_s = [3.79 / 1000 / 86_400 * p.gpus_per_node / 8 for p in specs]  # the llama3 preset per GPU
    tau, write = 3600.0, config.recovery.checkpoint_write_s
    repair_mean = 2 * 3600.0 + 0.8 * 48 * 3600.0

    def repair(pool):
        yield env.timeout(rng.exponential(repair_mean))
        yield pool.put(1)

    def job(i, pool_i, nodes, work):
        pool = pools[pool_i]
        remaining = work
        while remaining > 0:
            yield pool.get(nodes)
            me = (env.active_process, nodes)
            running[pool_i].append(me)
            start = env.now
            wall = remaining + math.ceil(remaining / tau) * write
            try:
                yield env.timeout(wall)
                remaining = 0.0
                running[pool_i].remove(me)
                yield pool.put(nodes)
            except simpy.Interrupt:
                stats["interruptions"] += 1
                done = (env.now - start) // (tau + write) * tau
                remaining = max(0.0, remaining - done)
                running[pool_i].remove(me)
                if nodes > 1:
                    yield pool.put(nodes - 1)
                env.process(repair(pool))
        stats["completed"] += 1

    def failures(pool_i):
        spec = specs[pool_i]
        while True:
            yield env.timeout(rng.exponential(1.0 / (rate_node_s[pool_i] * spec.max_nodes)))
            stats["failures"] += 1
            busy = running[pool_i]
            held = sum(n for _, n in busy)
            u = rng.random() * spec.max_nodes
            if u < held:
                acc = 0
                for proc, n in busy:
                    acc += n
                    if u < acc:
                        if proc.is_alive:
                            proc.interrupt()
                        break

    def arrivals():
        types = {name: [k for k, p in enumerate(specs) if p.gpu == name] for name in workload.gpu_types}
        for i in range(len(workload)):
            t = float(workload.submit_s[i])
            if t >= horizon:
                return
            yield env.timeout(t - env.now)
            code = int(workload.gpu_type[i])
            choices = list(range(len(specs))) if code < 0 else types[workload.gpu_types[code]]
            k = max(choices, key=lambda c: specs[c].max_nodes)
            nodes = int(specs[k].nodes_for(np.array([workload.gpus[i]]))[0])
            if nodes <= specs[k].max_nodes:
                env.process(job(i, k, nodes, float(workload.duration_s[i])))

    env.process(arrivals())
    for k in range(len(pools)):
        env.process(failures(k))
    env.run(until=horizon)
    stats["events"] = next(env._eid)  # events scheduled (SimPy's own counter)
    return stats
