"""Provenance records: Agent Trace JSONL records and inline comment markers (SPEC §5). No LSP here."""
