"""Folding and ranking of the desk search (no database)."""

from __future__ import annotations

import pytest

from torg.catalogue.search import SearchText, fold, query_tokens


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("bostotte", "Bostøtte"),
        ("BOSTØTTE", "bostøtte"),
        ("bostoette", "Bostøtte"),
        ("lanekort", "Lånekort"),
        ("laanekort", "Lånekort"),
        ("baereposer", "Bæreposer"),
        ("bareposer", "Bæreposer"),
        ("cafe", "Café"),
        ("tt kort", "TT-kort"),
        ("id porten", "ID-porten"),
    ],
)
def test_a_query_typed_without_norwegian_letters_folds_like_the_stored_word(typed, stored):
    assert fold(typed) == fold(stored)


def test_folding_removes_punctuation_and_collapses_spaces():
    assert fold("  Skole-innskriving,  SFO (AKS) ") == "skole innskriving sfo aks"


def test_query_tokens_are_folded_and_deduplicated_in_typed_order():
    assert query_tokens("Bostøtte  bostotte Husbanken") == ["bostotte", "husbanken"]
    assert query_tokens("  ,; ") == []


def _text() -> SearchText:
    return SearchText.of(
        names=["Bostøtte", "Housing allowance (bostøtte)", "housing-allowance"],
        synonyms=["støtte til husleie", "Husbanken"],
        notes=["Søknaden sendes digitalt på Husbankens nettside med BankID."],
    )


def test_a_word_in_the_name_scores_higher_than_in_a_synonym_or_a_note():
    text = _text()
    assert text.score(["allowance"]) == 4
    assert text.score(["husleie"]) == 2
    assert text.score(["nettside"]) == 1


def test_a_query_that_is_a_whole_name_or_synonym_gets_the_exact_bonus():
    text = _text()
    assert text.score(["bostotte"]) == 4 + 10
    assert text.score(["husbanken"]) == 2 + 10
    assert text.score(["stotte", "til", "husleie"]) == 3 + 2 + 2 + 10


def test_every_word_of_the_query_must_be_found():
    text = _text()
    assert text.score(["bostotte", "husleie"]) == 4 + 2
    assert text.score(["bostotte", "parkering"]) == 0


def test_a_note_matches_only_at_the_start_of_a_word_but_a_name_anywhere():
    text = _text()
    assert text.score(["stotte"]) == 3  # inside the word "bostotte" in the name
    assert text.score(["side"]) == 0  # inside "nettside" in the note only
    assert text.score(["nett"]) == 1


def test_an_empty_query_scores_nothing():
    assert _text().score([]) == 0
