"""Imports every table model so that SQLModel's metadata knows them all (for Alembic)."""

from app.songs.models import Song

__all__ = ["Song"]
