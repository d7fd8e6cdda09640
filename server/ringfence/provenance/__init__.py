"""Provenance records: Agent Trace JSONL records and inline comment markers (docs/lsp.md).
No LSP here."""
