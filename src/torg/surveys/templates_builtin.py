"""Torg's built-in survey templates, written by us, as plain Python data (no Django).

A template is copied into a municipality's survey by
:func:`torg.surveys.services.survey_create_from_template`; the template itself is never
edited. The employee survey follows the statements of the evaluation project "Beste praksis
for bibliotek og innbyggertorg" (employee survey December 2022 – January 2023: the library's
free role, confusion at a shared desk, co-organisation as cost-cutting, the library's
reputation, an attractive workplace); the citizen survey follows its citizen surveys of
spring 2022 and 2023 (use of both services, preferred organisation, clarity of roles, wanted
activities). See ``docs`` PRODUCT.md, "Facts from the source material".

Shapes: ``TEMPLATES[key]`` is a :class:`SurveyTemplate`; texts are ``{"nb", "nn", "en"}``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from torg.surveys.scales import Label


@dataclass(frozen=True)
class ItemTemplate:
    """One item. ``kind`` is a :class:`torg.surveys.models.ItemKind` value; ``points`` and
    ``dont_know`` apply to Likert items; ``choices`` is a list of ``(code, label)`` for
    choice and background items; ``background`` names the grouping variable."""

    code: str
    kind: str
    text: Label
    points: int | None = None
    dont_know: bool = False
    background: str = ""
    choices: tuple[tuple[str, Label], ...] = ()


@dataclass(frozen=True)
class SectionTemplate:
    code: str
    title: Label
    items: tuple[ItemTemplate, ...]


@dataclass(frozen=True)
class SurveyTemplate:
    key: str
    audience: str  # "employees" or "citizens"
    title: Label
    introduction: Label
    sections: tuple[SectionTemplate, ...] = field(default_factory=tuple)
    randomise_statements: bool = True


def t(nb: str, nn: str, en: str) -> Label:
    return {"nb": nb, "nn": nn, "en": en}


def likert(code: str, text: Label, points: int = 5, dont_know: bool = True) -> ItemTemplate:
    return ItemTemplate(code=code, kind="likert", text=text, points=points, dont_know=dont_know)


SERVICE_CHOICES = (
    ("library", t("Bibliotek", "Bibliotek", "Library")),
    (
        "citizen_service",
        t("Innbyggertorg / servicetorg", "Innbyggjartorg / servicetorg", "Citizen service centre"),
    ),
    ("both", t("Begge", "Begge", "Both")),
)
YES_NO = (
    ("yes", t("Ja", "Ja", "Yes")),
    ("no", t("Nei", "Nei", "No")),
)
AGE_GROUPS = (
    ("under_20", t("Under 20 år", "Under 20 år", "Under 20")),
    ("20_39", t("20–39 år", "20–39 år", "20–39")),
    ("40_59", t("40–59 år", "40–59 år", "40–59")),
    ("60_plus", t("60 år eller eldre", "60 år eller eldre", "60 or older")),
)
ROLES = (
    ("generalist", t("Generalist i skranken", "Generalist i skranken", "Generalist at the desk")),
    ("specialist", t("Spesialist / fagansvarlig", "Spesialist / fagansvarleg", "Specialist")),
    ("other", t("Annet", "Anna", "Other")),
)


def background(code: str, kind: str, text: Label, choices: tuple = ()) -> ItemTemplate:
    return ItemTemplate(code=code, kind="background", text=text, background=kind, choices=choices)


EMPLOYEE = SurveyTemplate(
    key="employee-co-organisation",
    audience="employees",
    title=t(
        "Medarbeiderundersøkelse om samorganisering",
        "Medarbeidarundersøking om samorganisering",
        "Employee survey on co-organisation",
    ),
    introduction=t(
        "Undersøkelsen er anonym. Resultater vises bare for grupper med nok svar.",
        "Undersøkinga er anonym. Resultat blir berre viste for grupper med nok svar.",
        "The survey is anonymous. Results are shown only for groups with enough answers.",
    ),
    sections=(
        SectionTemplate(
            code="about-you",
            title=t("Om deg", "Om deg", "About you"),
            items=(
                background("municipality", "municipality", t("Kommune", "Kommune", "Municipality")),
                background("site", "site", t("Arbeidssted", "Arbeidsstad", "Workplace (site)")),
                background(
                    "service",
                    "service",
                    t("Hvor jobber du?", "Kvar jobbar du?", "Where do you work?"),
                    SERVICE_CHOICES,
                ),
                background("role", "role", t("Rolle", "Rolle", "Role"), ROLES),
                background(
                    "co_location",
                    "co_location",
                    t(
                        "Jobber du på et samlokalisert sted?",
                        "Jobbar du på ein samlokalisert stad?",
                        "Do you work at a co-located site?",
                    ),
                    YES_NO,
                ),
            ),
        ),
        SectionTemplate(
            code="co-organisation",
            title=t("Samorganisering", "Samorganisering", "Co-organisation"),
            items=(
                likert(
                    "library-free-role",
                    t(
                        "Bibliotekets frie rolle utfordres av samorganiseringen.",
                        "Den frie rolla til biblioteket blir utfordra av samorganiseringa.",
                        "The library's independent role is challenged by co-organisation.",
                    ),
                ),
                likert(
                    "shared-desk-confusion",
                    t(
                        "En felles skranke vil forvirre innbyggerne.",
                        "Ein felles skranke vil forvirre innbyggjarane.",
                        "A shared desk will confuse citizens.",
                    ),
                ),
                likert(
                    "cost-cutting",
                    t(
                        "Samorganisering og samlokalisering er et sparetiltak.",
                        "Samorganisering og samlokalisering er eit sparetiltak.",
                        "Co-organisation and co-location are a cost-cutting measure.",
                    ),
                ),
                likert(
                    "library-reputation",
                    t(
                        "Bibliotekets omdømme vil svekkes.",
                        "Omdømet til biblioteket vil bli svekt.",
                        "The library's reputation will suffer.",
                    ),
                ),
                likert(
                    "attractive-workplace",
                    t(
                        "Samorganisering kan gi en mer attraktiv arbeidsplass.",
                        "Samorganisering kan gi ein meir attraktiv arbeidsplass.",
                        "Co-organisation can make a more attractive workplace.",
                    ),
                ),
                likert(
                    "know-other-service",
                    t(
                        "Jeg kjenner godt til tjenestene den andre enheten tilbyr.",
                        "Eg kjenner godt til tenestene den andre eininga tilbyr.",
                        "I know the services the other unit offers well.",
                    ),
                ),
            ),
        ),
        SectionTemplate(
            code="comments",
            title=t("Kommentarer", "Kommentarar", "Comments"),
            items=(
                ItemTemplate(
                    code="comment",
                    kind="free_text",
                    text=t(
                        "Har du andre kommentarer?",
                        "Har du andre kommentarar?",
                        "Any other comments?",
                    ),
                ),
            ),
        ),
    ),
)

CITIZEN = SurveyTemplate(
    key="citizen",
    audience="citizens",
    title=t(
        "Innbyggerundersøkelse om bibliotek og innbyggertorg",
        "Innbyggjarundersøking om bibliotek og innbyggjartorg",
        "Citizen survey on the library and the citizen service centre",
    ),
    introduction=t(
        "Undersøkelsen er anonym og tar om lag fem minutter.",
        "Undersøkinga er anonym og tek om lag fem minutt.",
        "The survey is anonymous and takes about five minutes.",
    ),
    sections=(
        SectionTemplate(
            code="about-you",
            title=t("Om deg", "Om deg", "About you"),
            items=(
                background("municipality", "municipality", t("Kommune", "Kommune", "Municipality")),
                background("age_group", "age_group", t("Alder", "Alder", "Age group"), AGE_GROUPS),
                background(
                    "co_location",
                    "co_location",
                    t(
                        "Har du brukt et sted der bibliotek og innbyggertorg er samlokalisert?",
                        "Har du brukt ein stad der bibliotek og innbyggjartorg er samlokaliserte?",
                        "Have you used a place where the library and citizen service are co-located?",
                    ),
                    YES_NO,
                ),
            ),
        ),
        SectionTemplate(
            code="use",
            title=t("Bruk og ønsker", "Bruk og ønske", "Use and wishes"),
            items=(
                ItemTemplate(
                    code="services-used",
                    kind="multiple_choice",
                    text=t(
                        "Hvilke tjenester har du brukt det siste året?",
                        "Kva tenester har du brukt det siste året?",
                        "Which services have you used in the last year?",
                    ),
                    choices=SERVICE_CHOICES[:2],
                ),
                ItemTemplate(
                    code="preferred-organisation",
                    kind="single_choice",
                    text=t(
                        "Hva foretrekker du?",
                        "Kva føretrekkjer du?",
                        "What do you prefer?",
                    ),
                    choices=(
                        (
                            "one-desk",
                            t("Én felles skranke", "Éin felles skranke", "One shared desk"),
                        ),
                        (
                            "one-building",
                            t(
                                "Samme bygg, egne skranker og ansatte",
                                "Same bygg, eigne skrankar og tilsette",
                                "Same building, separate desks and staff",
                            ),
                        ),
                        ("separate", t("Hver sitt bygg", "Kvart sitt bygg", "Separate buildings")),
                    ),
                ),
                ItemTemplate(
                    code="wanted-activities",
                    kind="multiple_choice",
                    text=t(
                        "Hvilke aktiviteter ønsker du deg?",
                        "Kva aktivitetar ønskjer du deg?",
                        "Which activities would you like?",
                    ),
                    choices=(
                        ("talks", t("Foredrag", "Føredrag", "Talks")),
                        (
                            "information",
                            t("Informasjonsmøter", "Informasjonsmøte", "Information meetings"),
                        ),
                        (
                            "children",
                            t(
                                "Aktiviteter for barn og unge",
                                "Aktivitetar for barn og unge",
                                "Activities for children and young people",
                            ),
                        ),
                    ),
                ),
            ),
        ),
        SectionTemplate(
            code="statements",
            title=t("Påstander", "Påstandar", "Statements"),
            items=(
                likert(
                    "positive-co-organisation",
                    t(
                        "Det er positivt at bibliotek og innbyggertorg samorganiseres.",
                        "Det er positivt at bibliotek og innbyggjartorg blir samorganiserte.",
                        "It is good that the library and citizen service are organised together.",
                    ),
                ),
                likert(
                    "roles-clear",
                    t(
                        "Det er tydelig hvem som gjør hva i skranken.",
                        "Det er tydeleg kven som gjer kva i skranken.",
                        "It is clear who does what at the desk.",
                    ),
                ),
                likert(
                    "library-independence",
                    t(
                        "Bibliotekets uavhengighet er truet.",
                        "Sjølvstendet til biblioteket er truga.",
                        "The library's independence is threatened.",
                    ),
                ),
            ),
        ),
        SectionTemplate(
            code="comments",
            title=t("Kommentarer", "Kommentarar", "Comments"),
            items=(
                ItemTemplate(
                    code="comment",
                    kind="free_text",
                    text=t("Andre kommentarer", "Andre kommentarar", "Other comments"),
                ),
            ),
        ),
    ),
)

TEMPLATES: dict[str, SurveyTemplate] = {EMPLOYEE.key: EMPLOYEE, CITIZEN.key: CITIZEN}
