"""`ringfence install-hooks` (not built yet: see the issue tracker)."""

from ringfence.errors import RingfenceError


def configure(parser):
    parser.add_argument("rest", nargs="*")


def run(args):
    raise RingfenceError("'install-hooks' is not available in this build yet")
