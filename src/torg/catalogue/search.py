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

# How much a token counts, by where it is found; a service's score is the sum over the
# query's tokens of the best place each token was found, plus EXACT_BONUS when the whole
# query is one of its names or synonyms ("barnehage" is a synonym of the kindergarten place,
# and only part of the word "barnehagebesøk").
WEIGHT_NAME_WORD_START = 4
WEIGHT_NAME = 3
WEIGHT_SYNONYM = 2
WEIGHT_NOTE = 1
EXACT_BONUS = 10


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
    "bostotte"), a name more when a word of it starts with the token; the notes only at
    the start of a word, so that a short token does not match the middle of every note.
    """

    names: tuple[str, ...]
    synonyms: tuple[str, ...]
    note_words: tuple[str, ...]

    @classmethod
    def of(
        cls, *, names: Iterable[str], synonyms: Iterable[str], notes: Iterable[str]
    ) -> SearchText:
        return cls(
            names=tuple(fold(name) for name in names),
            synonyms=tuple(fold(word) for word in synonyms),
            note_words=tuple(" ".join(fold(note) for note in notes).split()),
        )

    def score(self, tokens: list[str]) -> int:
        """The match score for ``tokens`` (from :func:`query_tokens`): 0 when any token is
        found nowhere (or there are no tokens), otherwise the sum of each token's best
        weight, plus :data:`EXACT_BONUS` when the tokens together are a whole name or
        synonym."""
        if not tokens:
            return 0
        total = 0
        for token in tokens:
            in_names = [name for name in self.names if token in name]
            if in_names:
                starts_word = any(
                    word.startswith(token) for name in in_names for word in name.split()
                )
                total += WEIGHT_NAME_WORD_START if starts_word else WEIGHT_NAME
            elif any(token in synonym for synonym in self.synonyms):
                total += WEIGHT_SYNONYM
            elif any(word.startswith(token) for word in self.note_words):
                total += WEIGHT_NOTE
            else:
                return 0
        phrase = " ".join(tokens)
        if phrase in self.names or phrase in self.synonyms:
            total += EXACT_BONUS
        return total
