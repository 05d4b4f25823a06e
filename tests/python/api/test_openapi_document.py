"""The OpenAPI document is a contract for generated clients: stable operation ids, and
every bound the server enforces stated exactly as the validators' constants."""

from __future__ import annotations

from typing import Any

import pytest

from api.fraud.workbench import PHONE_NUMBER_PATTERN
from api.params import (
    BIGINT_MAX,
    MAX_HISTORY_POINTS,
    MAX_PAGE,
    MAX_PER_PAGE,
    MAX_QUANTITY,
    MAX_SEARCH_LENGTH,
    NO_NUL_PATTERN,
    SHIFT_HISTORY_DAYS,
)

HUB = "/v1/leader-hub-metrics"
FRAUD = "/v1/fraud-reports"
ME = "/v1/performance-hub/me"

# camelCase, verb first (docs/api.md). Renaming one breaks generated clients: change
# this list only together with a new API version.
OPERATION_IDS = {
    "/health": "getHealth",
    "/ready": "getReady",
    f"{HUB}/markets": "listMarkets",
    f"{HUB}/markets/{{market_id}}": "getMarket",
    f"{HUB}/markets/{{market_id}}/providers": "listMarketProviders",
    f"{HUB}/markets/{{market_id}}/providers/{{provider_id}}": "getMarketProvider",
    f"{HUB}/providers/{{provider_id}}": "getProvider",
    f"{HUB}/providers/{{provider_id}}/markets": "listProviderMarkets",
    f"{HUB}/providers/{{provider_id}}/provider-visits": "listProviderVisits",
    f"{HUB}/providers/{{provider_id}}/provider-shifts": "listProviderShifts",
    f"{HUB}/provider-shifts/{{shift_team_id}}/provider-shift-breakdowns": "listShiftBreakdowns",
    f"{HUB}/markets/{{market_id}}/history": "getMarketHistory",
    f"{HUB}/providers/{{provider_id}}/history": "getProviderHistory",
    f"{HUB}/markets/{{market_id}}/providers/{{provider_id}}/history": "getMarketProviderHistory",
    f"{ME}": "getMe",
    f"{ME}/markets": "listMyMarkets",
    f"{ME}/markets/{{market_id}}": "getMyMarket",
    f"{ME}/peer-rankings": "getMyPeerRankings",
    f"{ME}/look-back": "getMyLookBack",
    f"{ME}/visits": "listMyVisits",
    f"{ME}/shifts": "listMyShifts",
    f"{ME}/shifts/{{shift_team_id}}/breakdowns": "listMyShiftBreakdowns",
    f"{HUB}/markets/{{market_id}}/changes": "listMarketChanges",
    f"{HUB}/markets/{{market_id}}/providers/{{provider_id}}/changes": "listMarketProviderChanges",
    f"{FRAUD}/authorizations": "listAuthorizations",
    f"{FRAUD}/phone-numbers": "listPhoneNumbers",
    f"{FRAUD}/doctors": "listDoctors",
    f"{FRAUD}/authorizations/resolved": "listResolvedAuthorizations",
    f"{FRAUD}/phone-numbers/resolved": "listResolvedPhoneNumbers",
    f"{FRAUD}/doctors/resolved": "listResolvedDoctors",
    f"{FRAUD}/phone-numbers/{{phone_number}}/doctors": "getPhoneNumberDoctors",
}

# parameter -> (minimum, maximum) the validators enforce
BOUNDS = {
    "market_id": (1, BIGINT_MAX),
    "provider_id": (1, BIGINT_MAX),
    "shift_team_id": (1, BIGINT_MAX),
    "page": (1, MAX_PAGE),
    "per_page": (1, MAX_PER_PAGE),
    "last_days": (1, SHIFT_HISTORY_DAYS),
    "points": (1, MAX_HISTORY_POINTS),
    "min_patients_qty": (0, MAX_QUANTITY),
    "min_patient_increase_30d": (0, MAX_QUANTITY),
    "min_patient_increase_30d_0": (0, MAX_QUANTITY),
}


@pytest.fixture(scope="module")
def document(client: Any) -> dict[str, Any]:
    return client.get("/schema/openapi.json").json()


# The write operations (SPEC §15): path -> (method, operation id)
WRITE_OPERATION_IDS = {
    f"{FRAUD}/authorizations/{{row_id}}/reviews": "createAuthorizationReview",
    f"{FRAUD}/phone-numbers/{{row_id}}/reviews": "createPhoneNumberReview",
    f"{FRAUD}/doctors/{{row_id}}/reviews": "createDoctorReview",
}


def _operations(document: dict[str, Any], wanted: str = "get") -> dict[str, dict[str, Any]]:
    return {
        path: operation
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if method == wanted and path.startswith(("/v1/", "/health", "/ready"))
    }


def test_the_write_operations_are_the_review_posts(document):
    ids = {path: op.get("operationId") for path, op in _operations(document, "post").items()}
    assert ids == WRITE_OPERATION_IDS
    for item in document["paths"].values():
        assert set(item) <= {"get", "post"}


def test_a_review_documents_its_body_its_statuses_and_the_idempotency_key(document):
    from api.fraud.reviews import MAX_IDEMPOTENCY_KEY_LENGTH, MAX_NOTE_LENGTH
    from api.params import MAX_ROW_ID_LENGTH

    body = document["components"]["schemas"]["ReviewRequest"]
    assert body["required"] == ["verdict"] and body["additionalProperties"] is False
    verdicts = ["under_review", "false_positive", "referred", "recovered"]
    assert body["properties"]["verdict"]["enum"] == verdicts
    assert body["properties"]["note"]["maxLength"] == MAX_NOTE_LENGTH
    for operation in _operations(document, "post").values():
        assert set(operation["responses"]) == {"201", "400", "401", "403", "404", "409", "503"}
        params = {p["name"]: p for p in operation["parameters"]}
        assert params["Idempotency-Key"]["in"] == "header"
        assert params["Idempotency-Key"]["schema"]["maxLength"] == MAX_IDEMPOTENCY_KEY_LENGTH
        assert params["row_id"]["schema"]["maxLength"] == MAX_ROW_ID_LENGTH


def test_every_fraud_list_documents_its_csv_rendering(document):
    for path in ("authorizations", "phone-numbers", "doctors"):
        operation = document["paths"][f"{FRAUD}/{path}"]["get"]
        content = operation["responses"]["200"]["content"]
        assert set(content) == {"application/json", "text/csv"}
        params = {p["name"]: p["schema"] for p in operation["parameters"]}
        assert params["format"]["enum"] == ["json", "csv", None]
        assert params["include_reviewed"]["type"] == "boolean"


def test_every_operation_has_its_stable_operation_id(document):
    ids = {path: op.get("operationId") for path, op in _operations(document).items()}
    assert ids == OPERATION_IDS


def test_operation_ids_are_unique_across_the_document(document):
    ids = [op["operationId"] for item in document["paths"].values() for op in item.values()]
    assert len(ids) == len(set(ids))


def test_numeric_bounds_are_the_validators_constants_as_exact_numbers(document):
    seen = set()
    for path, operation in _operations(document).items():
        for parameter in operation.get("parameters", []):
            name, schema = parameter["name"], parameter["schema"]
            if name not in BOUNDS:
                assert "minimum" not in schema and "maximum" not in schema, (path, name)
                continue
            seen.add(name)
            # ints, not floats: 2^63 - 1 as a float is 2^63, which the server rejects
            assert (schema["minimum"], schema["maximum"]) == BOUNDS[name], (path, name)
            assert type(schema["minimum"]) is int and type(schema["maximum"]) is int
    assert seen == set(BOUNDS)


def test_search_states_its_length_and_no_nul_rule(document):
    searches = [
        parameter["schema"]
        for operation in _operations(document).values()
        for parameter in operation.get("parameters", [])
        if parameter["name"] == "search"
    ]
    assert len(searches) == 3  # rankings, provider visits, my visits
    for schema in searches:
        assert schema["maxLength"] == MAX_SEARCH_LENGTH
        assert schema["pattern"] == NO_NUL_PATTERN


def test_phone_number_path_states_the_pattern_the_server_enforces(document):
    operation = document["paths"][f"{FRAUD}/phone-numbers/{{phone_number}}/doctors"]["get"]
    (parameter,) = [p for p in operation["parameters"] if p["name"] == "phone_number"]
    assert parameter["in"] == "path" and parameter["required"] is True
    assert parameter["schema"]["pattern"] == PHONE_NUMBER_PATTERN
    assert parameter["schema"]["maxLength"] == 32
