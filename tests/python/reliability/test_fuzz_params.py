"""Hypothesis over the free-text and paging parameters, on the real published data.

Search strings (any unicode, quotes, `%`, `_`, backslashes, commas, very long, NUL) and
paging values (any text, huge and negative numbers) never give a 5xx; an invalid one is a
400 naming its field; a valid search returns exactly the rows an independent oracle
expects, with `%`, `_` and `\\` matching themselves. Derandomized like every fuzz test here
(`reliability_support.fuzzed`; KPI_TEST_FUZZ_SEED explores other examples).
"""

from __future__ import annotations

import math
import re
from typing import Any

import pytest
from hypothesis import HealthCheck, given
from hypothesis import strategies as st
from litestar import Litestar
from litestar.testing import TestClient
from reliability_support import HUB, Dataset, bearer, fuzzed

from api.params import MAX_PAGE, MAX_PER_PAGE, MAX_SEARCH_LENGTH

FUZZ = fuzzed(150, [HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

# Text that can travel in a URL: every code point but the UTF-16 surrogates.
ANY_TEXT = st.text(st.characters(exclude_categories=["Cs"]), max_size=260)
# Text built from the characters search must treat literally, plus name fragments.
SPECIALS = ["%", "_", "\\", "'", '"', ",", " ", "\t", "%%", "_%", "\\%", "\\_", "\x00", "*", "?"]


def _split(search: str) -> list[str]:
    return [word for word in re.split(r"[\s,]+", search.strip()) if word]


def _expected_providers(dataset: Dataset, market: int, job_title: str, search: str) -> set[int]:
    """Providers of the market and title whose first or last name holds every word."""
    words = [w.lower() for w in _split(search)]
    found = set()
    for provider, markets in dataset.provider_markets.items():
        if market not in markets or dataset.job_titles.get(provider) != job_title:
            continue
        first, last = (n or "" for n in dataset.names[provider])
        if all(w in first.lower() or w in last.lower() for w in words):
            found.add(provider)
    return found


@pytest.fixture(scope="module")
def ranking(
    client: TestClient[Litestar], dataset: Dataset, lead_markets: list[int], lead_token: str
) -> dict[str, Any]:
    """The lead's busiest market and title, with its unfiltered ranking."""
    market = max(
        lead_markets,
        key=lambda m: sum(1 for ms in dataset.provider_markets.values() if m in ms),
    )
    url = f"{HUB}/markets/{market}/providers"
    response = client.get(
        url, params={"job_title": "APP", "per_page": 100}, headers=bearer(lead_token)
    )
    assert response.status_code == 200, response.text
    return {"market": market, "url": url, "all": response.json()}


def _search_words(dataset: Dataset) -> st.SearchStrategy[str]:
    fragments = sorted(
        {name[i : i + n] for pair in dataset.names.values() for name in pair if name
         for n in (2, 3) for i in range(0, max(1, len(name) - n + 1), 2)}
    )  # fmt: skip
    piece = st.one_of(
        st.sampled_from(fragments), st.sampled_from(SPECIALS), st.text("aeiouAEIOU", max_size=2)
    )
    return st.lists(piece, max_size=6).map("".join)


def _check_search_response(response: Any, search: str) -> dict[str, Any] | None:
    assert response.status_code < 500, response.text
    if "\x00" in search or len(search) > MAX_SEARCH_LENGTH:
        assert response.status_code == 400, response.text
        assert response.json()["field"] == "search"
        return None
    assert response.status_code == 200, response.text
    return response.json()


def test_provider_search_matches_the_oracle_literally(
    client: TestClient[Litestar], dataset: Dataset, ranking: dict[str, Any], lead_token: str
) -> None:
    ranks = {i["provider"]["provider_id"]: i for i in ranking["all"]["items"]}

    @FUZZ
    @given(search=_search_words(dataset))
    def check(search: str) -> None:
        response = client.get(
            ranking["url"],
            params={"job_title": "APP", "search": search, "per_page": 100},
            headers=bearer(lead_token),
        )
        body = _check_search_response(response, search)
        if body is None:
            return
        found = {i["provider"]["provider_id"] for i in body["items"]}
        assert found == _expected_providers(dataset, ranking["market"], "APP", search)
        assert body["total"] == len(found)
        for item in body["items"]:  # search never changes ranks or ranked counts
            assert item == ranks[item["provider"]["provider_id"]]

    check()


@pytest.mark.parametrize("search", ["%", "_", "\\", "%%", "_%_", "\\%", "a%", "%a", "_a"])
def test_like_wildcards_match_only_themselves(
    client: TestClient[Litestar], dataset: Dataset, ranking: dict[str, Any], lead_token: str,
    search: str,
) -> None:  # fmt: skip
    names = [n for pair in dataset.names.values() for n in pair if n]
    assert not any(c in n for n in names for c in "%_\\"), "the oracle assumes plain names"
    response = client.get(
        ranking["url"],
        params={"job_title": "APP", "search": search},
        headers=bearer(lead_token),
    )
    assert response.status_code == 200
    assert response.json()["total"] == 0 and response.json()["items"] == []


@FUZZ
@given(search=ANY_TEXT)
def test_any_search_text_is_never_a_server_error(
    client: TestClient[Litestar], ranking: dict[str, Any], dataset: Dataset, lead_token: str,
    search: str,
) -> None:  # fmt: skip
    response = client.get(
        ranking["url"], params={"job_title": "APP", "search": search}, headers=bearer(lead_token)
    )
    body = _check_search_response(response, search)
    if body is not None:
        assert body["total"] <= ranking["all"]["total"]


@pytest.fixture(scope="module")
def visits_url(dataset: Dataset, lead_markets: list[int]) -> str:
    visible = sorted(dataset.visible_providers(set(lead_markets)))
    return f"{HUB}/providers/{visible[0]}/provider-visits"


@FUZZ
@given(search=st.one_of(ANY_TEXT, st.lists(st.sampled_from(SPECIALS), max_size=8).map("".join)))
def test_visit_search_is_literal_and_never_a_server_error(
    client: TestClient[Litestar], visits_url: str, lead_token: str, search: str
) -> None:
    response = client.get(
        visits_url, params={"search": search, "per_page": 100}, headers=bearer(lead_token)
    )
    body = _check_search_response(response, search)
    if body is None:
        return
    words = [w.lower() for w in _split(search)]
    for visit in body["items"]:
        fields = [
            (visit[k] or "").lower()
            for k in ("patient_first_name", "patient_last_name", "patient_athena_id")
        ]
        assert all(any(w in f for f in fields) for w in words), (search, visit)


PAGING_VALUES = st.one_of(
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.integers(min_value=0, max_value=MAX_PAGE + 2).map(str),
    ANY_TEXT,
    st.sampled_from(["", " ", "1.0", "1e3", "+1", "01", "0x10", "NaN", "inf", "-0", "1_0"]),
)


def _paging_outcome(value: str, maximum: int) -> str:
    """'valid', 'invalid', or 'either' for a paging value (1..maximum, a whole number)."""
    if re.fullmatch(r"[1-9][0-9]*", value):
        return "valid" if int(value) <= maximum else "invalid"
    try:
        number = float(value)
    except ValueError:
        return "invalid"
    if not math.isfinite(number) or number != int(number) or not 1 <= number <= maximum:
        return "invalid"
    return "either"  # "1.0", "01", "+1": a lenient parser may take them


@pytest.mark.parametrize(
    "path",
    [
        "/markets/{market}/providers",
        "/providers/{provider}/provider-visits",
        "/providers/{provider}/provider-shifts",
    ],
)
def test_paging_parameters_are_validated_and_totals_are_true(
    client: TestClient[Litestar],
    dataset: Dataset,
    lead_markets: list[int],
    lead_token: str,
    path: str,
) -> None:
    provider = min(dataset.visible_providers(set(lead_markets)))
    url = HUB + path.format(market=lead_markets[0], provider=provider)
    base = {"job_title": "APP"} if "{market}" in path else {}

    @FUZZ
    @given(page=PAGING_VALUES, per_page=PAGING_VALUES)
    def check(page: str, per_page: str) -> None:
        response = client.get(
            url, params={**base, "page": page, "per_page": per_page}, headers=bearer(lead_token)
        )
        assert response.status_code < 500, response.text
        outcomes = {"page": _paging_outcome(page, MAX_PAGE)}
        outcomes["per_page"] = _paging_outcome(per_page, MAX_PER_PAGE)
        if response.status_code == 400:
            field = response.json()["field"]
            assert outcomes.get(field) in ("invalid", "either"), (page, per_page, field)
            return
        assert response.status_code == 200, response.text
        assert "invalid" not in outcomes.values(), (page, per_page)
        body = response.json()
        assert body["page"] == int(float(page)) and body["per_page"] == int(float(per_page))
        total, size = body["total"], body["per_page"]
        assert body["total_pages"] == -(-total // size)
        assert len(body["items"]) == max(0, min(size, total - (body["page"] - 1) * size))

    check()
