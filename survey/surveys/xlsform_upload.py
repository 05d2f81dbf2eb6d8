"""The builder's XLSForm upload and download: a new draft survey from a workbook, and a
survey's workbook (the rules of the file are survey.surveys.xlsform_import's).

Services: the upload changes the session and flushes in a savepoint (survey.surveys.changes);
the caller commits, or on a refusal rolls back: nothing of a refused file is kept.
"""

from survey.audit import trail
from survey.surveys.changes import in_savepoint, save, survey_record
from survey.surveys.definitions import dump_definition
from survey.surveys.survey_fields import build_survey, organizations_for, survey_codes_taken
from survey.surveys.xlsform_export import xlsform_bytes
from survey.surveys.xlsform_import import check_workbook_bytes, read_xlsform


@in_savepoint
def import_xlsform(user, data, *, organization_codes, strict=False, **given):
    """A new draft survey of `user`'s from the workbook `data` (bytes): (survey, Imported).

    `given` (code, year, audience, topic) win over the workbook's settings, when not None.

    Raise XLSFormError for a workbook refused whole, BuilderError for a survey the builder
    refuses (organizations, tags, a code taken)."""
    check_workbook_bytes(data)  # a file of the wrong kind is said first
    orgs = organizations_for(user, organization_codes)
    imported = read_xlsform(
        data,
        strict=strict,
        taken=survey_codes_taken(),
        organizations=[o.code for o in orgs],
        **given,
    )
    survey = build_survey(imported.definition, user)
    survey.created_by_id = user.id
    trail.record("survey.create", survey.code, after=survey_record(survey), start="xlsform")
    save(survey)
    return survey, imported


def xlsform_of(survey):
    """The survey's questions as an XLSForm workbook (bytes)."""
    return xlsform_bytes(dump_definition(survey))
