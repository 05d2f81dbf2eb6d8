"""The audit log's words for the recordings of a survey's texts: the kind of change and each
action's sentence (the text by its words, the survey by its title, as the entry logged them),
which the audit page (survey/admin/audit_words.py) adds to its own."""

from flask_babel import lazy_gettext as _l

AUDIO_KINDS = {"audio.": _l("Audio of a survey")}

AUDIO_ACTIONS = {
    "audio.attach": (
        _l("Audio attached"),
        _l("attached audio to “%(question)s” of the survey “%(survey)s”"),
    ),
    "audio.replace": (
        _l("Audio replaced"),
        _l("replaced the audio of “%(question)s” of the survey “%(survey)s”"),
    ),
    "audio.delete": (
        _l("Audio deleted"),
        _l("deleted the audio of “%(question)s” of the survey “%(survey)s”"),
    ),
    "audio.autoplay": (
        _l("Audio playing by itself"),
        _l("changed whether the survey “%(survey)s” plays its audio by itself"),
    ),
}
