"""`ringfence export` (not built yet: see the issue tracker)."""

from ringfence.errors import RingfenceError


def configure(parser):
    parser.add_argument("rest", nargs="*")


def run(args):
    raise RingfenceError("'export' is not available in this build yet")
