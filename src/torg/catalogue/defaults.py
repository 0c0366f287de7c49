"""Torg's default Norwegian service catalogue: reading and validating the bundled data file.

The file is ``torg/catalogue/data/default_catalogue.json``, written for Torg (see its
``note``). Its shape::

    {"format": "torg-catalogue/1", "title": ..., "note": ...,
     "categories": [{"code", "name_nb", "name_en"}, ...],              # menu order
     "services": [{"code", "category", "name_nb", "name_en", "domain", "level",
                   "synonyms_nb": [...], "synonyms_en": [...],
                   "answer_note_nb", "answer_note_en"}, ...]}

No Django import: the loader in :mod:`torg.catalogue.services` turns the parsed catalogue
into rows, and the tests validate the file on its own.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from torg.catalogue.codes import CODE_RE

DEFAULT_CATALOGUE_PATH = Path(__file__).resolve().parent / "data" / "default_catalogue.json"
FORMAT = "torg-catalogue/1"

DOMAINS = frozenset({"library", "municipal", "shared"})
LEVELS = frozenset({"generalist", "specialist"})

# Field limits of the models (ServiceCategory.code 60, Service.code 80, names 200, synonyms 500).
CATEGORY_CODE_MAX = 60
SERVICE_CODE_MAX = 80
NAME_MAX = 200
SYNONYMS_MAX = 500
_SLUG = CODE_RE

_CATEGORY_KEYS = {"code", "name_nb", "name_en"}
_SERVICE_KEYS = {
    "code",
    "category",
    "name_nb",
    "name_en",
    "domain",
    "level",
    "synonyms_nb",
    "synonyms_en",
    "answer_note_nb",
    "answer_note_en",
}
_SERVICE_REQUIRED = _SERVICE_KEYS - {"synonyms_nb", "synonyms_en", "answer_note_en"}


class CatalogueDataError(ValueError):
    """The catalogue file is not valid. ``problems`` lists every problem found, each naming
    the entry (``services[12] (code 'x')``) and what is wrong with it."""

    def __init__(self, source: str, problems: list[str]) -> None:
        self.source = source
        self.problems = problems
        shown = "\n".join(f"  - {problem}" for problem in problems[:20])
        more = f"\n  … and {len(problems) - 20} more" if len(problems) > 20 else ""
        super().__init__(f"{source} is not a valid service catalogue:\n{shown}{more}")


@dataclass(frozen=True)
class DefaultCategory:
    code: str
    name_nb: str
    name_en: str
    position: int


@dataclass(frozen=True)
class DefaultService:
    code: str
    category: str
    name_nb: str
    name_en: str
    domain: str
    level: str
    synonyms: str  # comma-separated, bokmål first, as stored in Service.synonyms
    answer_note: str
    answer_note_en: str

    def content(self) -> dict[str, Any]:
        """The values a loaded service gets (``category`` as its code, active)."""
        return {
            "category": self.category,
            "name_nb": self.name_nb,
            "name_en": self.name_en,
            "domain": self.domain,
            "level": self.level,
            "synonyms": self.synonyms,
            "answer_note": self.answer_note,
            "answer_note_en": self.answer_note_en,
            "is_active": True,
        }

    @property
    def digest(self) -> str:
        return content_digest(self.content())


@dataclass(frozen=True)
class DefaultCatalogue:
    source: str
    categories: tuple[DefaultCategory, ...]
    services: tuple[DefaultService, ...]

    def count_by(self, attribute: str) -> dict[str, int]:
        """Services per value of ``attribute`` (``"domain"``, ``"level"``, ``"category"``)."""
        counts: dict[str, int] = {}
        for service in self.services:
            key = getattr(service, attribute)
            counts[key] = counts.get(key, 0) + 1
        return counts


def content_digest(content: dict[str, Any]) -> str:
    """SHA-256 (hex, 64 characters) of a service's content as given by
    :meth:`DefaultService.content`; key order does not matter. Stored in
    ``Service.default_digest`` to tell an untouched default service from an edited one."""
    canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def read_default_catalogue(path: Path | None = None) -> DefaultCatalogue:
    """Read and validate a catalogue file (default: the bundled one).

    Raises :class:`CatalogueDataError` listing every problem, including a file that cannot
    be read or is not JSON.
    """
    path = path or DEFAULT_CATALOGUE_PATH
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise CatalogueDataError(str(path), [f"cannot be read: {error.strerror}"]) from None
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise CatalogueDataError(str(path), [f"is not UTF-8 JSON: {error}"]) from None
    return parse_catalogue(data, source=str(path))


def parse_catalogue(data: Any, *, source: str = "catalogue") -> DefaultCatalogue:
    """Validate parsed JSON ``data`` and return the catalogue.

    Checks: the format tag; every category and service has its required keys and no unknown
    key; codes are lower-case slugs within the model's length and unique; names are present
    and fit; domain is library, municipal or shared; level is generalist or specialist; the
    service's category is one of the file's categories; synonyms are lists of strings
    without commas that fit the synonyms field together; the bokmål answer note is present.
    Raises :class:`CatalogueDataError` with all problems found.
    """
    problems: list[str] = []
    if not isinstance(data, dict):
        raise CatalogueDataError(source, ["the top level must be a JSON object"])
    if data.get("format") != FORMAT:
        problems.append(f"format must be {FORMAT!r}, not {data.get('format')!r}")
    raw_categories = data.get("categories")
    raw_services = data.get("services")
    if not isinstance(raw_categories, list) or not raw_categories:
        problems.append("categories must be a non-empty list")
        raw_categories = []
    if not isinstance(raw_services, list) or not raw_services:
        problems.append("services must be a non-empty list")
        raw_services = []

    categories: list[DefaultCategory] = []
    seen_categories: set[str] = set()
    for index, raw in enumerate(raw_categories):
        where = _where("categories", index, raw)
        if not isinstance(raw, dict):
            problems.append(f"{where}: must be an object")
            continue
        entry_problems = _check_keys(raw, _CATEGORY_KEYS, _CATEGORY_KEYS)
        code = raw.get("code")
        entry_problems += _check_code(code, CATEGORY_CODE_MAX)
        if isinstance(code, str) and code in seen_categories:
            entry_problems.append(f"the code {code!r} is used by another category")
        entry_problems += _check_names(raw)
        problems += [f"{where}: {problem}" for problem in entry_problems]
        if isinstance(code, str):
            seen_categories.add(code)
        if not entry_problems:
            categories.append(
                DefaultCategory(
                    code=raw["code"],
                    name_nb=raw["name_nb"].strip(),
                    name_en=raw["name_en"].strip(),
                    position=len(categories) + 1,
                )
            )

    services: list[DefaultService] = []
    seen_services: set[str] = set()
    for index, raw in enumerate(raw_services):
        where = _where("services", index, raw)
        if not isinstance(raw, dict):
            problems.append(f"{where}: must be an object")
            continue
        entry_problems = _check_keys(raw, _SERVICE_KEYS, _SERVICE_REQUIRED)
        code = raw.get("code")
        entry_problems += _check_code(code, SERVICE_CODE_MAX)
        if isinstance(code, str) and code in seen_services:
            entry_problems.append(f"the code {code!r} is used by another service")
        entry_problems += _check_names(raw)
        category = raw.get("category")
        if "category" in raw and category not in seen_categories:
            entry_problems.append(f"category {category!r} is not one of the file's categories")
        if "domain" in raw and raw.get("domain") not in DOMAINS:
            entry_problems.append(
                f"domain {raw.get('domain')!r} is not one of {', '.join(sorted(DOMAINS))}"
            )
        if "level" in raw and raw.get("level") not in LEVELS:
            entry_problems.append(
                f"level {raw.get('level')!r} is not one of {', '.join(sorted(LEVELS))}"
            )
        synonyms, synonym_problems = _synonyms(raw)
        entry_problems += synonym_problems
        for key in ("answer_note_nb", "answer_note_en"):
            if key in raw and not isinstance(raw[key], str):
                entry_problems.append(f"{key} must be text")
        if isinstance(raw.get("answer_note_nb"), str) and not raw["answer_note_nb"].strip():
            entry_problems.append("answer_note_nb is empty")
        problems += [f"{where}: {problem}" for problem in entry_problems]
        if isinstance(code, str):
            seen_services.add(code)
        if not entry_problems:
            services.append(
                DefaultService(
                    code=raw["code"],
                    category=raw["category"],
                    name_nb=raw["name_nb"].strip(),
                    name_en=raw["name_en"].strip(),
                    domain=raw["domain"],
                    level=raw["level"],
                    synonyms=synonyms,
                    answer_note=raw["answer_note_nb"].strip(),
                    answer_note_en=raw.get("answer_note_en", "").strip(),
                )
            )
    if problems:
        raise CatalogueDataError(source, problems)
    return DefaultCatalogue(source=source, categories=tuple(categories), services=tuple(services))


def _where(kind: str, index: int, raw: Any) -> str:
    code = raw.get("code") if isinstance(raw, dict) else None
    return f"{kind}[{index}]" + (f" (code {code!r})" if isinstance(code, str) else "")


def _check_keys(raw: dict[str, Any], allowed: set[str], required: set[str]) -> list[str]:
    problems = [f"{key} is missing" for key in sorted(required - raw.keys())]
    problems += [f"unknown key {key!r}" for key in sorted(raw.keys() - allowed)]
    return problems


def _check_code(code: Any, max_length: int) -> list[str]:
    if code is None:
        return []  # reported as missing
    if not isinstance(code, str) or not _SLUG.match(code):
        return [f"code {code!r} must be lower-case letters, digits and single hyphens"]
    if len(code) > max_length:
        return [f"code {code!r} is longer than {max_length} characters"]
    return []


def _check_names(raw: dict[str, Any]) -> list[str]:
    problems = []
    for key in ("name_nb", "name_en"):
        value = raw.get(key)
        if key not in raw:
            continue  # reported as missing
        if not isinstance(value, str) or not value.strip():
            problems.append(f"{key} must be non-empty text")
        elif len(value.strip()) > NAME_MAX:
            problems.append(f"{key} is longer than {NAME_MAX} characters")
    return problems


def _synonyms(raw: dict[str, Any]) -> tuple[str, list[str]]:
    words: list[str] = []
    problems: list[str] = []
    for key in ("synonyms_nb", "synonyms_en"):
        value = raw.get(key, [])
        if not isinstance(value, list) or not all(isinstance(word, str) for word in value):
            problems.append(f"{key} must be a list of text")
            continue
        for word in value:
            if "," in word:
                problems.append(f"{key}: {word!r} contains a comma (synonyms are comma-separated)")
            elif word.strip() and word.strip() not in words:
                words.append(word.strip())
    joined = ", ".join(words)
    if len(joined) > SYNONYMS_MAX:
        problems.append(
            f"the synonyms are {len(joined)} characters together; at most {SYNONYMS_MAX}"
        )
    return joined, problems
