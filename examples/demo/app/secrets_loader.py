# ringfence: internal reason="Reads the API keys: keep it out of external AI context."
"""Load API keys from the environment."""

import os


def api_key(name):
    return os.environ[name]
