"""How many examples a hypothesis property draws: its own count in the default (derandomised, CI) profile, ten
times that with HYPOTHESIS_PROFILE=explore — a test's own `max_examples` would otherwise override the profile."""
import os

EXPLORE = os.environ.get("HYPOTHESIS_PROFILE") == "explore"


def examples(default: int) -> int:
    return 10 * default if EXPLORE else default
