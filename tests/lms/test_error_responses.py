"""Error answers keep what HTTP asks of them: a 405 says which methods the URL allows."""

from __future__ import annotations

from tests import factories
from tests.api_support import token_headers


def test_html_405_carries_allow(client):
    response = client.delete("/login")

    assert response.status_code == 405
    assert set(response.headers["Allow"].replace(" ", "").split(",")) >= {"GET", "POST"}
    assert response.mimetype == "text/html"


def test_api_405_carries_allow(client, session):
    headers = token_headers(factories.admin(), ["people:read"])

    response = client.put("/api/v1/people/", headers=headers)

    assert response.status_code == 405 and response.is_json
    assert set(response.headers["Allow"].replace(" ", "").split(",")) >= {"GET", "POST"}
