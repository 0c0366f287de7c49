"""Every URL pattern of the project, found by walking ``get_resolver()``, so that the tenancy
tests cover pages, exports and API endpoints that other apps add later without anyone
keeping a list.

A :class:`Route` knows its qualified name (``api:site-detail``), its parameters with their
converters (``{"municipality": "slug", "pk": "int"}``), and builds a concrete path for given
parameter values with Django's own reverse-engineering of the pattern
(:func:`django.utils.regex_helper.normalize`), which works for ``path()`` and ``re_path()``
alike, named or not.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RegexPattern, RoutePattern
from django.utils.regex_helper import normalize

#: Integer parameters that are not object ids, and the value to give them.
NON_ID_INTEGERS = {"year": 2024, "month": 1, "day": 15, "week": 3, "weekday": 0, "page": 1}


@dataclass(frozen=True)
class Route:
    name: str | None
    route: str  # readable: "m/<slug:municipality>/sites/<int:pk>/"
    formats: tuple[tuple[str, tuple[str, ...]], ...]  # one normalised piece per level
    params: Mapping[str, str]  # parameter name -> converter ("int", "slug", "regex", ...)
    callback: Any

    @property
    def label(self) -> str:
        return f"{self.name or '(unnamed)'} /{self.route}"

    @property
    def namespace(self) -> str:
        return self.name.split(":")[0] if self.name and ":" in self.name else ""

    @property
    def is_tenant(self) -> bool:
        return "municipality" in self.params

    def object_params(self) -> dict[str, str]:
        """The parameters that name an object (everything but the municipality and the
        integers listed in :data:`NON_ID_INTEGERS`)."""
        return {
            name: converter
            for name, converter in self.params.items()
            if name != "municipality" and name not in NON_ID_INTEGERS
        }

    def path(self, values: Mapping[str, Any]) -> str:
        text = "".join(fmt for fmt, _names in self.formats)
        return "/" + text % {name: values[name] for name in self.params}


def _converter_names(pattern: RoutePattern | RegexPattern) -> dict[str, str]:
    if isinstance(pattern, RoutePattern):
        found = re.findall(r"<(?:([^>:]+):)?([^>]+)>", str(pattern))
        return {parameter: converter or "str" for converter, parameter in found}
    return {name: "regex" for name in pattern.regex.groupindex}


def _walk(
    patterns: list[URLPattern | URLResolver],
    prefix: tuple[Any, ...],
    namespace: str,
) -> Iterator[Route]:
    for entry in patterns:
        chain = (*prefix, entry.pattern)
        if isinstance(entry, URLResolver):
            inner = (
                f"{namespace}:{entry.namespace}"
                if namespace and entry.namespace
                else (entry.namespace or namespace)
            )
            yield from _walk(entry.url_patterns, chain, inner or "")
            continue
        params: dict[str, str] = {}
        formats = []
        for piece in chain:
            params.update(_converter_names(piece))
            options = normalize(piece.regex.pattern)
            formats.append((options[0][0], tuple(options[0][1])))
        name = f"{namespace}:{entry.name}" if namespace and entry.name else entry.name
        yield Route(
            name=name,
            route="".join(str(piece) for piece in chain),
            formats=tuple(formats),
            params=params,
            callback=entry.callback,
        )


def all_routes() -> list[Route]:
    """Every URL pattern of ``ROOT_URLCONF``, in URL-map order."""
    return list(_walk(get_resolver().url_patterns, (), ""))
