"""Remove personal data about citizens from free-text desk notes before they are stored.

No Django. :func:`scrub` finds Norwegian national identity numbers and D-numbers, phone
numbers, e-mail addresses, Norwegian bank account numbers and recognisable postal addresses,
and replaces each with a fixed placeholder (:data:`PLACEHOLDERS`) that staff can read in any
language. It returns what it removed (kind and span in the original text) so that the web
layer can tell the user, translating the kind codes in :data:`KINDS` itself.

The scrubber errs on the side of removal where an identifier is checksummed (an 11-digit
number that passes the fødselsnummer or MOD11 check is always removed, whatever its context)
and uses context rules where the shape alone is weak (8-digit phone numbers, postcodes).
What it cannot recognise: names, free-form addresses without a street suffix or house
number, e-mail addresses written with "(at)", foreign identity numbers, foreign phone
numbers written without their country code, and phone numbers glued to letters
("tlf22334455kl"). It cannot tell a citizen's number or address from a business's or the
town hall's, and removes both. An unlabelled 8-digit number in an allocated series is
removed as a phone number (about half of all 8-digit numbers). It is a safety net, not a
guarantee. Measured false-positive rates: lib/tests/reference/pii_false_positive_rate.txt.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass

import phonenumbers
from stdnum.no import fodselsnummer, kontonr

KINDS: tuple[str, ...] = (
    "national_id",
    "d_number",
    "phone",
    "email",
    "bank_account",
    "postal_address",
)

# What replaces each kind in the stored text. ASCII, upper case and bracketed so that a
# reader of any language sees at once that something was removed, and what sort of thing.
PLACEHOLDERS: dict[str, str] = {
    "national_id": "[ID-NUMBER]",
    "d_number": "[D-NUMBER]",
    "phone": "[PHONE]",
    "email": "[E-MAIL]",
    "bank_account": "[ACCOUNT]",
    "postal_address": "[ADDRESS]",
}

# When two finds have the same length, the more specific kind wins (lower rank). This
# matters: the second check digit of a fødselsnummer uses the account number's MOD11
# weights (5,4,3,2,7,6,5,4,3,2), so EVERY valid fødselsnummer written 11 digits in a row is
# also a valid account number; it is reported as an identity number, the stricter check
# (date + two check digits against one).
_RANK = {
    "national_id": 0,
    "d_number": 0,
    "bank_account": 1,
    "email": 2,
    "phone": 3,
    "postal_address": 4,
}


@dataclass(frozen=True)
class Removal:
    """One find: its kind (one of :data:`KINDS`) and its half-open span ``[start, end)`` in
    the ORIGINAL text (character offsets, not bytes)."""

    kind: str
    start: int
    end: int


@dataclass(frozen=True)
class ScrubResult:
    """The scrubbed ``text`` and the ``removals`` that produced it, ordered by ``start``;
    spans never overlap."""

    text: str
    removals: tuple[Removal, ...]

    def counts(self) -> dict[str, int]:
        """How many finds of each kind were removed: ``{kind: count}`` for the kinds with at
        least one removal, in the order of :data:`KINDS` (empty if nothing was removed)."""
        counts = {kind: 0 for kind in KINDS}
        for removal in self.removals:
            counts[removal.kind] += 1
        return {kind: count for kind, count in counts.items() if count}


def scrub(text: str) -> ScrubResult:
    """Replace personal data in ``text`` with :data:`PLACEHOLDERS`.

    Returns a :class:`ScrubResult` whose text equals ``text`` except that each removed span
    is replaced by its kind's placeholder; everything between finds is kept character for
    character. Finds are collected by every detector; finds that overlap are merged into one
    removal (see :func:`_resolve_overlaps`), so spans never overlap and no part of a find is
    left visible. Never raises on any ``str``.
    """
    candidates = [
        *_identity_numbers(text),
        *_bank_accounts(text),
        *_emails(text),
        *_phones(text),
        *_postal_addresses(text),
    ]
    chosen = _resolve_overlaps(candidates)
    parts: list[str] = []
    position = 0
    for removal in chosen:
        parts.append(text[position : removal.start])
        parts.append(PLACEHOLDERS[removal.kind])
        position = removal.end
    parts.append(text[position:])
    return ScrubResult(text="".join(parts), removals=tuple(chosen))


def _resolve_overlaps(candidates: list[Removal]) -> list[Removal]:
    """Merge overlapping finds: each group of finds connected by overlaps becomes one removal
    spanning all of them, of the kind of its best find (the longest; on equal length the more
    specific kind by ``_RANK``). In "Storgata 12, 0150 Oslo" the address wins over the bare
    postcode; if a street address runs into a phone number ("Kirkeveien 22 33 44 55") the
    digits of the phone number are removed too rather than left half visible."""
    merged: list[tuple[int, int, list[Removal]]] = []
    for candidate in sorted(candidates, key=lambda r: (r.start, r.end)):
        if merged and candidate.start < merged[-1][1]:
            start, end, group = merged[-1]
            merged[-1] = (start, max(end, candidate.end), [*group, candidate])
        else:
            merged.append((candidate.start, candidate.end, [candidate]))
    removals = []
    for start, end, group in merged:
        best = min(group, key=lambda r: (-(r.end - r.start), _RANK[r.kind], r.start))
        removals.append(Removal(best.kind, start, end))
    return removals


# --- National identity numbers and D-numbers ---------------------------------------------

# 11 digits, or the 6-digit date part and the 5-digit personal part separated by one space,
# dot or hyphen ("010190 12345"). Not inside a longer run of digits.
_IDENTITY_SHAPE = re.compile(r"(?<![\d])\d{6}[ .\-]?\d{5}(?![\d])")


def _identity_numbers(text: str) -> Iterator[Removal]:
    """Fødselsnummer (national identity number) and D-number finds.

    Sources: folkeregisterloven (LOV-2016-12-09-88), which gives every registered person an
    identity number (fødselsnummer or D-number); Skatteetaten, "Om identitetsnummer"
    (skatteetaten.no/person/folkeregister/identitetsnummer/) for the layout: date of birth
    DDMMYY, a three-digit individual number, two MOD11 check digits with weights
    3,7,6,1,8,9,4,5,2 and 5,4,3,2,7,6,5,4,3,2. A D-number has 4 added to the first digit
    (day 41-71; Brønnøysundregistrene, "D-nummer"). Validation is :func:`stdnum.no.fodselsnummer.is_valid`: both check
    digits, a real calendar date, a century consistent with the individual number, and a
    birth date not in the future. H-numbers (month + 40), which stdnum also accepts, are
    reported as ``national_id``; FH-numbers (first digit 8 or 9) are not accepted by stdnum
    and so not removed.

    Chance finds: the two check digits alone let one random 11-digit number in 121 pass
    (0.8 %); with the date and century checks a random 11-digit number passes with
    probability about 0.1 % (15 % of DDMM are a day and month counting D- and H-numbers,
    81 % of YY and individual numbers give a past date in a valid century, times 1/121).
    Measured: lib/tests/reference/pii_false_positive_rate.txt.
    """
    for match in _IDENTITY_SHAPE.finditer(text):
        digits = re.sub(r"\D", "", match.group())
        if fodselsnummer.is_valid(digits):
            kind = "d_number" if int(digits[0]) >= 4 else "national_id"
            yield Removal(kind, match.start(), match.end())


# --- Bank account numbers ----------------------------------------------------------------

# 4-2-5 digits with the same separator (none, space, dot or hyphen) in both places:
# 1234.56.78903, 1234 56 78903, 12345678903; optionally as an IBAN ("NO93 8601 11 17947").
_ACCOUNT_SHAPE = re.compile(
    r"(?:(?<![\w])NO\d{2} ?)?(?<![\d])\d{4}(?P<separator>[ .\-]?)\d{2}(?P=separator)\d{5}(?![\d])"
)


def _bank_accounts(text: str) -> Iterator[Removal]:
    """Norwegian bank account numbers (11 digits, last one a MOD11 check digit with weights
    5,4,3,2,7,6,5,4,3,2), validated with :func:`stdnum.no.kontonr.is_valid`. Source: the
    ECBS description of the Norwegian account number (bank register number 4 digits,
    account group 2, customer number 4, MOD11 check digit), as cited by
    ``stdnum.no.kontonr``. The old 7-digit postgiro form is not looked for: too many
    ordinary numbers have 7 digits.

    Every valid fødselsnummer passes this check too (see ``_RANK``). Chance finds: one
    random 11-digit number in 11 passes MOD11, so any 11-digit number
    written 4-2-5 or unseparated is removed with probability about 9 %; 11-digit numbers are
    rare in notes other than identity and account numbers, and removal is the safe side.
    """
    for match in _ACCOUNT_SHAPE.finditer(text):
        raw = match.group()
        digits = re.sub(r"\D", "", raw[4:] if raw.startswith("NO") else raw)
        if len(digits) == 11 and kontonr.is_valid(digits):
            yield Removal("bank_account", match.start(), match.end())


# --- E-mail addresses --------------------------------------------------------------------

# Pragmatic, not RFC 5322: a local part of letters (any script), digits and . _ % + - ',
# an @, then domain labels of letters, digits and hyphens, ending in a top-level domain of
# two or more letters. Quoted local parts, IP-literal domains and "(at)" spellings are not
# recognised. A trailing dot (end of sentence) is not part of the address.
_EMAIL = re.compile(
    r"(?<![\w.%+'\-])[\w%+'\-]+(?:\.[\w%+'\-]+)*@(?:[^\W_](?:[\w\-]*[^\W_])?\.)+[^\W\d_]{2,}(?![\w\-])"
)


def _emails(text: str) -> Iterator[Removal]:
    """E-mail addresses, by the pragmatic pattern above."""
    for match in _EMAIL.finditer(text):
        yield Removal("email", match.start(), match.end())


# --- Phone numbers -----------------------------------------------------------------------

# Words that say the next number IS a phone number; they override the date rule below.
_PHONE_CUE = re.compile(
    r"(?:\b(?:tlf|tel|telefon\w*|mobil\w*|mob|ring\w*|sms|phone|call)\.?:?\s*)$",
    re.IGNORECASE,
)
# Words that say the next number is NOT a phone number: amounts, case and reference
# numbers, cards, invoices, organisation numbers.
_NOT_PHONE_BEFORE = re.compile(
    r"(?:\b(?:kr|nok|kroner|beløp|sum|sak|saksnr|saksnummer|ref|referanse|ordre|ordrenr|"
    r"faktura|fakturanr|fakturanummer|kid|isbn|issn|kort|kortnr|kortnummer|lånekort|"
    r"lånenr|lånenummer|kundenr|kundenummer|orgnr|org\.nr|organisasjonsnummer|"
    r"strekkode|barcode|invoice|case|ticket|id)\.?(?:\s*(?:nr|nummer|no)\.?)?:?\s*)$",
    re.IGNORECASE,
)
_NOT_PHONE_AFTER = re.compile(r"^(?:\s*(?:kr\b|kroner\b|nok\b|,-|,\d{2}\b|\.-))", re.IGNORECASE)
_CONTEXT_CHARS = 40


def _looks_like_a_date(digits: str) -> bool:
    """True if 8 digits read as DDMMYYYY or YYYYMMDD with a year 1900-2099."""
    for day, month, year in (
        (digits[0:2], digits[2:4], digits[4:8]),
        (digits[6:8], digits[4:6], digits[0:4]),
    ):
        if 1900 <= int(year) <= 2099:
            try:
                dt.date(int(year), int(month), int(day))
            except ValueError:
                continue
            return True
    return False


def _phones(text: str) -> Iterator[Removal]:
    """Phone numbers, Norwegian and international.

    Found by ``phonenumbers.PhoneNumberMatcher(text, "NO", leniency=Leniency.VALID)``
    (Google's libphonenumber metadata): the number must be a valid number for its region,
    so a Norwegian number needs 8 digits in an allocated range (mobile 4x/9x, landline
    2x-7x, special 8xx; a leading 0 or 1 is never valid), with or without +47/0047, in any
    grouping ("22 33 44 55", "223 34 455"). Numbers of other countries need their country
    code ("+46 8 123 456 78"). The matcher itself skips slash dates and case numbers
    ("2024/1234"), time stamps, and digits glued to letters.

    ``VALID`` rather than ``STRICT_GROUPING``, because the stricter level rejects groupings
    people do write ("223 34 455"). To keep false positives low, a Norwegian number written
    without a country code is NOT removed when
    - the words just before it mark an amount or a reference ("kr", "sak", "saksnr",
      "ref", "faktura", "KID", "ISBN", "kortnr", "lånekort", "orgnr", ...) or it is
      followed by "kr", "kroner", ",-" or ",50" (an amount: "kr 22 500 000");
    - its eight digits read as a date DDMMYYYY or YYYYMMDD (year 1900-2099) and it is
      written as one run of digits or grouped 2-2-4 / 4-2-2 ("25122024", "2024 12 25"),
      unless a phone word ("tlf", "telefon", "mobil", "ring", "sms") comes just before it;
    - it is grouped 2-3-3 like thousands ("22 500 000") and no phone word precedes it;
    - it has fewer than 8 digits (a company's or agency's service number, "02800", or
      the tail of a case number, "sak 06/08866").
    A number with a country code is always removed, except one unseparated run of digits
    starting with 00 and a country code other than 47 ("0053491749" is more likely a card
    number than a call to Cuba).
    """
    matcher = phonenumbers.PhoneNumberMatcher(text, "NO", leniency=phonenumbers.Leniency.VALID)
    for match in matcher:
        raw = match.raw_string
        start, end = match.start, match.end
        if raw.startswith("(") and ")" not in raw:
            # An opening parenthesis of the sentence, not of an area code: leave it in the
            # text, and let a same-length identifier or account number win the overlap.
            raw, start = raw[1:], start + 1
        digits = re.sub(r"\D", "", raw)
        written = raw.lstrip("(")
        if written.startswith("00") and written.isdigit() and not digits.startswith("0047"):
            # One unseparated run such as "0053491749": a card or reference number far
            # more often than a foreign number dialled with 00.
            continue
        if not written.startswith(("+", "00")):
            if len(digits) != 8:
                # Norwegian subscriber numbers have 8 digits; the shorter valid ones are
                # service numbers of companies and agencies ("02800"), and match the tail
                # of case numbers ("sak 06/08866").
                continue
            before = text[max(0, start - _CONTEXT_CHARS) : start]
            after = text[end : end + _CONTEXT_CHARS]
            cued = _PHONE_CUE.search(before) is not None
            if not cued and (_NOT_PHONE_BEFORE.search(before) or _NOT_PHONE_AFTER.match(after)):
                continue
            groups = tuple(len(group) for group in re.findall(r"\d+", raw))
            if not cued and groups == (2, 3, 3):
                # Thousands grouping: "22 500 000" is an amount or a count, not a way
                # Norwegian numbers are written (pairs, or 3-2-3).
                continue
            if not cued and groups in {(8,), (2, 2, 4), (4, 2, 2)} and _looks_like_a_date(digits):
                continue
        yield Removal("phone", start, end)


# --- Postal addresses --------------------------------------------------------------------

_UPPER = "A-ZÆØÅÄÖÜÉ"
_LOWER = "a-zæøåäöüéè"
_ATTACHED_SUFFIXES = "veien|vegen|gata|gaten|gate|vei|veg|stien|plassen|torget|bakken|alléen|allé"
_SEPARATE_SUFFIXES = "gate|gata|gaten|vei|veien|veg|vegen|plass|plassen"
# Words that begin street names ("Øvre Slottsgate", "Nedre Storgate"); other capitalised
# words before a street name are left alone, so "Besøk Storgata 12" keeps "Besøk".
_STREET_PREFIXES = (
    "Øvre|Nedre|Nordre|Søndre|Vestre|Østre|Store|Lille|Gamle|Nye|Indre|Ytre|Sankt|St\\."
)
# A street name: one capitalised word with a suffix, perhaps after a prefix word
# ("Storgata", "Øvre Kirkeveien"; at least two letters before the suffix); or one or two
# capitalised words, the last in the genitive, and the suffix as a separate word ("Karl
# Johans gate", "Ole Bulls plass"); or one or two capitalised words and "allé" ("Bygdøy
# allé"). The genitive rule keeps "Ingen plass 2" and "Hei alle 3" out.
_STREET = (
    rf"(?:(?:(?:{_STREET_PREFIXES})\s+)?[{_UPPER}][{_LOWER}\-]+(?:{_ATTACHED_SUFFIXES})"
    rf"|(?:[{_UPPER}][{_LOWER}'\-]*\.?\s+)?[{_UPPER}][{_LOWER}'\-]*s\s+(?:{_SEPARATE_SUFFIXES})"
    rf"|(?:[{_UPPER}][{_LOWER}'\-]*\s+){{1,2}}allé)"
)
# House number 1-999 with an optional letter ("12B", "12 b" only if upper case), an optional
# range ("12-14") and an optional dwelling number ("H0101").
_HOUSE_NUMBER = r"[1-9]\d{0,2}(?:[a-zA-Z](?![\w])|\s[A-Z](?![\w]))?(?:\s?[-–]\s?[1-9]\d{0,2}(?![\d]))?(?:,?\s+H\d{4})?"
_PLACE = rf"(?:[{_UPPER}][{_LOWER}]+|Å)(?:(?:\s(?:i|på)\s|-)[{_UPPER}][{_LOWER}]+)?"
_POSTCODE_PLACE = rf"(?<![\d])\d{{4}}\s+{_PLACE}(?![\w])"
_STREET_ADDRESS = re.compile(
    rf"(?<![\w]){_STREET}\s+{_HOUSE_NUMBER}(?![\d])(?:,?\s+{_POSTCODE_PLACE})?",
)
_POSTCODE_ALONE = re.compile(_POSTCODE_PLACE)
# Address context before a postcode: start of text or line, a comma, colon, semicolon or
# opening parenthesis, or a word for an address. The only way a postcode that could also
# be a year (1900-2099) is removed on its own.
_ADDRESS_CONTEXT = re.compile(
    r"(?:^|[\n,;:(]|\b(?:postnr|postnummer|adresse|adr|bor|bosatt)\.?:?)\s*$",
    re.IGNORECASE,
)
# Without that context, a postcode and place must end the phrase ("sendes til 0150 Oslo.")
# and not follow a quantity word; "svar 0820 Kunden etter" is not an address.
_ENDS_A_PHRASE = re.compile(r"[ \t]*(?:$|[.,;:!?)\n])")
# Before any other postcode, these mean "a quantity, not an address".
_NOT_POSTCODE_BEFORE = re.compile(
    r"\b(?:kr|nok|ca|cirka|over|under|nesten|omtrent|totalt|av|per|pr|i|år|siden|"
    r"innen|før|etter|høsten|våren|sommeren|vinteren|januar|februar|mars|april|mai|juni|"
    r"juli|august|september|oktober|november|desember|kl)\.?\s*$",
    re.IGNORECASE,
)


def _postal_addresses(text: str) -> Iterator[Removal]:
    """Postal addresses where recognisable.

    Recognised: a capitalised street name ending in a common Norwegian suffix (-veien,
    -vegen, -gata, -gaten, -gate, -vei, -veg, -stien, -plassen, -torget, -bakken, -allé), or
    "gate", "vei", "veg", "plass" as a separate word after a name in the genitive ("Karl
    Johans gate"), or "allé" after capitalised words ("Bygdøy allé"), followed by
    a house number with optional letter ("Storgata 12B", "Karl Johans gate 22",
    "Bygdøy allé 5 H0201"), optionally followed by a postcode and place ("Storgata 12,
    0150 Oslo"); and a 4-digit postcode followed by a capitalised place name ("0150 Oslo",
    "8622 Mo i Rana"). Postcode plus place alone is ambiguous with a year or count followed
    by a capitalised word ("2024 Biblioteket", "svar 0820 Kunden etter"), so it is removed
    only with address context before it (start of line, comma, colon, "postnr", "adresse",
    "bor"), or, for a number that cannot be a year (1900-2099) and does not follow a
    quantity word ("kr", "ca.", "over", "i", ...), when the place name ends the phrase (end
    of text or line, or punctuation: "sendes til 0150 Oslo.").

    Not recognised (limits): street names without one of these suffixes ("Youngstorget"
    is, "Grünerløkka 3" is not), addresses without a house number or postcode, farm names
    without a house number ("Nordre Haugen"), street names written in lower case (kept out
    on purpose: "parkeringsplassen 2" is not an address), lower-case place names, post-box
    addresses ("Postboks 123"), and foreign addresses. Place names are not checked against
    the postcode register, so "0150 Bergen" is removed too.
    """
    for match in _STREET_ADDRESS.finditer(text):
        yield Removal("postal_address", match.start(), match.end())
    for match in _POSTCODE_ALONE.finditer(text):
        number = int(match.group()[:4])
        before = text[max(0, match.start() - _CONTEXT_CHARS) : match.start()]
        after = text[match.end() : match.end() + _CONTEXT_CHARS]
        could_be_a_year = 1900 <= number <= 2099
        looks_like_an_address = _ADDRESS_CONTEXT.search(before) is not None or (
            not could_be_a_year
            and _NOT_POSTCODE_BEFORE.search(before) is None
            and _ENDS_A_PHRASE.match(after) is not None
        )
        if not looks_like_an_address:
            continue
        yield Removal("postal_address", match.start(), match.end())
