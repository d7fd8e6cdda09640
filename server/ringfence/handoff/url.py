"""``kind = "url"``: the assistant's web page for this spot, from a template the editor opens."""

from __future__ import annotations

import re
from urllib.parse import quote, urlsplit

from ringfence.handoff.errors import HandoffError

_PLACEHOLDER = re.compile(r"\{(path|line|zone)\}")


def expand_url(template: str, *, path: str, line: int, zone: str | None) -> str:
    """``template`` with ``{path}``, ``{line}`` (1-based) and ``{zone}`` filled in, URL-quoted."""
    values = {"path": quote(path, safe="/"), "line": str(line), "zone": quote(zone or "", safe="")}
    url = _PLACEHOLDER.sub(lambda m: values[m.group(1)], template)
    if urlsplit(url).scheme.lower() not in ("http", "https"):
        raise HandoffError(
            f"the assistant url must start with http:// or https://, not {template!r}"
        )
    return url
