"""The index of orgs below a parent holds the id after the name

A list below a parent is read in (name, id) order. With (parent_id, name),
SQLite sorted each run of equal names by id and looked up every row's id in
the table; with the id in the index, the walk is in the page's order, stops
at the page's end, is entered at a cursor's (name, id), and reads no table
row for an id. It replaces the old index, whose every use it serves.

Revision ID: 0027
Revises: 0026
Create Date: 2027-03-01 09:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0027"
down_revision: str | None = "0026"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    _index(["parent_id", "name", "id"])


def downgrade() -> None:
    _index(["parent_id", "name"])


def _index(columns: list[str]) -> None:
    with op.batch_alter_table("orgs", schema=None) as batch_op:
        batch_op.drop_index("ix_orgs_parent_id_name")
        batch_op.create_index("ix_orgs_parent_id_name", columns, unique=False)
