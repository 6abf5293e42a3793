"""Where an interactive statement ends: at a ``;`` outside quotes and comments."""

from __future__ import annotations


def is_complete(text: str) -> bool:
    """True when the last thing in ``text`` that is not blank or a comment is a ``;`` that ends
    a statement (not one inside a string, a quoted name or a comment)."""
    ended = False
    i, n = 0, len(text)
    while i < n:
        char = text[i]
        if char in "'\"":
            close = text.find(char, i + 1)
            # a doubled quote inside a literal ('it''s') is two literals back to back: same result
            if close == -1:
                return False  # an open string or quoted name: the statement goes on
            i, ended = close + 1, False
            continue
        if text.startswith("$$", i):  # a dollar-quoted string
            close = text.find("$$", i + 2)
            if close == -1:
                return False
            i, ended = close + 2, False
            continue
        if text.startswith("--", i):
            newline = text.find("\n", i)
            i = n if newline == -1 else newline + 1
            continue
        if text.startswith("/*", i):
            close = text.find("*/", i + 2)
            if close == -1:
                return False
            i = close + 2
            continue
        if char == ";":
            ended = True
        elif not char.isspace():
            ended = False
        i += 1
    return ended
