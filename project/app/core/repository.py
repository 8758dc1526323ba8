"""Reading, versioned updating and deleting one row of a resource table, shared by all resources."""

from __future__ import annotations

from typing import Any, Generic, TypeVar

from sqlalchemy import delete, select, update
from sqlmodel import SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession

from app.core.conditional import require_match
from app.errors import NotFoundError

Model = TypeVar("Model", bound=SQLModel)


class Repository(Generic[Model]):
    """Row access for one table with ``id`` and ``version`` columns.

    Updates and deletes are single statements guarded by the accepted versions, so two editors
    holding the same ETag cannot both succeed: the second one's guard no longer matches.
    """

    def __init__(self, model: type[Model], resource: str) -> None:
        self.model = model
        self.resource = resource
        self.table: Any = model.__table__  # type: ignore[attr-defined]

    async def get(self, session: AsyncSession, row_id: int, *, for_update: bool = False) -> Model:
        statement = select(self.model).where(self.table.c.id == row_id)
        if for_update:
            statement = statement.with_for_update()
        found: Model | None = (await session.execute(statement)).scalar_one_or_none()
        if found is None:
            raise NotFoundError(self.resource, row_id)
        return found

    async def _fail_guard(self, session: AsyncSession, row_id: int) -> None:
        current = await self.get(session, row_id)  # 404 when it is gone
        require_match([], int(getattr(current, "version", 0)), self.resource.lower())

    async def update(
        self,
        session: AsyncSession,
        row_id: int,
        values: dict[str, Any],
        accepted_versions: list[int] | None,
    ) -> Model:
        statement = (
            update(self.model)
            .where(self.table.c.id == row_id)
            .values(**values, version=self.table.c.version + 1)
            .returning(self.model)
            .execution_options(populate_existing=True, synchronize_session=False)
        )
        if accepted_versions is not None:
            statement = statement.where(self.table.c.version.in_(accepted_versions))
        updated: Model | None = (await session.execute(statement)).scalar_one_or_none()
        if updated is None:
            await self._fail_guard(session, row_id)
        assert updated is not None
        return updated

    async def delete(self, session: AsyncSession, row_id: int, accepted_versions: list[int] | None) -> None:
        statement = delete(self.model).where(self.table.c.id == row_id)
        if accepted_versions is not None:
            statement = statement.where(self.table.c.version.in_(accepted_versions))
        deleted = (await session.execute(statement.returning(self.table.c.id))).first()
        if deleted is None:
            await self._fail_guard(session, row_id)
