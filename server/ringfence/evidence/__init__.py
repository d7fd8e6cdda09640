"""Evidence of AI edits: the journal of hook and editor events, content hashes, git history.

No LSP here.
"""
