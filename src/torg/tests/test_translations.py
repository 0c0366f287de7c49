"""The Norwegian bokmål translation: complete, compiled, faithful to its placeholders, and
actually served.

``make messages`` extracts the English msgids into ``locale/nb/LC_MESSAGES/django.po`` and
compiles it with ``tools/compile_messages.py``; both files are committed.
"""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path
from types import ModuleType

import polib
import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import translation

from torg.imports.registry import all_profiles
from torg.web.charts import number_locale

PO_PATH = Path(settings.LOCALE_PATHS[0]) / "nb" / "LC_MESSAGES" / "django.po"
COMPILER = Path(__file__).resolve().parents[3] / "tools" / "compile_messages.py"

#: ``%(name)s``, ``%s``, ``%d``, ``%.1f``, ``%%``; ``{name}``; and HTML tags.
PERCENT = re.compile(r"%(?:\([^)]+\))?[-#0 +]*\d*(?:\.\d+)?[sdifr%]")
BRACE = re.compile(r"\{[A-Za-z_][A-Za-z0-9_]*\}")
TAG = re.compile(r"</?[A-Za-z][^>]*>")


@pytest.fixture(scope="module")
def po() -> polib.POFile:
    return polib.pofile(str(PO_PATH))


def _tokens(text: str) -> list[str]:
    return sorted(PERCENT.findall(text) + BRACE.findall(text) + TAG.findall(text))


def _pairs(entry: polib.POEntry) -> list[tuple[str, str]]:
    """(English source, bokmål translation) of every form of ``entry``; bokmål has two
    plural forms, the first for n == 1."""
    if entry.msgid_plural:
        return [
            (entry.msgid if index == 0 else entry.msgid_plural, text)
            for index, text in sorted(entry.msgstr_plural.items())
        ]
    return [(entry.msgid, entry.msgstr)]


def test_the_catalogue_is_bokmal_with_two_plural_forms(po: polib.POFile) -> None:
    assert po.metadata["Language"] == "nb"
    assert po.metadata["Plural-Forms"] == "nplurals=2; plural=(n != 1);"
    assert po.metadata["Content-Type"] == "text/plain; charset=UTF-8"
    assert not po.metadata_is_fuzzy
    assert len(po) > 100


def test_every_entry_is_translated_and_none_is_fuzzy(po: polib.POFile) -> None:
    fuzzy = [entry.msgid for entry in po.fuzzy_entries()]
    untranslated = [entry.msgid for entry in po.untranslated_entries() if not entry.obsolete]
    empty_plurals = [
        entry.msgid
        for entry in po
        if entry.msgid_plural and (len(entry.msgstr_plural) != 2 or not all(_pairs(entry)))
    ]
    assert fuzzy == [], "fuzzy entries in the bokmål catalogue"
    assert untranslated == [], "untranslated entries in the bokmål catalogue"
    assert empty_plurals == [], "plural entries without both bokmål forms"
    assert [entry.msgid for entry in po.obsolete_entries()] == []


def test_every_translation_keeps_the_placeholders_and_markup(po: polib.POFile) -> None:
    mismatches = [
        f"{source!r}: {_tokens(source)} != {_tokens(text)}"
        for entry in po
        for source, text in _pairs(entry)
        if _tokens(source) != _tokens(text)
    ]
    assert mismatches == []


def test_the_placeholder_check_catches_a_dropped_or_renamed_placeholder() -> None:
    assert _tokens("%(count)s of %(total)s") != _tokens("%(count)s av %(totalt)s")
    assert _tokens("Showing {shown} of {total}") != _tokens("Viser {shown} av {totalt}")
    assert _tokens("%(share)s %%") != _tokens("%(share)s %")
    assert _tokens('Edit<span class="x"> %(name)s</span>') != _tokens("Endre %(name)s")


def _compiler() -> ModuleType:
    spec = importlib.util.spec_from_file_location("compile_messages", COMPILER)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_committed_mo_file_matches_the_po_file(capsys: pytest.CaptureFixture[str]) -> None:
    assert _compiler().main(["--check"]) == 0, capsys.readouterr().out


def test_django_loads_the_compiled_translation() -> None:
    with translation.override("nb"):
        assert translation.gettext("Service catalogue") == "Tjenestekatalog"
        assert translation.ngettext("%(counter)s service", "%(counter)s services", 1) == (
            "%(counter)s tjeneste"
        )
        assert translation.ngettext("%(counter)s service", "%(counter)s services", 2) == (
            "%(counter)s tjenester"
        )
    with translation.override("en"):
        assert translation.gettext("Service catalogue") == "Service catalogue"


@pytest.mark.django_db
def test_the_login_page_speaks_bokmal_by_default_and_english_on_request() -> None:
    client = Client()
    norwegian = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="nb").content.decode()
    assert '<html lang="nb">' in norwegian
    assert "Logg inn" in norwegian and "Brukernavn" in norwegian and "Passord" in norwegian
    assert "Username" not in norwegian

    no_preference = client.get(reverse("login")).content.decode()
    assert "Brukernavn" in no_preference

    english = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<html lang="en">' in english
    assert "Log in" in english and "Username" in english and "Password" in english
    assert "Brukernavn" not in english


@pytest.mark.django_db
def test_the_language_form_switches_the_page_to_english() -> None:
    client = Client()
    response = client.post(
        reverse("set_language"),
        {"language": "en", "next": reverse("login")},
        HTTP_ACCEPT_LANGUAGE="nb",
    )
    assert response.status_code == 302
    page = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="nb").content.decode()
    assert "Username" in page and "Brukernavn" not in page


def test_charts_and_import_profile_titles_follow_the_language() -> None:
    titles = {profile.name: profile.title for profile in all_profiles()}
    with translation.override("nb"):
        assert number_locale()["decimal"] == ","
        assert number_locale()["thousands"] == "\xa0"
        assert translation.gettext(titles["toronto-visits"]).startswith(
            "Toronto Public Library: besøk"
        )
    with translation.override("en"):
        assert number_locale() == {
            "decimal": ".",
            "thousands": ",",
            "grouping": [3],
            "currency": ["", ""],
        }
