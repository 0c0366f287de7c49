"""Importing another tool's one-row-per-respondent export: matching, label mapping,
all-or-nothing with row and column in every message, encodings, re-import adds nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from torg.surveys import services
from torg.surveys.importing import ResponsesImportError, read_mapping, responses_import
from torg.surveys.models import Answer, Response
from torg.surveys.selectors import wave_results
from torg.testing.factories import make_site

pytestmark = pytest.mark.django_db

LIMESURVEY = (
    "id;submitdate;ipaddr;cost-cutting;The library's reputation will suffer.;Hvor jobber du?\n"
    "1;2023-01-05 10:01;10.0.0.1;A5;Helt enig;Bibliotek\n"
    "2;2023-01-05 10:02;10.0.0.2;A1;Vet ikke;Begge\n"
    "3;2023-01-05 10:03;10.0.0.3;A4;;Innbyggertorg / servicetorg\n"
    "4;2023-01-05 10:04;10.0.0.4;;Litt uenig;\n"
)


@pytest.fixture
def wave(municipality_x, site_a):
    make_site(municipality_x, "Torget C")
    survey = services.survey_create_from_template(
        municipality=municipality_x, template_key="employee-co-organisation"
    )
    the_wave, _ = services.wave_open(
        survey=survey,
        starts_on=dt.date(2022, 12, 1),
        ends_on=dt.date(2023, 1, 31),
        anonymous=True,
        token_count=1,
    )
    return the_wave


@pytest.fixture
def mapping(tmp_path):
    path = tmp_path / "mapping.csv"
    path.write_text("label;level\nA1;1\nA2;2\nA3;3\nA4;4\nA5;5\n", encoding="utf-8")
    return read_mapping(path)


def test_a_limesurvey_export_is_imported_with_a_mapping_table(wave, mapping, tmp_path):
    path = tmp_path / "responses.csv"
    path.write_text(LIMESURVEY, encoding="utf-8-sig")
    summary = responses_import(wave=wave, path=path, mapping=mapping)
    assert (summary.rows, summary.created) == (4, 4)
    # LimeSurvey's "id" names the row for later re-imports (hashed into the key, not stored).
    assert summary.ignored_columns == ["submitdate", "ipaddr"]
    levels = sorted(
        level
        for level in Answer.objects.filter(
            item__code="cost-cutting", level__isnull=False
        ).values_list("level", flat=True)
        if level is not None
    )
    assert levels == [1, 4, 5]
    reputation = sorted(
        level
        for level in Answer.objects.filter(
            item__code="library-reputation", level__isnull=False
        ).values_list("level", flat=True)
        if level is not None
    )
    assert reputation == [-1, 2, 5]
    assert sorted(Answer.objects.filter(item__code="service").values_list("choice", flat=True)) == [
        "both",
        "citizen_service",
        "library",
    ]
    # Nothing of the tools' ids, times or addresses is stored anywhere.
    assert "10.0.0.1" not in str(list(Answer.objects.values()))
    statement = next(s for s in wave_results(wave).statements if s.item.code == "cost-cutting")
    assert statement.overall.answered == 3
    # Importing the same file again adds nothing.
    again = responses_import(wave=wave, path=path, mapping=mapping)
    assert (again.created, again.already_imported) == (0, 4)
    assert Response.objects.count() == 4


@pytest.mark.parametrize("encoding", ["utf-16", "cp1252", "utf-8"])
def test_encodings_round_trip_norwegian_letters(wave, tmp_path, encoding):
    path = tmp_path / f"nettskjema-{encoding}.csv"
    path.write_text(
        "Bibliotekets omdømme vil svekkes.;Har du andre kommentarer?\n"
        "Helt uenig;Blåbærsyltetøy og ærlig tale\n",
        encoding=encoding,
    )
    responses_import(wave=wave, path=path)
    assert Answer.objects.get(item__code="comment").text == "Blåbærsyltetøy og ærlig tale"
    assert Answer.objects.get(item__code="library-reputation").level == 1


def test_every_bad_cell_is_reported_and_nothing_is_written(wave, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(
        "cost-cutting;service\nHelt enig;Bibliotek\nA7;Bibliotek\n3;Sykehus\n", encoding="utf-8"
    )
    with pytest.raises(ResponsesImportError) as caught:
        responses_import(wave=wave, path=path)
    assert caught.value.problems == [
        "row 3, column 'cost-cutting': 'A7' is not a level of the scale; add it to the mapping table",
        "row 4, column 'service': 'Sykehus' is not one of the choices",
    ]
    assert not Response.objects.exists()


def test_a_file_without_matching_columns_is_refused(wave, tmp_path):
    path = tmp_path / "other.csv"
    path.write_text("a;b\n1;2\n", encoding="utf-8")
    with pytest.raises(ResponsesImportError, match="no column matches an item"):
        responses_import(wave=wave, path=path)


def test_the_command_reports_a_user_error_with_status_2(wave, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("cost-cutting\nA7\n", encoding="utf-8")
    with pytest.raises(CommandError) as caught:
        call_command("import_survey_responses", str(path), municipality="kommune-x", wave=wave.pk)
    assert caught.value.returncode == 2
    assert "row 2, column 'cost-cutting'" in str(caught.value)
    with pytest.raises(CommandError, match="has no wave"):
        call_command("import_survey_responses", str(path), municipality="kommune-x", wave=999)


def test_the_dry_run_writes_nothing(wave, mapping, tmp_path):
    path = tmp_path / "responses.csv"
    path.write_text(LIMESURVEY, encoding="utf-8")
    summary = responses_import(wave=wave, path=path, mapping=mapping, dry_run=True)
    assert summary.created == 4
    assert not Response.objects.exists()


def test_the_responses_go_through_the_import_framework_as_a_profile(wave, tmp_path):
    """``torg import survey-responses`` is the framework's profile: ``torg import --list``
    names it, the batch is recorded, a file already imported is skipped, and a dry run
    writes nothing."""
    from torg.imports.models import ImportBatch
    from torg.imports.registry import get_profile

    assert get_profile("survey-responses").name == "survey-responses"
    # Nettskjema-style: comma-separated, UTF-8 with BOM, quoted headers with commas in them,
    # the tool's response id and submission time first; labels in nynorsk.
    path = tmp_path / "nettskjema.csv"
    path.write_text(
        '"Svar-ID","Innsendt","Omdømet til biblioteket vil bli svekt.","Kvar jobbar du?"\n'
        '"101","2023-01-05 10:01:00","Heilt einig","Bibliotek"\n'
        '"102","2023-01-05 10:07:00","Veit ikkje","Innbyggjartorg / servicetorg"\n',
        encoding="utf-8-sig",
    )
    call_command(
        "import_survey_responses", str(path), municipality="kommune-x", wave=wave.pk, dry_run=True
    )
    assert not Response.objects.exists() and not ImportBatch.objects.exists()
    call_command("import_survey_responses", str(path), municipality="kommune-x", wave=wave.pk)
    assert Response.objects.count() == 2
    batch = ImportBatch.objects.get()
    assert (batch.profile, batch.rows_read, batch.rows_created) == ("survey-responses", 2, 2)
    levels = Answer.objects.filter(item__code="library-reputation").values_list("level", flat=True)
    assert sorted(level or 0 for level in levels) == [-1, 5]
    # The same file again, through `torg import <profile>` with --set: nothing added.
    call_command(
        "import_data",
        "survey-responses",
        str(path),
        municipality="kommune-x",
        set=[f"wave={wave.pk}"],
    )
    assert Response.objects.count() == 2


def test_a_questback_style_workbook_is_imported_with_labels_and_a_mapping(wave, tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Respondent", "Completed", "cost-cutting", "Where do you work?", "comment"])
    sheet.append([1, "2023-01-05", "Totally agree", "Both", "Fine, thanks"])
    sheet.append([2, "2023-01-06", "Strongly disagree", "Library", None])
    path = tmp_path / "questback.xlsx"
    book.save(path)
    mapping = tmp_path / "labels.csv"
    mapping.write_text("label;level\nTotally agree;5\n", encoding="utf-8")
    call_command(
        "import_survey_responses",
        str(path),
        municipality="kommune-x",
        wave=wave.pk,
        mapping=str(mapping),
    )
    levels = Answer.objects.filter(item__code="cost-cutting").values_list("level", flat=True)
    assert sorted(level or 0 for level in levels) == [1, 5]
    assert sorted(Answer.objects.filter(item__code="service").values_list("choice", flat=True)) == [
        "both",
        "library",
    ]


def test_bad_cells_name_row_and_column_in_the_framework_report_and_nothing_is_written(
    wave, tmp_path
):
    path = tmp_path / "limesurvey.csv"
    path.write_text("id\tcost-cutting\tservice\n1\tA7\tSykehus\n2\t4\tBegge\n", encoding="utf-8")
    report = tmp_path / "errors.csv"
    with pytest.raises(CommandError) as caught:
        call_command(
            "import_survey_responses",
            str(path),
            municipality="kommune-x",
            wave=wave.pk,
            errors=report,
        )
    assert caught.value.returncode == 2
    import csv

    rows = list(csv.reader(report.open(encoding="utf-8-sig"), delimiter=";"))
    assert sorted(rows[1:]) == [
        [
            "limesurvey.csv",
            "2",
            "cost-cutting",
            "A7",
            "'A7' is not a level of the scale; add it to the mapping table",
        ],
        ["limesurvey.csv", "2", "service", "Sykehus", "'Sykehus' is not one of the choices"],
    ]
    assert "row 2, column 'cost-cutting'" in str(caught.value)
    assert "row 2, column 'service'" in str(caught.value)
    assert not Response.objects.exists()


def test_a_missing_wave_is_a_user_error(wave, tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("cost-cutting\n4\n", encoding="utf-8")
    with pytest.raises(CommandError, match="needs the wave") as caught:
        call_command("import_data", "survey-responses", str(path), municipality="kommune-x")
    assert caught.value.returncode == 2
    with pytest.raises(CommandError, match="has no wave 999"):
        call_command(
            "import_data", "survey-responses", str(path), municipality="kommune-x", set=["wave=999"]
        )


def test_a_closed_anonymous_wave_with_answers_takes_no_more(wave, tmp_path):
    """Its results are published once it closes; an answer added afterwards (imported, or
    after reopening) could be read by comparing the results before and after."""
    path = tmp_path / "one.csv"
    path.write_text("Bibliotekets omdømme vil svekkes.\nHelt uenig\n", encoding="utf-8")
    responses_import(wave=wave, path=path)
    services.wave_set_status(wave=wave, status="closed")
    wave.refresh_from_db()
    assert wave.anonymous and services.sealed(wave)
    other = tmp_path / "two.csv"
    other.write_text("Bibliotekets omdømme vil svekkes.\nHelt enig\n", encoding="utf-8")
    with pytest.raises(ResponsesImportError, match="takes no more answers"):
        responses_import(wave=wave, path=other)
    with pytest.raises(services.SurveyError, match="takes no more answers"):
        services.wave_set_status(wave=wave, status="open")
    assert Response.objects.filter(wave=wave).count() == 1
    # A closed wave that is not anonymous shows its results all along: it may still take
    # answers from another tool's export.
    wave.anonymous = False
    wave.save(update_fields=["anonymous"])
    assert not services.sealed(wave)
    responses_import(wave=wave, path=other)
    assert Response.objects.filter(wave=wave).count() == 2


def test_a_later_export_with_more_rows_adds_only_the_new_ones(wave, mapping, tmp_path):
    """The tool's response id, not the file, decides what the wave has already."""
    first = tmp_path / "export-1.csv"
    first.write_text(LIMESURVEY, encoding="utf-8")
    assert responses_import(wave=wave, path=first, mapping=mapping).created == 4
    header, *rows = LIMESURVEY.strip().split("\n")
    later = tmp_path / "export-2.csv"
    later.write_text(
        "\n".join([header, *reversed(rows), "5;2023-01-06 09:00;10.0.0.5;A2;Helt uenig;Begge"])
        + "\n",
        encoding="utf-8",
    )
    summary = responses_import(wave=wave, path=later, mapping=mapping)
    assert (summary.created, summary.already_imported) == (1, 4)
    assert Response.objects.filter(wave=wave).count() == 5
    stored = str(list(Answer.objects.values())) + str(list(Response.objects.values()))
    assert "10.0.0.5" not in stored and "2023-01-06" not in stored
