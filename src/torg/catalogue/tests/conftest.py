"""Catalogue fixtures: the reference figures of the bundled file, and small catalogues."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from torg.catalogue.defaults import DEFAULT_CATALOGUE_PATH

REFERENCE = Path(__file__).resolve().parent / "reference" / "default_catalogue.json"


@pytest.fixture(scope="session")
def reference() -> dict[str, Any]:
    """Figures computed from the data file with jq (see reference/default_catalogue.jq)."""
    return json.loads(REFERENCE.read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def _raw_catalogue() -> dict[str, Any]:
    return json.loads(DEFAULT_CATALOGUE_PATH.read_text(encoding="utf-8"))


@pytest.fixture
def raw_catalogue(_raw_catalogue: dict[str, Any]) -> dict[str, Any]:
    """A fresh, mutable copy of the bundled file's JSON."""
    return copy.deepcopy(_raw_catalogue)


def tiny_catalogue() -> dict[str, Any]:
    """A two-category, three-service catalogue in the file format."""

    def service(
        code: str, category: str, domain: str, name_nb: str, name_en: str
    ) -> dict[str, Any]:
        return {
            "code": code,
            "category": category,
            "name_nb": name_nb,
            "name_en": name_en,
            "domain": domain,
            "level": "generalist",
            "synonyms_nb": [],
            "synonyms_en": [],
            "answer_note_nb": f"Om {name_nb}.",
            "answer_note_en": f"About {name_en}.",
        }

    return {
        "format": "torg-catalogue/1",
        "categories": [
            {"code": "library", "name_nb": "Bibliotek", "name_en": "Library"},
            {"code": "municipal", "name_nb": "Kommune", "name_en": "Municipality"},
        ],
        "services": [
            service("lending", "library", "library", "Lån", "Lending"),
            service("library-card", "library", "library", "Bibliotekkort", "Library card"),
            service("parking", "municipal", "municipal", "Parkering", "Parking"),
        ],
    }
