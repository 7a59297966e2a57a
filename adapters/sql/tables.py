"""The schema: one portable set of tables for SQLite and PostgreSQL.

Money and counts are BIGINT micro-dollars; structured values the database never queries inside
(a plan's limits, a reservation's demands, an operation's parameters) are JSON text.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
)

from imagestudio.adapters.sql.column_types import UtcDateTime

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_name)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

ID = 128

plans = Table(
    "plans",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("definition", Text, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)

users = Table(
    "users",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("plan_name", String(64), ForeignKey("plans.name"), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
)

operator_budgets = Table(
    "operator_budgets",
    metadata,
    Column("provider", String(64), primary_key=True),
    Column("monthly_micros", BigInteger, nullable=True),  # NULL: unlimited, said explicitly
)

quota_counters = Table(
    "quota_counters",
    metadata,
    Column("scope", String(16), nullable=False),
    Column("owner", String(ID), nullable=False),
    Column("name", String(64), nullable=False),
    Column("period", String(16), nullable=False),
    Column("used", BigInteger, nullable=False, default=0),
    Column("held", BigInteger, nullable=False, default=0),
    # A stripe of a shared budget may use up to its allotment; NULL: to be (re)split.
    Column("allotment", BigInteger, nullable=True),
    PrimaryKeyConstraint("scope", "owner", "name", "period"),
)

reservations = Table(
    "reservations",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("user_id", String(ID), nullable=False, index=True),
    Column("state", String(16), nullable=False),
    Column("request", Text, nullable=False),
    Column("demands", Text, nullable=False),
    Column("settlement", Text, nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
)

request_grants = Table(
    "request_grants",
    metadata,
    Column(
        "id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    ),
    Column("user_id", String(ID), nullable=False),
    Column("at", UtcDateTime, nullable=False),
    Index("ix_request_grants_user_at", "user_id", "at"),
)

ledger = Table(
    "ledger",
    metadata,
    Column(
        "id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    ),
    Column("operation_id", String(ID), nullable=False, unique=True),
    Column("user_id", String(ID), nullable=False),
    Column("model_id", String(ID), nullable=False),
    Column("provider", String(64), nullable=False),
    Column("kind", String(32), nullable=True),  # NULL: an adjustment
    Column("outputs", Integer, nullable=False),
    Column("user_charge", BigInteger, nullable=False),
    Column("provider_cost", BigInteger, nullable=False),
    Column("outcome", String(32), nullable=False),
    Column("output_bytes", BigInteger, nullable=False),
    Column("latency_ms", BigInteger, nullable=False),
    Column("billing_period", String(16), nullable=False),
    Column("started_at", UtcDateTime, nullable=False),
    Column("finished_at", UtcDateTime, nullable=False),
    Column("idempotency_key", String(255), nullable=True),
    Column("reason", Text, nullable=False, default=""),
    Index("ix_ledger_user_period", "user_id", "billing_period"),
    Index("ix_ledger_finished_at", "finished_at"),
)

operations = Table(
    "operations",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("user_id", String(ID), nullable=False, index=True),
    Column("kind", String(32), nullable=False),
    Column("model_id", String(ID), nullable=False),
    Column("provider", String(64), nullable=False),
    Column("status", String(16), nullable=False, index=True),
    Column("reservation_id", String(ID), nullable=True),
    Column("idempotency_key", String(255), nullable=True),
    Column("charged", BigInteger, nullable=False, default=0),
    Column("error", Text, nullable=True),
    Column("body", Text, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Column("lease_owner", String(ID), nullable=True),
    Column("lease_expires_at", UtcDateTime, nullable=True, index=True),
)

idempotency_keys = Table(
    "idempotency_keys",
    metadata,
    Column("user_id", String(ID), nullable=False),
    Column("key", String(255), nullable=False),
    Column("request_hash", String(64), nullable=False),
    Column("claimed_at", UtcDateTime, nullable=False),
    Column("outcome", Text, nullable=True),  # NULL while the first request runs
    PrimaryKeyConstraint("user_id", "key"),
)

api_keys = Table(
    "api_keys",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("user_id", String(ID), ForeignKey("users.id"), nullable=False, index=True),
    Column("key_hash", String(64), nullable=False, unique=True),
    Column("prefix", String(16), nullable=False, index=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("revoked_at", UtcDateTime, nullable=True),  # NULL while the key works
)

alerts = Table(
    "alerts",
    metadata,
    Column("user_id", String(ID), nullable=False),
    Column("period", String(16), nullable=False),
    Column("dimension", String(64), nullable=False),
    Column("threshold", Integer, nullable=False),  # percent of the limit
    Column("used", BigInteger, nullable=False),
    Column("maximum", BigInteger, nullable=False),  # the limit when it was reached
    Column("at", UtcDateTime, nullable=False),
    PrimaryKeyConstraint("user_id", "period", "dimension", "threshold"),  # each alert once
)
