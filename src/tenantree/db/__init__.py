from tenantree.db.base import Base, UTCDateTime, new_id
from tenantree.db.engine import (
    loop_reads_engine,
    make_engine,
    make_sessionmaker,
    reads_only_engine,
)

__all__ = [
    "Base",
    "UTCDateTime",
    "loop_reads_engine",
    "make_engine",
    "make_sessionmaker",
    "new_id",
    "reads_only_engine",
]
