"""Matplotlib figures of the core's results (Agg backend; callers decide where bytes go)."""
