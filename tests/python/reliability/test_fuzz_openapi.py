"""schemathesis against the app's own /schema/openapi.json, on the real published data.

Every operation is called in-process (ASGI, the same app `kpi serve` runs) with generated
valid and invalid parameters, as a lead (Market Manager of every market but one) and as a
fraud analyst. Half the time the path ids are ids that exist, so the 200 responses are
exercised too, not only 403/404. Checks: every schemathesis check (`--checks all`): no
5xx; status code, content type, headers and body as documented in the schema; invalid
input rejected and valid input accepted; auth not ignored; other methods answered 405.

Bounded: EXAMPLES_PER_OPERATION examples per operation for each token that may read it
(its 200s, 4xx and bodies), DENIED_EXAMPLES for a token the policy turns away (whose
every case is a 401/403/400 before any statement runs: enough to check those shapes).
schemathesis' own pytest integration does not run on pytest 9, so each operation is a
plain hypothesis test over ``operation.as_strategy()``.

Reproducible: the examples are derandomized (the same ones every run, so a red run is a
regression, not a roll of the dice). To explore beyond them, run with a seed of your own,
``KPI_TEST_FUZZ_SEED=<int> pytest tests/python/reliability``; a failure here then notes the
seed beside its falsifying example (``reliability_support.fuzzed``, shared with
test_fuzz_params).

Honest about what the harness adds: the token is the harness's, not schemathesis'. It is
added only to a case whose generated security parameter is intact; a negative case whose
mutation *is* the Authorization header (dropped or malformed) goes out exactly as generated,
so "schema-violating request accepted" can only mean the API accepted a violation it sent.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from typing import Any

import psycopg
import pytest
import schemathesis
from hypothesis import given, note
from hypothesis import strategies as st
from litestar import Litestar
from performance_hub_support import ME, clinicians
from reliability_support import FRAUD, FUZZ_SEED, HUB, Dataset, bearer, fuzzed
from schemathesis import GenerationMode
from schemathesis.checks import CHECKS as SCHEMATHESIS_CHECKS
from schemathesis.checks import load_all_checks
from schemathesis.python import asgi

from api.app import create_app
from api.fraud.workbench import PHONE_NUMBER_PATTERN
from api.params import BIGINT_MAX
from api.tokens import mint_dev_token
from kpi.embedded import Connections
from kpi.settings import Settings

load_all_checks()
# Every check schemathesis has (its CLI's `--checks all`), so a check added by a new
# schemathesis release is on too.
CHECKS = SCHEMATHESIS_CHECKS.get_all()
EXAMPLES_PER_OPERATION = 70
DENIED_EXAMPLES = 20

# My Performance Hub: also fuzzed with a clinician's token (their user id, no markets)
PERSONAL_OPERATIONS = (
    ME,
    f"{ME}/markets",
    f"{ME}/markets/{{market_id}}",
    f"{ME}/peer-rankings",
    f"{ME}/look-back",
    f"{ME}/visits",
    f"{ME}/shifts",
    f"{ME}/shifts/{{shift_team_id}}/breakdowns",
)

# Every API operation; a test below keeps this list equal to the schema's.
OPERATIONS = (
    "/health",
    "/ready",
    f"{HUB}/markets",
    f"{HUB}/markets/{{market_id}}",
    f"{HUB}/markets/{{market_id}}/providers",
    f"{HUB}/markets/{{market_id}}/providers/{{provider_id}}",
    f"{HUB}/providers/{{provider_id}}",
    f"{HUB}/providers/{{provider_id}}/markets",
    f"{HUB}/providers/{{provider_id}}/provider-visits",
    f"{HUB}/providers/{{provider_id}}/provider-shifts",
    f"{HUB}/provider-shifts/{{shift_team_id}}/provider-shift-breakdowns",
    f"{HUB}/markets/{{market_id}}/history",
    f"{HUB}/providers/{{provider_id}}/history",
    f"{HUB}/markets/{{market_id}}/providers/{{provider_id}}/history",
    f"{HUB}/markets/{{market_id}}/changes",
    f"{HUB}/markets/{{market_id}}/providers/{{provider_id}}/changes",
    f"{FRAUD}/authorizations",
    f"{FRAUD}/phone-numbers",
    f"{FRAUD}/doctors",
    *PERSONAL_OPERATIONS,
    f"{FRAUD}/authorizations/resolved",
    f"{FRAUD}/phone-numbers/resolved",
    f"{FRAUD}/doctors/resolved",
    f"{FRAUD}/phone-numbers/{{phone_number}}/doctors",
    # the one write endpoint, a POST per report (SPEC §15): bodies and headers fuzzed too
    f"{FRAUD}/authorizations/{{row_id}}/reviews",
    f"{FRAUD}/phone-numbers/{{row_id}}/reviews",
    f"{FRAUD}/doctors/{{row_id}}/reviews",
)
# Real row ids of each report (half the review cases use one, so 201s are exercised too)
ROW_ID_SQL = {
    "authorizations": "select row_id from fraud.authorization_doctor order by report_rank limit 20",
    "phone-numbers": "select row_id from fraud.patients_phonenumber order by report_rank limit 20",
    "doctors": "select row_id from fraud.total_patients_doctor order by report_rank limit 20",
}


def reads(who: str, path: str) -> bool:
    """Whether the policy lets ``who`` read ``path`` (SPEC §10, §11, §15): the lead the
    Leader Hub, the fraud analyst the fraud reports, the clinician their own hub; every
    token /health, /ready and /me."""
    if not path.startswith("/v1/") or path == ME:
        return True
    readers = {HUB: "lead", FRAUD: "fraud_analyst", ME: "clinician"}
    return next(reader for prefix, reader in readers.items() if path.startswith(prefix)) == who


def method_of(path: str) -> str:
    return "POST" if path.endswith("/reviews") else "GET"


def _valid_id(value: object) -> bool:
    return type(value) is int and 1 <= value <= BIGINT_MAX


def _valid_path_value(name: str, value: object) -> bool:
    if name == "phone_number":
        return isinstance(value, str) and re.fullmatch(PHONE_NUMBER_PATTERN, value) is not None
    return _valid_id(value)


def reported_phone_numbers(app_dsn: str) -> list[str]:
    """Phone numbers of the published report that have linked doctors."""
    with psycopg.connect(app_dsn) as conn:
        rows = conn.execute(
            "select distinct phone_number from fraud.phone_number_doctors"
            " order by phone_number limit 200"
        ).fetchall()
    return [number for (number,) in rows]


def harness_headers(case: Any, token: str) -> dict[str, str]:
    """The bearer the harness adds, unless the case's own mutation is the security parameter.

    schemathesis generates the Authorization header like any parameter; in negative mode it
    may drop or malform it. Overwriting such a case with a valid token would send a valid
    request and blame the API for accepting it.
    """
    if case.operation.schema.is_security_param_negated(case):
        return {}
    return bearer(token)


def fresh_app(settings: Settings, connections: Connections) -> Litestar:
    return create_app(settings, connections.app_dsn)


@pytest.fixture
def fuzz_app(settings: Settings, connections: Connections, published: date) -> Iterator[Litestar]:
    """An app of its own per test: schemathesis runs its lifespan (the pool) until the end."""
    yield fresh_app(settings, connections)
    asgi.shutdown_lifespans()


@pytest.fixture(scope="module")
def api_schema(settings: Settings, connections: Connections, dataset: Dataset) -> Any:
    schema = schemathesis.openapi.from_asgi(
        "/schema/openapi.json", fresh_app(settings, connections)
    )
    asgi.shutdown_lifespans()
    # Unknown query parameters are ignored (as documented), so they are not negative data.
    schema.config.generation.update(allow_extra_parameters=False)
    existing = {
        "market_id": list(dataset.markets),
        "provider_id": list(dataset.providers),
        "shift_team_id": sorted(dataset.shift_providers)[:500],
        "phone_number": reported_phone_numbers(connections.app_dsn),
    }
    with psycopg.connect(connections.app_dsn) as conn:
        row_ids = {r: [x[0] for x in conn.execute(q)] for r, q in ROW_ID_SQL.items()}

    @schema.hook
    def flatmap_path_parameters(context: Any, path_parameters: dict[str, Any]) -> Any:
        """Half the time, swap generated ids for ids that exist in the published data."""
        if not path_parameters:
            return st.just(path_parameters)
        if "row_id" in path_parameters:  # a review: a row of the path's report
            report = context.operation.path.split("/")[3]
            if not isinstance(path_parameters["row_id"], str):
                return st.just(path_parameters)
            real_row = st.sampled_from(row_ids[report]).map(
                lambda row_id: {**path_parameters, "row_id": row_id}
            )
            return st.one_of(st.just(path_parameters), real_row)
        real = {name: ids for name, ids in existing.items() if name in path_parameters}
        if not real or not all(_valid_path_value(n, path_parameters[n]) for n in real):
            return st.just(path_parameters)  # a negative case for the id: keep it
        swapped = st.fixed_dictionaries({name: st.sampled_from(ids) for name, ids in real.items()})
        return st.one_of(st.just(path_parameters), swapped.map(lambda s: {**path_parameters, **s}))

    return schema


@pytest.fixture(scope="module")
def tokens(
    settings: Settings, connections: Connections, lead_token: str, analyst_token: str
) -> dict[str, str]:
    clinician = clinicians(connections.app_dsn).experienced
    return {
        "lead": lead_token,
        "fraud_analyst": analyst_token,
        "clinician": mint_dev_token(settings, "", [], False, user_id=clinician),
    }


def test_the_fuzzed_operations_are_every_api_operation(api_schema: Any) -> None:
    paths = {
        result.ok().path
        for result in api_schema.get_all_operations()
        if result.ok().path.startswith(("/v1/", "/health", "/ready"))
    }
    assert paths == set(OPERATIONS)


@pytest.fixture
def reviews_undone(connections: Connections, published: date) -> Iterator[None]:
    """The reviews a fuzzed POST stores are removed afterwards (as the owner: the API's role
    cannot), so the suites after this one see the published data as it was."""
    last = "select coalesce(max(review_id), 0) from kpi_reviews.reviews"
    with psycopg.connect(connections.app_dsn, autocommit=True) as conn:
        before = conn.execute(last).fetchone()[0]
    yield
    with psycopg.connect(connections.app_dsn, autocommit=True) as conn:
        conn.execute("delete from kpi_reviews.reviews where review_id > %s", [before])


@pytest.mark.parametrize(
    ("path", "who"),
    [(path, who) for path in OPERATIONS for who in ("lead", "fraud_analyst")]
    + [(path, "clinician") for path in PERSONAL_OPERATIONS],
)
def test_operation_conforms_to_its_schema(
    api_schema: Any,
    fuzz_app: Litestar,
    tokens: dict[str, str],
    who: str,
    path: str,
    reviews_undone: None,
) -> None:
    operation = api_schema[path][method_of(path)]
    hooks = api_schema.hooks
    cases = st.one_of(
        operation.as_strategy(GenerationMode.POSITIVE, hooks=hooks),
        operation.as_strategy(GenerationMode.NEGATIVE, hooks=hooks),
    )
    token = tokens[who]
    allowed = reads(who, path)

    @fuzzed(EXAMPLES_PER_OPERATION if allowed else DENIED_EXAMPLES)
    @given(case=cases)
    def call(case: Any) -> None:
        if FUZZ_SEED is not None:
            note(f"KPI_TEST_FUZZ_SEED={FUZZ_SEED}")
        headers = harness_headers(case, token)
        response = case.call_and_validate(headers=headers, checks=CHECKS, app=fuzz_app)
        # the budget's premise, checked on every case: a denied token never gets a 2xx
        assert allowed or response.status_code >= 300, f"{who} was answered on {path}"

    call()
