"""Small helpers for the front end."""


def parse_args(argv):
    return {arg.split("=", 1)[0]: arg.split("=", 1)[1] for arg in argv if "=" in arg}
