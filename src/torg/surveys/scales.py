"""Built-in label sets of the Likert scales (bokmål, nynorsk, English). No Django.

A label is a ``{"nb": …, "nn": …, "en": …}`` mapping; a scale is the list of its labels from
the most negative (level 1) to the most positive (level n). Scales with an odd number of
points have a neutral middle level; the 4-point scale has none.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

Label = dict[str, str]

AGREE_SCALES: dict[int, list[Label]] = {
    4: [
        {"nb": "Helt uenig", "nn": "Heilt ueinig", "en": "Strongly disagree"},
        {"nb": "Litt uenig", "nn": "Litt ueinig", "en": "Somewhat disagree"},
        {"nb": "Litt enig", "nn": "Litt einig", "en": "Somewhat agree"},
        {"nb": "Helt enig", "nn": "Heilt einig", "en": "Strongly agree"},
    ],
    5: [
        {"nb": "Helt uenig", "nn": "Heilt ueinig", "en": "Strongly disagree"},
        {"nb": "Litt uenig", "nn": "Litt ueinig", "en": "Somewhat disagree"},
        {
            "nb": "Verken enig eller uenig",
            "nn": "Verken einig eller ueinig",
            "en": "Neither agree nor disagree",
        },
        {"nb": "Litt enig", "nn": "Litt einig", "en": "Somewhat agree"},
        {"nb": "Helt enig", "nn": "Heilt einig", "en": "Strongly agree"},
    ],
    7: [
        {"nb": "Svært uenig", "nn": "Svært ueinig", "en": "Very strongly disagree"},
        {"nb": "Uenig", "nn": "Ueinig", "en": "Disagree"},
        {"nb": "Litt uenig", "nn": "Litt ueinig", "en": "Somewhat disagree"},
        {
            "nb": "Verken enig eller uenig",
            "nn": "Verken einig eller ueinig",
            "en": "Neither agree nor disagree",
        },
        {"nb": "Litt enig", "nn": "Litt einig", "en": "Somewhat agree"},
        {"nb": "Enig", "nn": "Einig", "en": "Agree"},
        {"nb": "Svært enig", "nn": "Svært einig", "en": "Very strongly agree"},
    ],
}

DONT_KNOW_LABEL: Label = {"nb": "Vet ikke", "nn": "Veit ikkje", "en": "Don't know"}

LANGUAGES = ("nb", "nn", "en")


def agree_scale(points: int) -> list[Label]:
    """The agree/disagree labels of a ``points``-point scale (4, 5 or 7); ``ValueError`` else."""
    if points not in AGREE_SCALES:
        raise ValueError(f"Torg offers 4-, 5- and 7-point scales, not {points}")
    return [dict(label) for label in AGREE_SCALES[points]]


def pick(label: Label, language: str) -> str:
    """The text of ``label`` in ``language`` (``nb``, ``nn`` or ``en``), bokmål if missing."""
    code = language.split("-")[0].lower()
    if code == "no":
        code = "nb"
    return label.get(code) or label.get("nb") or next(iter(label.values()), "")


#: The language of a questionnaire's own texts while a respondent's form is shown; the pages'
#: interface language (Django's, bokmål or English) is used when it is not set. Nynorsk
#: exists for the questionnaires' texts only.
_INSTRUMENT_LANGUAGE: ContextVar[str | None] = ContextVar("instrument_language", default=None)


@contextmanager
def instrument_language(code: str | None) -> Iterator[None]:
    """Show questionnaire texts in ``code`` (``nb``, ``nn``, ``en``) inside the block."""
    token = _INSTRUMENT_LANGUAGE.set(code if code in LANGUAGES else None)
    try:
        yield
    finally:
        _INSTRUMENT_LANGUAGE.reset(token)


def text_language(interface_language: str | None) -> str:
    """The language questionnaire texts are shown in now."""
    code = _INSTRUMENT_LANGUAGE.get() or (interface_language or "nb").split("-")[0].lower()
    return "nb" if code == "no" else code
