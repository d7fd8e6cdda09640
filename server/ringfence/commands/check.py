"""`ringfence check` (not built yet: see the issue tracker)."""

from ringfence.errors import RingfenceError


def configure(parser):
    parser.add_argument("rest", nargs="*")


def run(args):
    raise RingfenceError("'check' is not available in this build yet")
