"""Agent hooks (docs/hooks.md): one adapter per agent protocol, a pure decision core, the journal.

``ringfence hook AGENT`` reads the agent's JSON event on stdin, turns it into a normalized
:class:`~ringfence.hooks.events.HookEvent`, decides it against the policy, and answers in the
agent's own protocol. Only the standard library and the policy core load on this path: no
pygls, lsprotocol, jsonschema or detect-secrets, so a hook starts fast.
"""
