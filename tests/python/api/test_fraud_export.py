"""CSV export of the fraud report lists (SPEC §15) against app_data.sql: chosen by Accept or
format=csv, every matching row in the JSON order, RFC 4180 quoting, formulas neutralised,
numbers kept as numbers."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest

FRAUD = "/v1/fraud-reports"


@pytest.fixture
def export(client, analyst_headers):
    def run(path: str, accept: str | None = None, **params: Any) -> Any:
        headers = {**analyst_headers, **({"Accept": accept} if accept else {})}
        return client.get(f"{FRAUD}{path}", params=params or None, headers=headers)

    return run


def rows_of(response: Any) -> list[dict[str, str]]:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.text, newline="")))


def test_accept_text_csv_and_format_csv_give_the_same_export(export):
    by_header = export("/doctors", accept="text/csv", min_patients_qty=0)
    by_param = export("/doctors", format="csv", min_patients_qty=0)
    assert by_header.text == by_param.text
    assert "attachment" in by_header.headers["content-disposition"]
    assert by_header.text.endswith("\r\n") and "\r\n" in by_header.text  # RFC 4180 line ends


def test_format_json_wins_over_accept(export):
    response = export("/doctors", accept="text/csv", format="json")
    assert response.headers["content-type"].startswith("application/json")


def test_the_export_is_every_matching_row_in_the_json_order(export):
    # per_page and page do not apply: the export is the whole list
    csv_rows = rows_of(export("/doctors", format="csv", min_patients_qty=0, per_page=1, page=2))
    pages = [
        export("/doctors", min_patients_qty=0, per_page=1, page=p).json()["items"]
        for p in range(1, 5)
    ]
    json_rows = [row for page in pages for row in page]
    assert [r["row_id"] for r in csv_rows] == [r["row_id"] for r in json_rows]
    assert len(csv_rows) == 4
    assert list(csv_rows[0]) == list(json_rows[0])  # the JSON fields, in their order


def test_numbers_stay_numbers_and_nulls_are_empty(export):
    rows = rows_of(export("/doctors", format="csv", min_patients_qty=0))
    p2 = next(r for r in rows if r["party_id"] == "p2")
    assert p2["outlier_score"] == "-0.2"  # a negative number is not a formula
    assert p2["patient_increase_30d"] == "1.0" and p2["patient_increase_30d_0"] == ""
    assert p2["is_reported"] == "false" and p2["report_date"] == "2026-11-20"


def test_the_filters_apply_to_the_export(export):
    city = rows_of(export("/authorizations", "text/csv", type="DOCTOR", settlement_type="CITY"))
    assert [r["row_id"] for r in city] == ["DOCTOR:p1:le1:CITY"]
    assert [r["row_id"] for r in rows_of(export("/phone-numbers", format="csv"))] == [
        "380501112233"
    ]


def test_text_cells_are_quoted_and_formulas_neutralised(client, analyst_headers, export):
    notes = ['=HYPERLINK("http://x","y")', "+1", "-x", "@SUM(A1)", 'comma, "quote"\nline']
    for note in notes:
        response = client.post(
            f"{FRAUD}/authorizations/LEGAL_ENTITY:le1:CITY/reviews",
            json={"verdict": "under_review", "note": note},
            headers=analyst_headers,
        )
        assert response.status_code == 201
        text = export("/authorizations", format="csv", type="LEGAL_ENTITY", settlement_type="CITY")
        [row] = rows_of(text)
        expected = note if note[0] not in "=+-@" else "'" + note
        assert row["review_note"] == expected
        assert row["row_id"] == "LEGAL_ENTITY:le1:CITY"
    assert '"comma, ""quote""\nline"' in text.text  # RFC 4180 quoting


def test_an_empty_export_is_its_header(export):
    response = export("/doctors", format="csv", min_patients_qty=999_999)
    assert rows_of(response) == []
    assert response.text.startswith("report_rank,is_reported,")


def test_a_bad_format_is_a_400(export):
    response = export("/doctors", format="xml")
    assert response.status_code == 400 and response.json()["field"] == "format"
