"""``Move to <assistant>`` (``ringfence.handoff``): the handoff issue replaces this placeholder.

``handle_handoff(ls, region_ref, args)`` receives the server, the region (a
``ringfence.lsp.api.RegionHandle``) and the raw command argument object; see docs/lsp.md for
the region API it can use.
"""

from __future__ import annotations

from lsprotocol import types

UNAVAILABLE = "handoff is not available in this build"


async def handle_handoff(ls, region_ref, args) -> dict:
    ls.window_show_message(types.ShowMessageParams(type=types.MessageType.Error, message=UNAVAILABLE))
    return {"applied": False, "error": UNAVAILABLE}
