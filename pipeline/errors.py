"""Errors shared by every area's command line."""


class UserFacingError(Exception):
    """An error whose message is enough: printed without a traceback, exit status 2."""
