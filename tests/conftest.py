"""Hypothesis profiles: derandomised by default (the same examples on every run, so CI is reproducible);
HYPOTHESIS_PROFILE=explore draws fresh examples to hunt for new counter-examples."""
import os

os.environ.setdefault("XLA_FLAGS", "--xla_force_host_platform_device_count=4")  # JAX engine tests: 4 CPU devices

from hypothesis import settings

settings.register_profile("pplimits", deadline=None, derandomize=True, database=None, print_blob=True)
settings.register_profile("explore", deadline=None, max_examples=500, derandomize=False)  # fresh even where CI is set
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "pplimits"))
