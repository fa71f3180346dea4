"""colossim: a digital twin of AI supercomputers.

The core (catalog, cluster, perf, plan, reliability, energy, ops) is made of side-effect-free
functions over small typed values and numpy arrays. I/O lives in `inputs`, `cli`, `plots` and
`report`, which import the core and never the reverse.
"""

__version__ = "0.1.0"
