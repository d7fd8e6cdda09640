"""The command-line front end: open code, any AI tool may help here."""

import sys

from app.utils import parse_args


def main(argv=None):
    args = parse_args(argv or sys.argv[1:])
    return 0 if args else 1
