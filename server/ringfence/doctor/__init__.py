"""``ringfence doctor`` (docs/export.md, "ringfence doctor"): is every guarantee in place?

``checks.py`` holds the checks (policy, exports, each agent's hooks and trust, known gaps) and the
:class:`~ringfence.doctor.checks.Finding` they report; ``claude.py`` is Claude Code's part. The
checks read what ``hooks/install.py`` installed and the agents' trust files (``hooks/*_trust.py``),
so this package sits with the faces (docs/architecture.md); printing is ``commands/doctor.py``'s.
"""
