"""Schemathesis against ``/openapi.json`` with a read token: no 5xx, no schema violation.

Driven through Hypothesis directly (schemathesis' pytest plugin does not run under pytest 9).
"""

from __future__ import annotations

from typing import Any

import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error, response_schema_conformance

from tests.web.conftest import bearer


def no_server_error(ctx: Any, response: Any, case: Any) -> bool | None:
    """``not_a_server_error``, except a declared 501: a capability whose engine has not landed
    yet (see ``supportops.web.data.Unavailable``); every other 5xx fails."""
    if response.status_code == 501 and response.json()["error"]["code"] == "not_implemented":
        return None
    return not_a_server_error(ctx, response, case)


SETTINGS = settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck))


def test_api_answers_within_its_schema(app: FastAPI, tokens: dict[str, str]) -> None:
    headers = bearer(tokens["read"])
    schema = schemathesis.openapi.from_asgi("/openapi.json", app, headers=headers)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 10
    for operation in operations:

        @SETTINGS
        @given(operation.as_strategy())
        def run(case: Any) -> None:
            case.call_and_validate(
                headers=headers, checks=[no_server_error, response_schema_conformance]
            )

        run()
