"""Deleting old rows without long locks: in batches, each its own transaction.

On PostgreSQL a batch skips rows another pruner holds (`SKIP LOCKED`), so
several replicas pruning at once neither wait for each other nor fail; SQLite
serialises writers anyway. Running it again deletes nothing more.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, delete, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from tenantree.db.unit_of_work import UnitOfWork


def delete_in_batches(
    session: Session,
    id_column: InstrumentedAttribute[Any],
    conditions: tuple[ColumnElement[bool], ...],
    *,
    batch_size: int,
    order_by: InstrumentedAttribute[Any] | None = None,
) -> int:
    """Delete the rows of `id_column`'s table that meet `conditions`; how many.

    The delete checks the conditions again: a row changed since its batch was
    chosen (a failed message retried, say) no longer meets them, and stays.
    """
    table = id_column.class_
    deleted = 0
    while True:
        chosen = select(id_column).where(*conditions).limit(batch_size)
        if order_by is not None:
            chosen = chosen.order_by(order_by)
        with UnitOfWork(session):
            ids = session.scalars(chosen.with_for_update(skip_locked=True)).all()
            if ids:
                result = session.execute(
                    delete(table)
                    .where(id_column.in_(ids), *conditions)
                    .execution_options(synchronize_session=False)
                )
                deleted += result.rowcount  # type: ignore[attr-defined]
        if len(ids) < batch_size:
            return deleted
