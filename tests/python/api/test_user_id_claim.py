"""The personal hub's identity (SPEC §11): the user-id claim, its setting and dev tokens."""

from __future__ import annotations

import dataclasses
from typing import Any

import jwt
import pytest
from api_support import SECRET, claims

from api.errors import ApiError
from api.tokens import TokenError, TokenVerifier, mint_dev_token, user_id_of
from kpi.cli import main
from kpi.settings import Settings, SettingsError


@pytest.mark.parametrize(
    ("source", "expected"),
    [({"user_id": 7}, 7), ({"user_id": "0042"}, 42), ({}, None), ({"user_id": None}, None)],
)
def test_a_user_id_is_a_number_or_decimal_digits(source: dict[str, Any], expected: Any) -> None:
    assert user_id_of(source, ("user_id",)) == expected


@pytest.mark.parametrize(
    "value", ["x", "-1", "+1", "١٢", "99999999999999999999", 2**63, 0, False, 3.0, [7]]
)
def test_anything_else_is_a_401_naming_the_claim(value: Any) -> None:
    with pytest.raises(ApiError) as raised:
        user_id_of({"ids": {"station": value}}, ("ids", "station"))
    assert raised.value.status == 401 and "ids.station" in raised.value.message


def test_the_setting_takes_a_dotted_path_and_refuses_an_empty_part() -> None:
    env = {"KPI_DATA_DIR": "/tmp/kpi-user-id-claim"}
    assert Settings.from_env(env).jwt_user_id_claim == "user_id"
    nested = Settings.from_env(env | {"KPI_JWT_USER_ID_CLAIM": "ids.station"})
    assert nested.jwt_user_id_claim == "ids.station"
    with pytest.raises(SettingsError, match="KPI_JWT_USER_ID_CLAIM"):
        Settings.from_env(env | {"KPI_JWT_USER_ID_CLAIM": "ids..station"})


def test_dev_tokens_carry_the_user_id_where_the_verifier_reads_it(api_settings: Settings) -> None:
    nested = dataclasses.replace(api_settings, jwt_user_id_claim="ids.station")
    token = mint_dev_token(nested, "", [], False, user_id=10002)
    assert jwt.decode(token, SECRET, algorithms=["HS256"])["ids"] == {"station": 10002}
    assert TokenVerifier(nested).principal_from_header(f"Bearer {token}").user_id == 10002
    plain = TokenVerifier(api_settings).principal_from_claims(claims())
    assert plain.user_id is None  # a lead's token without the claim
    with pytest.raises(TokenError):
        mint_dev_token(api_settings, "", [], False, user_id=0)


def test_kpi_token_mints_a_clinician_token_and_refuses_a_bad_user_id(
    capsys: pytest.CaptureFixture[str], data_dir: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KPI_DATA_DIR", str(data_dir))
    monkeypatch.setenv("KPI_JWT_SECRET", SECRET)
    assert main(["token", "--user-id", "10002"]) == 0
    token = capsys.readouterr().out.strip()
    assert jwt.decode(token, SECRET, algorithms=["HS256"])["user_id"] == 10002
    assert main(["token", "--user-id", "0"]) == 2
    assert "--user-id" in capsys.readouterr().err
