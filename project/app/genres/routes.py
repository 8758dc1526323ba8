"""HTTP routes for /genres."""

from __future__ import annotations

from fastapi import APIRouter

from app.core.listing import ListParams
from app.core.resource_routes import Resource, add_resource_routes
from app.core.routing import PlannedRoute
from app.genres import service
from app.genres.models import GenreCreate, GenrePublic

router = APIRouter(prefix="/genres", tags=["genres"], route_class=PlannedRoute)

existing_genre = add_resource_routes(
    router,
    Resource(
        noun="genre",
        rows=service.genre_rows,
        public=GenrePublic,
        create_body=GenreCreate,
        update_body=GenreCreate,  # a genre has one field: PATCH and PUT both rename it
        list_params=ListParams,
        sortable=service.SORTABLE,
        create=service.create_genre,
        replace=service.update_genre,
        update=service.update_genre,
        delete=service.delete_genre,
        delete_refused_when="songs still have the genre",
    ),
)
