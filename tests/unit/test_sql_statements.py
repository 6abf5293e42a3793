"""Where an interactive ``velora sql`` statement ends: each case names the quirk it guards."""

import pytest

from pipeline.sqlshell.statements import is_complete


@pytest.mark.parametrize(
    ("text", "complete"),
    [
        pytest.param("select 1;", True, id="ends-with-semicolon"),
        pytest.param("select 1", False, id="no-semicolon-yet"),
        pytest.param("select 1\n  from t\n;  \n", True, id="semicolon-alone-on-last-line"),
        pytest.param("select 'a;'", False, id="semicolon-inside-string"),
        pytest.param("select 'a;\n", False, id="string-still-open-across-lines"),
        pytest.param("select 'it''s';", True, id="doubled-quote-inside-string"),
        pytest.param('select "a;b"', False, id="semicolon-inside-quoted-name"),
        pytest.param("select $$;$$", False, id="semicolon-inside-dollar-string"),
        pytest.param("select 1 -- done;", False, id="semicolon-inside-line-comment"),
        pytest.param("select 1; -- done", True, id="comment-after-semicolon"),
        pytest.param("select /* ; */ 1", False, id="semicolon-inside-block-comment"),
        pytest.param("select 1; /* still open", False, id="block-comment-still-open"),
        pytest.param("select 1; select 2", False, id="second-statement-not-ended"),
        pytest.param("", False, id="empty-input"),
    ],
)
def test_is_complete(text, complete):
    assert is_complete(text) is complete
