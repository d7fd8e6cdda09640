"""`ringfence demo` (not built yet: see the issue tracker)."""

from ringfence.errors import RingfenceError


def configure(parser):
    parser.add_argument("rest", nargs="*")


def run(args):
    raise RingfenceError("'demo' is not available in this build yet")
