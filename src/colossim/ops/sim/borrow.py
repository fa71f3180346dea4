"""Borrowed views of the state arrays for the compiled kernel.

numba counts references to every array it passes to a function: each call of a function taking the
state tuples does one atomic increment and decrement per array (about 30), which cost more than the
event handling itself. The kernel's entry points therefore run on borrowed views: the same data, shape
and strides, without a reference-counted owner (the caller's numpy arrays keep the memory alive for the
whole call, and nothing inside the kernel frees or replaces a state array), so the counting is a no-op.
"""

from __future__ import annotations

from numba import njit, types
from numba.core import cgutils
from numba.extending import intrinsic
from numba.np.arrayobj import make_array

from colossim.ops.sim.layout import Core, Jobs, Output, Pools


@intrinsic
def _borrow(typingctx, arr):
    """The array without its reference-counted owner (meminfo and parent set to null)."""
    if not isinstance(arr, types.Array):
        return None

    def codegen(context, builder, signature, args):
        src = make_array(arr)(context, builder, value=args[0])
        dst = make_array(arr)(context, builder)
        for name in ("nitems", "itemsize", "data", "shape", "strides"):
            setattr(dst, name, getattr(src, name))
        dst.meminfo = cgutils.get_null_value(dst.meminfo.type)
        dst.parent = cgutils.get_null_value(dst.parent.type)
        return dst._getvalue()

    return arr(arr), codegen


@njit(cache=True)
def borrowed(pl, jobs, c, out):
    """The four state tuples with borrowed arrays."""
    b = _borrow
    return (
        Pools(b(pl.pi), b(pl.pf), b(pl.pod), b(pl.tree), b(pl.bk_tree), b(pl.bk_head), b(pl.prio_nodes)),
        Jobs(b(jobs.jf), b(jobs.ji), b(jobs.needp), b(jobs.order)),
        Core(b(c.h_t), b(c.h_i), b(c.q_l0), b(c.q_l1), b(c.ar), b(c.run_list), b(c.cnt), b(c.led), b(c.par),
             b(c.ipar), b(c.grp), b(c.grp_share), b(c.serve_curve), b(c.sc), b(c.win), b(c.wstate)),
        Output(b(out.ser), b(out.ser_pool), b(out.seg), b(out.fail), b(out.deliv)),
    )
