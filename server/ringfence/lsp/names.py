"""Protocol names the server registers: its commands and custom methods
(docs/lsp.md, "Code actions and commands" and "Custom protocol and settings").

Kept apart from the modules that implement them, so registering a handler imports nothing heavy
and the ``initialize`` round trip stays close to a bare pygls server's.
"""

REVERT = "ringfence.revert"
HANDOFF = "ringfence.handoff"
TAG = "ringfence.tagProvenance"
REVIEW = "ringfence.markReviewed"
DISMISS = "ringfence.dismissHeuristic"
OPEN_ZONE = "ringfence.openZone"
COMMANDS = (REVERT, HANDOFF, TAG, REVIEW, DISMISS, OPEN_ZONE)

EDIT_ORIGIN = "ringfence/editOrigin"
EXPLAIN = "ringfence/explain"
