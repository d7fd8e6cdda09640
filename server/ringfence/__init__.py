"""ringfence: keep AI-written code out of the parts of a repository where it must not land."""

__version__ = "0.1.0"
