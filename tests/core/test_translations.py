"""Every interface text has its Vietnamese translation."""

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
METHODS = [("survey/**.py", "python"), ("app.py", "python"), ("templates/**.html", "jinja2")]
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None, "_l": None}


def interface_texts():
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(ROOT), METHODS, keywords=KEYWORDS
    ):
        found.add(message if isinstance(message, str) else message[0])
    return found


def test_vietnamese_catalog_translates_every_text():
    with (ROOT / "survey/translations/vi/LC_MESSAGES/messages.po").open("rb") as f:
        catalog = read_po(f)
    # A plural entry (ngettext) has a tuple id and a tuple of forms: every form must be filled.
    translated = {
        m.id if isinstance(m.id, str) else m.id[0]
        for m in catalog
        if m.id and not m.fuzzy and (m.string if isinstance(m.string, str) else all(m.string))
    }
    texts = interface_texts()
    assert len(texts) > 20
    assert sorted(texts - translated) == []


def test_vietnamese_catalog_compiles_without_placeholder_errors():
    # What `pybabel compile` (make translations) refuses: a translation whose %(name)s
    # placeholders differ from the English text's.
    with (ROOT / "survey/translations/vi/LC_MESSAGES/messages.po").open("rb") as f:
        catalog = read_po(f)
    problems = [
        f"line {message.lineno}: {error}" for message, errors in catalog.check() for error in errors
    ]
    assert not problems, problems


def test_each_text_is_translated_once_with_one_translation():
    """What GNU msgfmt --check refuses and babel reads past, silently keeping one of them: a
    text entered twice (two translations, one lost) or an entry with two msgstr lines."""
    text = (ROOT / "survey/translations/vi/LC_MESSAGES/messages.po").read_text(encoding="utf-8")
    seen, twice, doubled = set(), [], []
    msgid, strings, reading_id = [], 0, False
    for line in text.splitlines():
        if line.startswith(("msgid ", "msgctxt ")):
            if not reading_id:
                msgid, strings = [], 0
            msgid.append(line)
            reading_id = True
        elif line.startswith('"') and reading_id:
            msgid.append(line)
        elif line.startswith("msgstr ") or line.startswith("msgstr["):
            reading_id = False
            strings += line.startswith("msgstr ")
            key = "\n".join(msgid)
            if strings == 2:
                doubled.append(key)
            if strings == 1 and key != 'msgid ""':
                twice += [key] if key in seen else []
                seen.add(key)
    assert len(seen) > 1000
    assert twice == [] and doubled == []
