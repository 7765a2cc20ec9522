"""Real pipeline engines: the same layered objective run stage by stage on JAX devices or torch ranks.

Values must equal the numpy simulator's; the clock each engine counts must equal algorithms.clock.
"""
