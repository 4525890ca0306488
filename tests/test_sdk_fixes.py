"""The SDK fixes are applied once, keep the SDK's answer, and stop re-reading package metadata."""

from __future__ import annotations

import importlib.metadata

from microsoft_agents.hosting.core.connector.client import connector_client, user_token_client

from bot import sdk_fixes


def test_product_info_is_computed_once(monkeypatch):
    sdk_fixes.apply()
    sdk_fixes.apply()  # idempotent: not a cache of a cache
    assert connector_client.get_product_info is user_token_client.get_product_info
    expected = connector_client.get_product_info.__wrapped__()
    connector_client.get_product_info()
    calls = []
    original = importlib.metadata.version
    monkeypatch.setattr(importlib.metadata, "version", lambda name: calls.append(name) or original(name))
    for _ in range(5):
        assert connector_client.get_product_info() == expected
        assert user_token_client.get_product_info() == expected
    assert calls == []
    assert expected.startswith("agents-sdk-py/")
