"""The schema: one portable set of tables for SQLite and PostgreSQL.

Money and counts are BIGINT micro-dollars; structured values the database never queries inside
(a plan's limits, a reservation's demands, an operation's parameters) are JSON text.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Double,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    event,
    text,
)
from sqlalchemy.engine import Connection

from imagestudio.adapters.sql.column_types import UtcDateTime
from imagestudio.domain.asset_query import MAX_LABEL_CHARS

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
    # The provider's task ids as a JSON array; NULL: none was named.
    Column("provider_task_ids", Text, nullable=True),
    Column("unconfirmed_cost", BigInteger, nullable=False, server_default="0"),
    Index("ix_ledger_user_period", "user_id", "billing_period"),
    Index("ix_ledger_finished_at", "finished_at"),
)

operations = Table(
    "operations",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("user_id", String(ID), nullable=False),  # indexed first in (user, created_at, id)
    Column("kind", String(32), nullable=False),
    Column("model_id", String(ID), nullable=False),
    Column("provider", String(64), nullable=False),
    Column("status", String(16), nullable=False),
    Column("reservation_id", String(ID), nullable=True),
    Column("idempotency_key", String(255), nullable=True),
    Column("charged", BigInteger, nullable=False, default=0),
    Column("error", Text, nullable=True),
    Column("body", Text, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Column("lease_owner", String(ID), nullable=True),
    Column("lease_expires_at", UtcDateTime, nullable=True, index=True),
    # A final failure's `continued_by` until the sweep saw that operation come (or ended the
    # request without it): the sweep's list of requests whose follow-up may never come.
    Column("follow_up", String(ID), nullable=True),
    # A user's operations newest first (`imagestudio operations list`, `GET /v1/operations`).
    Index("ix_operations_user_created_at_id", "user_id", "created_at", "id"),
    # Partial (since migration 0013): each status change of an operation rewrote an entry of a
    # whole-table status index and of a follow-up index of NULLs, a page more of the log per
    # commit each. These hold only the rows the sweep looks for, which few status changes touch.
    Index(
        "ix_operations_follow_up",
        "follow_up",
        sqlite_where=text("follow_up IS NOT NULL"),
        postgresql_where=text("follow_up IS NOT NULL"),
    ),
    Index(
        "ix_operations_unknown_updated_at",
        "updated_at",
        sqlite_where=text("status = 'unknown'"),
        postgresql_where=text("status = 'unknown'"),
    ),
)

idempotency_keys = Table(
    "idempotency_keys",
    metadata,
    Column("user_id", String(ID), nullable=False),
    Column("key", String(255), nullable=False),
    Column("request_hash", String(64), nullable=False),
    # Indexed: the sweep pages through the keys still running past the follow-up grace.
    Column("claimed_at", UtcDateTime, nullable=False, index=True),
    Column("outcome", Text, nullable=True),  # NULL while the first request runs
    # The operation running under the key: once it is settled, a key still running is stale.
    Column("operation_id", String(ID), nullable=True),
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

# The studio pages' browser sessions and one-time sign-in links: only hashes of their secrets.
browser_sessions = Table(
    "browser_sessions",
    metadata,
    Column("id_hash", String(64), primary_key=True),
    Column("role", String(16), nullable=False),
    Column("user_id", String(ID), ForeignKey("users.id"), nullable=True, index=True),
    Column("key_hash", String(64), nullable=True),  # NULL: opened by a one-time link
    Column("created_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
)

sign_in_links = Table(
    "sign_in_links",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("user_id", String(ID), ForeignKey("users.id"), nullable=False, index=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
    Column("used_at", UtcDateTime, nullable=True),  # NULL until the link is used
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

# -- completion webhooks -------------------------------------------------------------------------

webhook_secrets = Table(
    "webhook_secrets",
    metadata,
    Column("user_id", String(ID), primary_key=True),
    # Random bytes (base64); the signing secret is derived from them with the server's key,
    # so these rows alone sign nothing (architecture.md).
    Column("seed", String(64), nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)

webhook_deliveries = Table(
    "webhook_deliveries",
    metadata,
    Column("id", String(64), primary_key=True),  # the `webhook-id` of every attempt
    Column("user_id", String(ID), nullable=False),
    Column("operation_id", String(ID), nullable=False),
    Column("event", String(32), nullable=False),
    Column("url", Text, nullable=False),
    Column("state", String(16), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("created_at", UtcDateTime, nullable=False, index=True),
    Column("next_attempt_at", UtcDateTime, nullable=False),
    Column("delivered_at", UtcDateTime, nullable=True),
    Column("lease_owner", String(ID), nullable=True),
    Column("lease_expires_at", UtcDateTime, nullable=True),
    # What the worker looks for: pending rows by when they are due.
    Index("ix_webhook_deliveries_state_next_attempt_at", "state", "next_attempt_at"),
    Index("ix_webhook_deliveries_user_created_at_id", "user_id", "created_at", "id"),
)

webhook_attempts = Table(
    "webhook_attempts",
    metadata,
    Column(
        "delivery_id",
        String(64),
        ForeignKey("webhook_deliveries.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("number", Integer, nullable=False),
    Column("at", UtcDateTime, nullable=False),
    Column("status_code", Integer, nullable=True),  # NULL: no answer (see `error`)
    Column("error", Text, nullable=True),
    Column("duration_ms", BigInteger, nullable=False),
    PrimaryKeyConstraint("delivery_id", "number"),
)

# -- the asset library ---------------------------------------------------------------------------

assets = Table(
    "assets",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("owner", String(ID), nullable=False),
    Column("operation_id", String(ID), nullable=False),
    Column("model_id", String(ID), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("media_type", String(64), nullable=False),
    Column("size_bytes", BigInteger, nullable=False),
    Column("width", Integer, nullable=True),
    Column("height", Integer, nullable=True),
    Column("duration_seconds", Double, nullable=True),  # IEEE double on both: floats round-trip
    Column("vertex_count", BigInteger, nullable=True),
    Column("prompt", Text, nullable=False),
    # The prompt's `words` joined by spaces: what full-text search indexes (see below).
    Column("prompt_words", Text, nullable=False),
    Column("cost", BigInteger, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("favourite", Boolean, nullable=False),
    Index("ix_assets_owner_created_at_id", "owner", "created_at", "id"),
)


def _asset_labels(name: str, label: str) -> Table:
    """An asset's tags or collections: one row per label, gone with the asset."""
    return Table(
        name,
        metadata,
        Column(
            "asset_id",
            String(ID),
            ForeignKey("assets.id", ondelete="CASCADE"),
            nullable=False,
        ),
        Column(label, String(MAX_LABEL_CHARS), nullable=False),
        PrimaryKeyConstraint("asset_id", label),
        Index(f"ix_{name}_{label}", label),
    )


asset_tags = _asset_labels("asset_tags", "tag")
asset_collections = _asset_labels("asset_collections", "collection")

asset_lineage = Table(
    "asset_lineage",
    metadata,
    Column("asset_id", String(ID), ForeignKey("assets.id", ondelete="CASCADE"), nullable=False),
    Column("position", Integer, nullable=False),
    Column("parent_id", String(ID), nullable=False),  # no foreign key: parents may go first
    PrimaryKeyConstraint("asset_id", "position"),
)

asset_owners = Table(
    "asset_owners",
    metadata,
    # Kept by the library in the same transaction as each asset's row: the storage check reads
    # one row before every operation instead of summing all of the owner's assets.
    Column("owner", String(ID), primary_key=True),
    Column("bytes", BigInteger, nullable=False),
    Column("assets", BigInteger, nullable=False),
)

# Full-text search over `assets.prompt_words`, which the metadata cannot describe: created by
# migration 0006, and by `metadata.create_all` through the DDL below. Its objects are all named
# `assets_fts…`; `include_name` keeps them out of Alembic's comparisons and autogenerate.
#
# The words are Python's (`words`), so search splits text the same on every database whatever
# its locale (PostgreSQL's parser in the C locale takes «nuit» for one word). SQLite: an FTS5
# table keyed by `assets_fts_rows`, whose INTEGER PRIMARY KEY stays put when a table is copied
# or vacuumed (the implicit rowid of `assets` would not); deleting an asset cascades to its
# row, whose trigger drops the indexed words. PostgreSQL: a GIN index on a tsvector whose
# lexemes are those words exactly (`array_to_tsvector`: no parser, no dictionary).
FULL_TEXT = "assets_fts"

# An asset's words are indexed by SQLite itself whenever its row is written (since migration
# 0007), so adding an asset is one statement whoever writes it, as with PostgreSQL's index.
_INDEX_NEW_WORDS = f"""
    INSERT OR IGNORE INTO {FULL_TEXT}_rows (asset_id) VALUES (new.id);
    DELETE FROM {FULL_TEXT}
        WHERE rowid = (SELECT rowid FROM {FULL_TEXT}_rows WHERE asset_id = new.id);
    INSERT INTO {FULL_TEXT} (rowid, words)
        SELECT rowid, new.prompt_words FROM {FULL_TEXT}_rows WHERE asset_id = new.id;
END"""
SQLITE_FULL_TEXT_TRIGGERS = (
    f"CREATE TRIGGER {FULL_TEXT}_index AFTER INSERT ON assets BEGIN{_INDEX_NEW_WORDS}",
    f"CREATE TRIGGER {FULL_TEXT}_reindex AFTER UPDATE OF prompt_words ON assets BEGIN"
    f"{_INDEX_NEW_WORDS}",
)

SQLITE_FULL_TEXT_DDL = (
    f"""CREATE TABLE {FULL_TEXT}_rows (
    rowid INTEGER PRIMARY KEY,
    asset_id VARCHAR({ID}) NOT NULL UNIQUE REFERENCES assets (id) ON DELETE CASCADE
)""",
    f"CREATE VIRTUAL TABLE {FULL_TEXT} USING fts5("
    "words, tokenize = 'unicode61 remove_diacritics 0')",
    f"""CREATE TRIGGER {FULL_TEXT}_forget AFTER DELETE ON {FULL_TEXT}_rows BEGIN
    DELETE FROM {FULL_TEXT} WHERE rowid = old.rowid;
END""",
    *SQLITE_FULL_TEXT_TRIGGERS,
)
SQLITE_FULL_TEXT_DROP = (f"DROP TABLE {FULL_TEXT}_rows", f"DROP TABLE {FULL_TEXT}")

POSTGRESQL_FULL_TEXT_DDL = (
    f"CREATE INDEX {FULL_TEXT} ON assets "
    "USING gin (array_to_tsvector(string_to_array(prompt_words, ' ')))",
)
POSTGRESQL_FULL_TEXT_DROP: tuple[str, ...] = ()  # the index goes with its table


FULL_TEXT_DDL = {"sqlite": SQLITE_FULL_TEXT_DDL, "postgresql": POSTGRESQL_FULL_TEXT_DDL}
FULL_TEXT_DROP = {"sqlite": SQLITE_FULL_TEXT_DROP, "postgresql": POSTGRESQL_FULL_TEXT_DROP}


@event.listens_for(assets, "after_create")
def _create_full_text(_table: Table, connection: Connection, **_: object) -> None:
    for statement in FULL_TEXT_DDL[connection.dialect.name]:
        connection.exec_driver_sql(statement)


@event.listens_for(assets, "before_drop")
def _drop_full_text(_table: Table, connection: Connection, **_: object) -> None:
    for statement in FULL_TEXT_DROP[connection.dialect.name]:
        connection.exec_driver_sql(statement)


def include_name(name: str | None, type_: str, parent_names: object) -> bool:  # noqa: ARG001
    """Alembic's `include_name`: everything but the full-text objects made by hand."""
    return name is None or not name.startswith(FULL_TEXT)
