"""An id read as the database's text (licensing.id_text) is the text that
text_of gives for the same id, on each database: the parent report joins
rows of several queries by that text, and finds its own org's by text_of."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from factories import make_partner
from tenantree.licensing.id_text import id_text, text_of, uuid_text
from tenantree.orgs.models import Org


def test_an_id_read_as_text_is_what_text_of_gives_for_it(session: Session) -> None:
    org = make_partner(session)
    session.flush()
    dialect = session.get_bind().dialect.name
    read = session.execute(select(id_text(dialect, Org.id)).where(Org.id == org.id)).scalar_one()
    assert read == text_of(dialect, org.id)
    assert uuid.UUID(read) == org.id


def test_an_id_read_as_text_shows_as_str_of_its_uuid(session: Session) -> None:
    org = make_partner(session)
    session.flush()
    dialect = session.get_bind().dialect.name
    read = session.execute(select(id_text(dialect, Org.id)).where(Org.id == org.id)).scalar_one()
    assert uuid_text(dialect, read) == str(org.id)
