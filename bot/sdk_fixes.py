"""Measured fixes for the Microsoft 365 Agents SDK (microsoft-agents-hosting-core 1.9.0).

Each is small, idempotent and guarded: if a future SDK no longer has the target, nothing
happens. Remove a fix when the SDK fixes the cause.
"""

from __future__ import annotations

import functools
import importlib

# The connector and user-token clients build their User-Agent with get_product_info() every
# time one is created (twice per turn). It asks importlib.metadata for a package that is not
# installed, which scans every distribution on sys.path: ~0.5 ms of CPU per turn under load
# (cProfile, bench/README.md). The string never changes within a process.
_PRODUCT_INFO_USERS = (
    "microsoft_agents.hosting.core.connector.client.connector_client",
    "microsoft_agents.hosting.core.connector.client.user_token_client",
    "microsoft_agents.hosting.core.connector.mcs.mcs_connector_client",
)


def cache_product_info() -> None:
    try:
        source = importlib.import_module("microsoft_agents.hosting.core.connector.get_product_info")
    except ImportError:
        return
    original = getattr(source, "get_product_info", None)
    if not callable(original):
        return
    product_info = functools.cache(original)  # one cache shared by every user of it
    for module_name in _PRODUCT_INFO_USERS:
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            continue
        if getattr(module, "get_product_info", None) is original:
            module.get_product_info = product_info


def apply() -> None:
    cache_product_info()
