"""Applying trees to the test database: the applier's configuration and a helper."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy.orm import Session, sessionmaker

from tenantree.audit.service import AuditTrail
from tenantree.branding.config import BrandingConfig
from tenantree.config import Settings
from tenantree.identity.context import IdentityConfig
from tenantree.treeplan.apply import ApplyResult, apply_diff
from tenantree.treeplan.current import read_tree
from tenantree.treeplan.database import ApplyConfig, DatabaseTree
from tenantree.treeplan.diff import TreeDiff, diff_trees
from tenantree.treeplan.document import Tree

Apply = Callable[..., ApplyResult]


@pytest.fixture
def apply_config(settings: Settings, identity: IdentityConfig) -> ApplyConfig:
    return ApplyConfig(identity, BrandingConfig.from_settings(settings))


def _trail(session: Session) -> AuditTrail:
    return AuditTrail(session, None, request_id="tree-test")


@pytest.fixture
def plan(sessions: sessionmaker[Session], db: object) -> Callable[[Tree], TreeDiff]:
    def plan_(desired: Tree) -> TreeDiff:
        with sessions() as session:
            return diff_trees(desired, read_tree(session))

    return plan_


@pytest.fixture
def apply(
    sessions: sessionmaker[Session], apply_config: ApplyConfig, plan: Callable[[Tree], TreeDiff]
) -> Apply:
    """Plan `desired` against the database and apply it (prune=... passed on)."""

    def apply_(desired: Tree, *, prune: bool = False) -> ApplyResult:
        store = DatabaseTree(sessions, _trail, apply_config)
        return apply_diff(store, plan(desired), prune=prune)

    return apply_
