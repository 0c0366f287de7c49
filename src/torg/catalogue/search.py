"""Desk search over the catalogue, without Django: folding and ranking of plain strings.

Staff at a joint desk type fast, often without Norwegian letters, and in either language.
:func:`fold` makes "Bostøtte", "bostotte", "BOSTØTTE" and "bostoette" the same string, so
that a search for any of them finds the housing allowance. The same fold is applied to the
query and to the text searched, so the rules only need to be consistent, not linguistically
exact:

* case folding, then Unicode NFKD with combining marks removed (é → e, å → a, ü → u);
* letters that do not decompose: ø → o, æ → ae, ß → ss, đ → d, ł → l;
* the ASCII spellings of æ, ø and å collapse too (ae → a, oe → o, aa → a), so that
  "baereposer", "bareposer" and "bæreposer" are equal after folding;
* anything that is not a letter or digit becomes a single space ("TT-kort" → "tt kort").
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

_LETTERS = str.maketrans({"ø": "o", "æ": "ae", "ß": "ss", "đ": "d", "ł": "l", "œ": "oe"})
_DIGRAPHS = re.compile(r"ae|oe|aa")
_DIGRAPH_TO = {"ae": "a", "oe": "o", "aa": "a"}
_NON_WORD = re.compile(r"[\W_]+")

# How much a token found in each kind of text counts; a service's score is the sum over the
# query's tokens of the best place each token was found.
WEIGHT_NAME = 3
WEIGHT_SYNONYM = 2
WEIGHT_NOTE = 1


def fold(text: str) -> str:
    """Return ``text`` folded for matching (see the module docstring); words are separated
    by single spaces, with none at either end.

    >>> fold("Bostøtte")
    'bostotte'
    >>> fold("TT-kort (tilrettelagt transport)")
    'tt kort tilrettelagt transport'
    >>> fold("Bæreposer") == fold("baereposer") == fold("bareposer")
    True
    """
    decomposed = unicodedata.normalize("NFKD", text.casefold().translate(_LETTERS))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    collapsed = _DIGRAPHS.sub(lambda match: _DIGRAPH_TO[match.group(0)], stripped)
    return _NON_WORD.sub(" ", collapsed).strip()


def query_tokens(query: str) -> list[str]:
    """The folded words of a search query, without duplicates, in the order typed."""
    return list(dict.fromkeys(fold(query).split()))


@dataclass(frozen=True)
class SearchText:
    """The folded text of one catalogue entry, split by how strongly a match counts.

    ``names`` and ``synonyms`` match a token anywhere inside them ("stotte" finds
    "bostotte"); ``note`` only at the start of a word, so that a short token does not match
    the middle of every long note.
    """

    names: str
    synonyms: str
    note_words: tuple[str, ...]

    @classmethod
    def of(
        cls, *, names: Iterable[str], synonyms: Iterable[str], notes: Iterable[str]
    ) -> SearchText:
        return cls(
            names=" | ".join(fold(name) for name in names),
            synonyms=" | ".join(fold(word) for word in synonyms),
            note_words=tuple(" ".join(fold(note) for note in notes).split()),
        )

    def score(self, tokens: list[str]) -> int:
        """The match score for ``tokens`` (from :func:`query_tokens`): 0 when any token is
        found nowhere, otherwise the sum of each token's best weight. An empty query
        scores 0."""
        total = 0
        for token in tokens:
            if token in self.names:
                total += WEIGHT_NAME
            elif token in self.synonyms:
                total += WEIGHT_SYNONYM
            elif any(word.startswith(token) for word in self.note_words):
                total += WEIGHT_NOTE
            else:
                return 0
        return total
