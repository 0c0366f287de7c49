"""``survey-responses``: another survey tool's one-row-per-respondent export into a wave
(the profile lives with the surveys, :mod:`torg.surveys.importing`)."""

from torg.imports.registry import register
from torg.surveys.importing import SurveyResponsesProfile

register(SurveyResponsesProfile)
