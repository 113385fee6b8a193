"""Demo data: seeded, synthetic, plausible, and labelled as demo wherever it is shown."""

from .generate import DEFAULT_SEED, DEFAULT_YEARS, demo_batches, generate, load_demo

__all__ = ["DEFAULT_SEED", "DEFAULT_YEARS", "demo_batches", "generate", "load_demo"]
