"""/docs and /redoc render with no internet: every asset they reference is served by us."""

from __future__ import annotations

import re

import pytest
from httpx import AsyncClient

ASSET_REFERENCE = re.compile(r"""(?:src|href)\s*=\s*["']([^"']+)["']""")


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
async def test_docs_page_and_all_its_assets_are_served_locally(client: AsyncClient, page: str) -> None:
    response = await client.get(page)
    assert response.status_code == 200
    html = response.text

    assets = ASSET_REFERENCE.findall(html)
    assert any(asset.endswith(".js") for asset in assets)
    assert not re.search(r"https?://(?!testserver)", html), "the page points off the machine"
    for asset in assets:
        fetched = await client.get(asset)
        assert fetched.status_code == 200, asset
        assert len(fetched.content) > 1000, asset

    openapi = await client.get("/openapi.json")
    assert openapi.status_code == 200
    assert openapi.json()["info"]["title"] == "Songs Catalog"
