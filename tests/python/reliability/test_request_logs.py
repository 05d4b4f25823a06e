"""The request log of a real `kpi serve` (SPEC §14): one JSON line per request with its
request id, and no patient data in anything the server prints.

Run on the published synthetic build: every patient name and Athena id that the visits
responses returned (pages and searches for those very names and ids) is searched for in
the server's whole output, which must not contain any of them.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

from ops_support import ServedApi
from reliability_support import HUB, Dataset, bearer

from kpi.settings import Settings

VISITS_ROUTE = f"{HUB}/providers/{{provider_id}}/provider-visits"


def test_request_log_is_json_with_request_ids_and_never_patient_data(
    settings: Settings, dataset: Dataset, lead_token: str, lead_markets: list[int], tmp_path: Path
) -> None:
    env = {"KPI_DATA_DIR": os.environ.get("KPI_DATA_DIR", str(settings.data_dir))}
    api = ServedApi(env, tmp_path / "serve.log", workers=2)
    headers = bearer(lead_token)
    returned: set[str] = set()
    ids: dict[str, str | None] = {}
    try:
        api.wait_healthy()
        providers = sorted(dataset.visible_providers(set(lead_markets)))[:6]
        for provider in providers:
            page = api.get(
                f"{HUB}/providers/{provider}/provider-visits?per_page=100", headers=headers
            )
            assert page.status_code == 200
            for visit in page.json()["items"]:
                for field in ("patient_first_name", "patient_last_name", "patient_athena_id"):
                    if visit[field]:
                        returned.add(visit[field])
        assert len(returned) >= 20, "the build should return patient rows to look for"
        for term in sorted(returned)[:15]:  # searches by name and id: the query string
            provider = providers[0]
            url = f"{HUB}/providers/{provider}/provider-visits"
            assert api.get(url, params={"search": term}, headers=headers).status_code == 200
        # X-Request-ID: honoured when well-formed, else replaced; always returned
        for sent in ("lb-7f3a.2:x", "has space", "x" * 129, None):
            extra = {} if sent is None else {"X-Request-ID": sent}
            response = api.get(f"{HUB}/markets", headers=headers | extra)
            ids[str(sent)] = response.headers.get("x-request-id")
    finally:
        code = api.stop()
    output = api.log.read_text()
    assert code == 0, output[-2000:]
    assert ids["lb-7f3a.2:x"] == "lb-7f3a.2:x"
    for bad in ("has space", "x" * 129, "None"):
        assert re.fullmatch(r"[0-9a-f]{32}", ids[bad] or ""), bad
    lines = [json.loads(line) for line in output.splitlines() if '"kpi.api.access"' in line]
    by_id = {line["request_id"]: line for line in lines}
    assert set(ids.values()) <= set(by_id)
    assert by_id["lb-7f3a.2:x"]["route"] == f"{HUB}/markets"
    assert by_id["lb-7f3a.2:x"]["sub"] == "dev:Market Manager"
    visit_lines = [line for line in lines if line["route"] == VISITS_ROUTE]
    assert len(visit_lines) == len(providers) + 15
    leaked = sorted(term for term in returned if term in output)
    assert leaked == [], f"patient data in the server output: {leaked[:5]}"
    assert "search=" not in output and "per_page" not in output
