"""The diagnostic providers the server runs, as ``"module:function"`` names (see docs/lsp.md).

A *document* provider is ``provide(server, doc) -> list`` for one open document
(``ringfence.lsp.state.OpenDoc``); it runs on every change, so it must be fast. A *file*
provider is ``provide(server, repo) -> {relpath: list}`` for files of one repository
(``ringfence.lsp.policies.RepoPolicy``) whether open or not; it runs when the policy or a watched
file changes. Items are LSP diagnostics as plain dicts (or ``lsprotocol.types.Diagnostic``).
A provider that fails to import or raises is logged and skipped; the others still publish.

To add one, append a line here, e.g. ``"ringfence.lsp.history:provide",``.
"""

DOCUMENT_PROVIDERS: list[str] = [
    "ringfence.lsp.diagnostics:region_diagnostics",  # RF001 RF002 RF003 RF005
    "ringfence.lsp.diagnostics:marker_diagnostics",  # RF102 RF104
    "ringfence.lsp.history:provide",  # RF010 (blame off the event loop)
    "ringfence.lsp.exports:provide",  # RF103 (the policy flattened off the event loop)
]

FILE_PROVIDERS: list[str] = [
    "ringfence.lsp.diagnostics:policy_file_diagnostics",  # RF100 RF101
]
