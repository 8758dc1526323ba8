"""Songs catalog: an async REST API for songs, artists and albums."""

from sqlmodel import SQLModel

# Named constraints make migrations reviewable and let errors name the constraint that was hit.
# Set here, before any table model is defined, because names are fixed when tables are built.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
