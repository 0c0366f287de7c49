from __future__ import annotations

import pytest

from torg.demo.setup import TORONTO_BRANCHES, TORONTO_VISITS, data_path
from torg.imports.framework.run import run_import
from torg.organisation.models import Municipality
from torg.testing.factories import make_municipality


@pytest.fixture
def toronto(db: None) -> Municipality:
    """Toronto with the bundled branches and yearly visits 2012–2022 imported."""
    municipality = make_municipality("toronto", name="Toronto", country="CA")
    run_import("toronto-branches", data_path(TORONTO_BRANCHES), municipality="toronto")
    run_import("toronto-visits", data_path(TORONTO_VISITS), municipality="toronto")
    return municipality
