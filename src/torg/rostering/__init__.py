"""Staff rostering under Norwegian working-time rules (no Django).

Frozen dataclasses in (:mod:`torg.rostering.domain`), a :class:`Result` out of :func:`solve`
(OR-Tools CP-SAT, :mod:`torg.rostering.model`); :func:`check` validates any roster
independently of the solver; :mod:`torg.rostering.erlang` derives staff needed from arrivals
(Erlang C); :mod:`torg.rostering.curtois_qu` reads and scores the Curtois–Qu benchmark.
"""

from torg.rostering.checker import Violation, check
from torg.rostering.domain import (
    Assignment,
    Conflict,
    Demand,
    Person,
    Placement,
    Problem,
    Progress,
    Result,
    Rules,
    ShiftTemplate,
    Shortfall,
    SolverSettings,
)
from torg.rostering.solve import solve

__all__ = [
    "Assignment",
    "Conflict",
    "Demand",
    "Person",
    "Placement",
    "Problem",
    "Progress",
    "Result",
    "Rules",
    "ShiftTemplate",
    "Shortfall",
    "SolverSettings",
    "Violation",
    "check",
    "solve",
]
