from tenantree.db.base import Base, UTCDateTime, new_id
from tenantree.db.engine import make_engine, make_sessionmaker, reads_only_engine

__all__ = [
    "Base",
    "UTCDateTime",
    "make_engine",
    "make_sessionmaker",
    "new_id",
    "reads_only_engine",
]
