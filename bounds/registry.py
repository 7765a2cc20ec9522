"""All registered claims, by id. Built once, on first use (the sympy derivations take a moment)."""
from functools import cache

from pplimits._util.checks import UsageError
from pplimits.bounds import nonsmooth_convex, pprs, sgd, smooth_convex, smooth_nonconvex, strongly_convex
from pplimits.bounds.claim import Claim, ClaimKey
from pplimits.bounds.pep import claims as pep

SETTINGS = ("smooth-convex", "strongly-convex", "smooth-nonconvex", "nonsmooth-convex")


@cache
def registry() -> dict[str, Claim]:
    claims = [*smooth_convex.claims(), *strongly_convex.claims(), *smooth_nonconvex.claims(),
              *nonsmooth_convex.claims(), *pprs.claims(), *sgd.claims(), *pep.claims()]
    by_id = {c.id: c for c in claims}
    assert len(by_id) == len(claims), "duplicate claim id"
    return by_id


def find(key: ClaimKey) -> Claim | None:
    """The claim with this typed key, or None if none is registered."""
    return registry().get(key.id)


def get(claim_id: str) -> Claim:
    """The claim with this id; one-line ValueError naming the allowed ids otherwise."""
    claims = registry()
    if claim_id not in claims:
        raise UsageError(f"claim must be one of {', '.join(claims)}, got {claim_id!r}")
    return claims[claim_id]
