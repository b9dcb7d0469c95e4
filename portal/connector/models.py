"""Keys that the merchant's connector installations call the API with."""

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.models import User
from ..extensions import db
from ..models import utcnow


class ConnectorKey(db.Model):
    """One installation's key: only its SHA-256 is stored (it is random, long and shown once)."""

    __tablename__ = "connector_key"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    # The key's first characters, shown in the list so that merchants tell their keys apart.
    hint: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    def __repr__(self) -> str:  # never the digest
        return f"<ConnectorKey {self.id} {self.hint}…>"


# A merchant's keys, read with the logged-in user (hooks.USER_LOADING) for the token page.
User.connector_keys = relationship(ConnectorKey, order_by=ConnectorKey.id.desc(), viewonly=True)
