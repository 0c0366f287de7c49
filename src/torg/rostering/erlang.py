"""Erlang C: staff needed so that a target share of arrivals is served within a target wait.

The M/M/N queue (Poisson arrivals at rate λ, exponential handling with mean ``h``, ``N``
servers, nobody leaves the queue). With offered load ``A = λ·h`` (Erlangs) and ``N > A``:

- probability of waiting (Erlang C), computed through the Erlang B recursion
  ``B(0, A) = 1``, ``B(n, A) = A·B(n−1, A) / (n + A·B(n−1, A))`` and
  ``C(N, A) = N·B(N, A) / (N − A·(1 − B(N, A)))``, which equals the textbook form
  ``C = (A^N/N!·N/(N−A)) / (Σ_{k<N} A^k/k! + A^N/N!·N/(N−A))`` without its overflow;
- service level ``P(wait ≤ t) = 1 − C(N, A)·exp(−(N − A)·t/h)``;
- average speed of answer ``ASA = C(N, A)·h/(N − A)``.

Source: N. Gans, G. Koole and A. Mandelbaum (2003), "Telephone call centers: tutorial,
review, and research prospects", Manufacturing & Service Operations Management 5(2),
79–141, section 4.1 (the Erlang C model); R. B. Cooper (1981), Introduction to Queueing
Theory, 2nd ed., section 3.5 (the B-to-C relation). The model ignores abandonment, so it
errs on the side of more staff.
"""

from __future__ import annotations

import math


def _check(servers: int, load: float) -> None:
    if servers < 1:
        raise ValueError(f"servers must be at least 1, got {servers}")
    if load < 0:
        raise ValueError(f"offered load must not be negative, got {load}")


def erlang_b(servers: int, load: float) -> float:
    """Blocking probability of ``servers`` servers offered ``load`` Erlangs (M/M/N/N)."""
    _check(servers, load)
    blocking = 1.0
    for n in range(1, servers + 1):
        blocking = load * blocking / (n + load * blocking)
    return blocking


def erlang_c(servers: int, load: float) -> float:
    """Probability that an arrival waits (0–1). 1.0 when ``servers <= load`` (the queue
    grows without bound)."""
    _check(servers, load)
    if servers <= load:
        return 1.0
    blocking = erlang_b(servers, load)
    return servers * blocking / (servers - load * (1 - blocking))


def service_level(
    servers: int, arrivals_per_hour: float, handle_seconds: float, target_seconds: float
) -> float:
    """Share of arrivals answered within ``target_seconds`` (0–1)."""
    load = arrivals_per_hour * handle_seconds / 3600
    if servers <= load:
        return 0.0
    waiting = erlang_c(servers, load)
    return 1 - waiting * math.exp(-(servers - load) * target_seconds / handle_seconds)


def average_speed_of_answer(servers: int, arrivals_per_hour: float, handle_seconds: float) -> float:
    """Mean wait in seconds (``inf`` when ``servers <= load``)."""
    load = arrivals_per_hour * handle_seconds / 3600
    if servers <= load:
        return math.inf
    return erlang_c(servers, load) * handle_seconds / (servers - load)


def staff_needed(
    arrivals_per_hour: float,
    handle_seconds: float,
    target_seconds: float,
    target_share: float,
    *,
    max_servers: int = 1000,
) -> int:
    """Fewest servers with ``service_level >= target_share``; 0 when nobody arrives.

    Raises ValueError for a share outside (0, 1) or when ``max_servers`` do not suffice.
    """
    if not 0 < target_share < 1:
        raise ValueError(f"target share must be between 0 and 1, got {target_share}")
    if arrivals_per_hour <= 0:
        return 0
    load = arrivals_per_hour * handle_seconds / 3600
    servers = max(1, math.floor(load) + 1)
    while servers <= max_servers:
        if (
            service_level(servers, arrivals_per_hour, handle_seconds, target_seconds)
            >= target_share
        ):
            return servers
        servers += 1
    raise ValueError(f"more than {max_servers} servers needed for {arrivals_per_hour}/h")
