"""Import profiles, one module per kind of source. Importing this package registers them."""

from torg.imports.profiles import (  # noqa: F401
    alessandria,
    bampfa,
    barnet,
    counter_csv,
    counter_readings,
    desk_log,
    digital_inquiries,
    england_ace,
    nb_2020,
    open311,
    survey_responses,
    toronto,
    tulsa,
    uk_schema,
)
