"""Which assets an `AssetQuery` chooses, as SQL conditions on the `assets` table.

Text search asks the full-text index for candidates (FTS5 on SQLite, a GIN tsvector index on
PostgreSQL, both over `prompt_words`, the prompt's `words`), then keeps only the assets whose
words include each query word exactly, so every database answers as `AssetQuery.matches` does,
even where FTS5 would fold a word differently or a word is too long for a tsvector.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import (
    ColumnElement,
    Table,
    cast,
    exists,
    func,
    literal,
    literal_column,
    text,
)
from sqlalchemy.dialects.postgresql import TSQUERY

from imagestudio.adapters.sql import tables as t
from imagestudio.adapters.sql.asset_loading import label_column
from imagestudio.domain.asset_query import AssetQuery, words

POSTGRESQL_LONGEST_WORD = 2047
"""Bytes: the longest lexeme a PostgreSQL tsvector or tsquery holds."""

FTS_ROWS = f"{t.FULL_TEXT}_rows"


def conditions(query: AssetQuery, *, sqlite: bool) -> list[ColumnElement[bool]]:
    """The conditions on `assets` rows that `query` chooses (its owner aside)."""
    c = t.assets.c
    chosen: list[ColumnElement[bool]] = []
    if query.kind is not None:
        chosen.append(c.kind == query.kind.value)
    if query.model_id is not None:
        chosen.append(c.model_id == query.model_id)
    if query.tag is not None:
        chosen.append(_has_label(t.asset_tags, query.tag))
    if query.collection is not None:
        chosen.append(_has_label(t.asset_collections, query.collection))
    if query.favourite is not None:
        chosen.append(c.favourite == query.favourite)
    if query.created_from is not None:
        chosen.append(c.created_at >= query.created_from)
    if query.created_before is not None:
        chosen.append(c.created_at < query.created_before)
    if query.derived_from is not None:
        lineage = t.asset_lineage.c
        chosen.append(
            exists().where(lineage.asset_id == c.id, lineage.parent_id == query.derived_from)
        )
    wanted = sorted(set(words(query.text or "")))
    if wanted:
        chosen.append(_indexed(wanted, sqlite=sqlite))
        # The index narrows; this decides, word for word as `matches` does.
        spaced = " " + c.prompt_words + " "
        position = func.instr if sqlite else func.strpos
        chosen.extend(position(spaced, " " + word + " ") > 0 for word in wanted)
    return chosen


def _indexed(wanted: Sequence[str], *, sqlite: bool) -> ColumnElement[bool]:
    c = t.assets.c
    if sqlite:
        # Each word a quoted phrase: user text never reaches FTS5 as query syntax.
        phrases = " ".join('"' + word.replace('"', '""') + '"' for word in wanted)
        return c.id.in_(
            text(
                f"SELECT asset_id FROM {FTS_ROWS} WHERE rowid IN "
                f"(SELECT rowid FROM {t.FULL_TEXT} WHERE {t.FULL_TEXT} MATCH :phrases)"
            )
            .bindparams(phrases=phrases)
            .columns(asset_id=t.assets.c.id.type)
        )
    lexemes = [w for w in wanted if len(w.encode()) <= POSTGRESQL_LONGEST_WORD]
    if not lexemes:
        return literal(True)  # longer words: only the exact check can tell
    # The index's expression, its separator a literal (a parameter would not match it).
    vector = func.array_to_tsvector(func.string_to_array(c.prompt_words, literal_column("' '")))
    # Quoted lexemes go into the tsquery as they are, never through a parser.
    quoted = " & ".join("'" + w.replace("\\", "\\\\").replace("'", "''") + "'" for w in lexemes)
    return vector.op("@@")(cast(literal(quoted), TSQUERY))


def _has_label(table: Table, label: str) -> ColumnElement[bool]:
    name = table.c[label_column(table)]
    return exists().where(table.c.asset_id == t.assets.c.id, name == label)
