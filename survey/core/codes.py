"""Codes made from what an officer types (a survey, question or option, a village or an
organization): readable ASCII, unique where they must be, and never
changed by the builder once made (results compare year to year by code; a survey with answers
keeps every code). An officer who wants another code types it under "Nâng cao".

Vietnamese is transliterated by python-slugify ("Bà con có hài lòng" -> "ba_con_co_hai_long").
"""

from slugify import slugify

QUESTION_CODE_LENGTH = 32
SURVEY_CODE_LENGTH = 64


def code_from_text(text, taken, *, fallback, separator="_", max_length=QUESTION_CODE_LENGTH):
    """A code for `text` that is not in `taken`: its first words, then _2, _3... if needed.

    >>> code_from_text("Bà con có hài lòng với cán bộ thôn không?", set(), fallback="cau")
    'ba_con_co_hai_long_voi_can_bo'
    >>> code_from_text("Có", {"co"}, fallback="lua_chon")
    'co_2'
    >>> code_from_text("???", set(), fallback="cau")
    'cau'
    """
    base = slugify(text or "", separator=separator, max_length=max_length, word_boundary=True)
    base = base or fallback
    code, n = base, 2
    while code in taken:
        suffix = f"{separator}{n}"
        code = base[: max_length - len(suffix)].rstrip(separator) + suffix
        n += 1
    return code


def survey_code(title, year, taken):
    """A survey's code from its title and year, e.g. "khao-sat-muc-do-hai-long-2026".

    >>> survey_code("Khảo sát mức độ hài lòng", 2026, set())
    'khao-sat-muc-do-hai-long-2026'
    >>> survey_code("Khảo sát năm 2026", 2026, {"khao-sat-nam-2026"})
    'khao-sat-nam-2026-2'
    """
    words = slugify(title or "", separator="-", max_length=48, word_boundary=True) or "khao-sat"
    if not words.endswith(str(year)):
        words = f"{words}-{year}"
    return code_from_text(
        words, taken, fallback="khao-sat", separator="-", max_length=SURVEY_CODE_LENGTH
    )
