"""Splitting a shared entrance's door count between the library and the citizen service
(no Django: plain numbers in, a frozen dataclass out).

In a joint building one door counter counts everybody; the national library statistics
want library visits. The library's share ``p`` is taken from one of three sources, chosen
per site and period (:class:`~torg.visits.models.AttributionMethod`):

* **fixed share** set by the manager: ``p`` as given. It is a judgement, not a sample, so
  no band is computed: the band is the point itself, and every report says the figure
  rests on a fixed share.
* **share of inquiries by domain** from the inquiry log: ``p = L / (L + M)`` with ``L``
  the inquiries about library services and ``M`` about municipal services at the site in
  the period. Inquiries of the shared domain or of unknown domain say nothing about which
  service a visitor came for and are left out (their number is reported).
* **sampled head counts by zone**: ``p = L / (L + C)`` with ``L`` the people counted in
  library zones and ``C`` in citizen-service zones over every sweep of the period; people
  in shared zones are left out.

**The band** is the 95 % Wilson score interval for a binomial proportion (E. B. Wilson,
"Probable inference, the law of succession, and statistical inference", *JASA* 22, 1927;
recommended over the Wald interval by Brown, Cai & DasGupta, *Statistical Science* 16,
2001):

    centre = (p̂ + z²/2n) / (1 + z²/n),  half = z·√(p̂(1−p̂)/n + z²/4n²) / (1 + z²/n)

with ``n`` the sample (``L + M`` or ``L + C``) and ``z`` = 1.959964 (the 97.5 % normal
quantile). The library figure is ``round(p̂ · door)`` (half up) and its band
``[floor(low · door), ceil(high · door)]``. The interval treats the sample as independent
draws; inquiries are a proxy for visits (a visitor may make none or several) and people in
one sweep are not independent, so the true uncertainty is larger: the band is a lower
bound on it, and reports say so.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from statistics import NormalDist

#: The 97.5 % quantile of the standard normal distribution (two-sided 95 % band).
Z_95 = NormalDist().inv_cdf(0.975)


def wilson_interval(successes: int, n: int, z: float = Z_95) -> tuple[float, float]:
    """The Wilson score interval ``(low, high)`` for ``successes`` out of ``n``
    (0 ≤ successes ≤ n, n > 0). Raises ``ValueError`` otherwise."""
    if n <= 0 or not 0 <= successes <= n:
        raise ValueError("need 0 ≤ successes ≤ n and n > 0")
    p = successes / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)


@dataclass(frozen=True)
class Attribution:
    """The library's part of ``door_visits``: ``share`` (0–1) with its band
    ``share_low``…``share_high``; ``library_visits`` with ``library_low``…``library_high``
    in visits. ``sample_size`` is ``None`` for a fixed share; ``left_out`` counts the
    inquiries or people that belong to neither side (shared or unknown)."""

    method: str
    door_visits: int
    share: float
    share_low: float
    share_high: float
    library_visits: int
    library_low: int
    library_high: int
    sample_size: int | None
    left_out: int = 0


def _scale(door_visits: int, share: float, low: float, high: float) -> tuple[int, int, int]:
    point = int(Decimal(repr(share * door_visits)).quantize(Decimal(1), ROUND_HALF_UP))
    lowest = min(math.floor(low * door_visits + 1e-9), point)
    highest = max(math.ceil(high * door_visits - 1e-9), point)
    return point, lowest, highest


def attribute_fixed(door_visits: int, share: float) -> Attribution:
    """The library's part of ``door_visits`` at a manager's fixed ``share`` (0–1); the
    band is the point. Raises ``ValueError`` for a share outside 0–1 or negative visits."""
    if not 0 <= share <= 1 or door_visits < 0:
        raise ValueError("the share must be between 0 and 1 and the visits not negative")
    point, _low, _high = _scale(door_visits, share, share, share)
    return Attribution("fixed_share", door_visits, share, share, share, point, point, point, None)


def attribute_sampled(
    method: str, door_visits: int, library: int, other: int, left_out: int = 0
) -> Attribution:
    """The library's part of ``door_visits`` from a sample of ``library`` against
    ``other`` (inquiries by domain, or people by zone), with the Wilson band. Raises
    ``ValueError`` when the sample is empty (``library + other == 0``): there is then no
    share to apply."""
    n = library + other
    if n == 0:
        raise ValueError("the sample is empty: nothing to compute a share from")
    if door_visits < 0 or library < 0 or other < 0:
        raise ValueError("counts must not be negative")
    share = library / n
    low, high = wilson_interval(library, n)
    point, lowest, highest = _scale(door_visits, share, low, high)
    return Attribution(method, door_visits, share, low, high, point, lowest, highest, n, left_out)
