"""Benchmarks (figures, never assertions): the engine at national scale against the per-cell
reference, a national import, the app's warm reruns. ``python -m dashboard bench …`` prints them."""
