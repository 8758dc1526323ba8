"""Every error, from any layer, is an RFC 9457 problem document."""

from __future__ import annotations

from httpx import AsyncClient


async def test_unknown_route_is_a_404_problem(client: AsyncClient) -> None:
    response = await client.get("/no-such-thing")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["title"] == "Not Found"
    assert response.json()["type"] == "about:blank"


async def test_wrong_method_is_a_405_problem_with_allow(client: AsyncClient) -> None:
    response = await client.delete("/ping")
    assert response.status_code == 405
    assert response.headers["content-type"] == "application/problem+json"
    assert "GET" in response.headers["allow"]


async def test_problem_types_resolve_to_an_explanation(client: AsyncClient) -> None:
    problem = (await client.get("/songs/424242")).json()
    explanation = await client.get(problem["type"])
    assert explanation.status_code == 200
    assert explanation.json()["title"] == problem["title"]
    assert explanation.json()["description"]


async def test_unknown_problem_type_is_404(client: AsyncClient) -> None:
    response = await client.get("/problems/nonsense")
    assert response.status_code == 404
    assert "nonsense" in response.json()["detail"]


async def test_openapi_documents_problem_responses(client: AsyncClient) -> None:
    schema = (await client.get("/openapi.json")).json()
    get_song = schema["paths"]["/songs/{song_id}"]["get"]
    assert "application/problem+json" in get_song["responses"]["404"]["content"]
    assert "ValidationProblem" in schema["components"]["schemas"]
