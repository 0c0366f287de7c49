"""The model guide's self-assessment: which of the four organisational models fit a
municipality's answers, and why. No Django; text is English msgids (:func:`gettext_noop`)
that the page translates.

The models and the evidence are those of the project "Beste praksis for bibliotek og
innbyggertorg" (Drammen and Indre Østfold, 2021–2023; see PRODUCT.md): total cooperation
(Indre Østfold, about 20 % more visitors after co-organisation and co-location, staff more
positive), hybrid cooperation (Drammen, staff knew little of each other's services), one
door in (58 % of citizens want one building with separate desks and staff), and
"pac-man", which the project warns against, above all when the motive is only savings.

Every model gets a :class:`Fit` with the reasons for and against it, never a verdict
without reasons; several models may fit, and the page shows all four.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from torg.evaluation.methods import gettext_noop


class Level(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


class Motive(StrEnum):
    SERVICE = "service"
    REACH = "reach"
    SAVINGS = "savings"


class Involvement(StrEnum):
    NONE = "none"
    INFORMED = "informed"
    INVOLVED = "involved"


class Verdict(StrEnum):
    FITS = "fits"
    FITS_WITH_CONDITIONS = "conditions"
    DOES_NOT_FIT = "does_not_fit"


VERDICT_LABELS = {
    Verdict.FITS: gettext_noop("Fits your answers"),
    Verdict.FITS_WITH_CONDITIONS: gettext_noop("Could fit, on conditions"),
    Verdict.DOES_NOT_FIT: gettext_noop("Does not fit your answers"),
}


@dataclass(frozen=True)
class Answers:
    """A municipality's answers. ``distance_km``: typical distance between the library and
    the citizen service centre that would work together (0 when already in one building);
    ``shared_building``: a building that can house both; ``staff``: people in both services
    together; ``cross_trained``: how many can already answer for the other service;
    ``digital``: how mature the municipality's digital channels are; ``motives``: why
    co-organise; ``involvement``: how far staff have been involved so far."""

    distance_km: float
    shared_building: bool
    staff: int
    cross_trained: Level
    digital: Level
    motives: frozenset[Motive]
    involvement: Involvement


@dataclass(frozen=True)
class Fit:
    model: str
    verdict: Verdict
    reasons_for: tuple[str, ...]
    reasons_against: tuple[str, ...]
    risks: tuple[str, ...]
    warning: str = ""


@dataclass(frozen=True)
class Assessment:
    fits: tuple[Fit, ...]
    general_risks: tuple[str, ...]

    def fit(self, model: str) -> Fit:
        return next(f for f in self.fits if f.model == model)


#: Fewer staff than this in both services together and a shared desk with generalist and
#: specialist tasks is hard to cover across opening hours, holidays and sickness.
SMALL_STAFF = 6
#: Further apart than this (km) and daily cooperation needs travel; job shadowing still works.
FAR_KM = 15.0

IDENTITY_RISK = gettext_noop(
    "Identity: 64 % of staff in the project felt the library's free role was challenged, "
    "and 35 % feared for the library's reputation. Say clearly what stays the library's own."
)
CONFUSION_RISK = gettext_noop(
    "Confusion at a shared desk: 53 % of staff expected citizens to be confused. Mark who "
    "answers what, and refer on without sending people away."
)
OVERRUN_RISK = gettext_noop(
    "Staff who feel overrun: 60 % of staff saw co-organisation as a cost-cutting measure and "
    "only 16 % expected a more attractive workplace. Involve them early and set time aside."
)
INVOLVEMENT_RISK = gettext_noop(
    "Staff have not been involved yet: in the project, staff who knew little of each "
    "other's services were the most negative. Start with job shadowing and shared meetings."
)


def _total(answers: Answers) -> Fit:
    good, bad, risks = [], [], [IDENTITY_RISK, CONFUSION_RISK]
    if answers.shared_building or answers.distance_km == 0:
        good.append(gettext_noop("You have a building that can house both services and one desk."))
    else:
        bad.append(
            gettext_noop(
                "Total cooperation needs one shared desk in one building, which you do not have."
            )
        )
    if answers.staff >= SMALL_STAFF:
        good.append(
            gettext_noop(
                "There are enough staff to cover a shared desk with generalists and specialists."
            )
        )
    else:
        bad.append(
            gettext_noop(
                "Few staff: a shared desk with generalist and specialist tasks is hard to cover."
            )
        )
    if answers.cross_trained is Level.LOW:
        bad.append(
            gettext_noop(
                "Few staff can answer for the other service yet; plan training and job shadowing first."
            )
        )
    else:
        good.append(gettext_noop("Some staff can already answer for the other service."))
    good.append(
        gettext_noop(
            "Evidence: Indre Østfold measured almost 20 % more visitors after co-organisation and co-location, and its staff were the more positive."
        )
    )
    if Motive.REACH in answers.motives:
        good.append(
            gettext_noop(
                "Your motive includes reach: Indre Østfold reached residents who had not used the services before."
            )
        )
    needs = not (answers.shared_building or answers.distance_km == 0)
    verdict = (
        Verdict.DOES_NOT_FIT
        if needs
        else (Verdict.FITS if len(bad) == 0 else Verdict.FITS_WITH_CONDITIONS)
    )
    return Fit("total", verdict, tuple(good), tuple(bad), tuple(risks))


def _hybrid(answers: Answers) -> Fit:
    good, bad = [], []
    good.append(gettext_noop("Shared budget and leadership work without a shared building."))
    if not answers.shared_building and answers.distance_km > 0:
        good.append(
            gettext_noop(
                "Your services are in separate buildings, which is what the hybrid model assumes."
            )
        )
    if answers.distance_km > FAR_KM:
        bad.append(
            gettext_noop(
                "The sites are far apart: joint projects and teams need travel or digital meetings."
            )
        )
    if answers.involvement is not Involvement.INVOLVED:
        bad.append(
            gettext_noop(
                "In Drammen (hybrid) staff knew little of each other's services; without involvement that gap stays."
            )
        )
    good.append(
        gettext_noop(
            "Evidence: Drammen co-organised without co-locating; it kept both services' places, but staff there were less positive than in Indre Østfold."
        )
    )
    verdict = Verdict.FITS if not bad else Verdict.FITS_WITH_CONDITIONS
    return Fit("hybrid", verdict, tuple(good), tuple(bad), (IDENTITY_RISK, OVERRUN_RISK))


def _one_door_in(answers: Answers) -> Fit:
    good, bad = [], []
    if answers.shared_building or answers.distance_km == 0:
        good.append(
            gettext_noop(
                "You have a building that can house both services, each with its own desk."
            )
        )
    else:
        bad.append(
            gettext_noop("One door in needs one building for the services, which you do not have.")
        )
    good.append(
        gettext_noop(
            "Evidence: 58 % of citizens asked wanted the same building with separate desks and staff."
        )
    )
    if answers.cross_trained is Level.LOW:
        good.append(
            gettext_noop("Separate desks do not need staff who can answer for the other service.")
        )
    if Motive.SAVINGS in answers.motives:
        bad.append(gettext_noop("Separate desks and often separate leadership save little."))
    verdict = (
        Verdict.DOES_NOT_FIT
        if not (answers.shared_building or answers.distance_km == 0)
        else (Verdict.FITS if not bad else Verdict.FITS_WITH_CONDITIONS)
    )
    return Fit("one_door_in", verdict, tuple(good), tuple(bad), (CONFUSION_RISK,))


def _pac_man(answers: Answers) -> Fit:
    good, bad = [], []
    if answers.digital is Level.HIGH:
        good.append(
            gettext_noop(
                "Your digital channels are mature, so municipal inquiries can be answered remotely."
            )
        )
    else:
        bad.append(
            gettext_noop(
                "Your digital channels are not mature: citizens who need the municipality in person would be left at the library desk."
            )
        )
    bad.append(
        gettext_noop(
            "The project warns against this model: the library takes over the service centre's physical tasks without the staff who know them."
        )
    )
    only_savings = answers.motives == frozenset({Motive.SAVINGS})
    warning = (
        gettext_noop(
            "Strong warning: your only motive is savings. The project warns against pac-man above all in this case; 60 % of staff already saw co-organisation as a cost-cutting measure."
        )
        if only_savings
        else gettext_noop(
            "Warning: the project warns against the pac-man model. Consider it only with mature digital channels and a plan for the tasks the library takes over."
        )
    )
    verdict = (
        Verdict.DOES_NOT_FIT
        if only_savings or answers.digital is not Level.HIGH
        else Verdict.FITS_WITH_CONDITIONS
    )
    return Fit(
        "pac_man",
        verdict,
        tuple(good),
        tuple(bad),
        (IDENTITY_RISK, OVERRUN_RISK, CONFUSION_RISK),
        warning,
    )


def assess(answers: Answers) -> Assessment:
    """All four models with reasons for and against, risks and warnings (see the module)."""
    general = []
    if answers.involvement is Involvement.NONE:
        general.append(INVOLVEMENT_RISK)
    if Motive.SAVINGS in answers.motives:
        general.append(OVERRUN_RISK)
    return Assessment(
        fits=(_total(answers), _hybrid(answers), _one_door_in(answers), _pac_man(answers)),
        general_risks=tuple(general),
    )
