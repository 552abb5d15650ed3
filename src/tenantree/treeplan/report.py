"""A diff as `plan` prints it, one line per change (plain)."""

from __future__ import annotations

from tenantree.treeplan.diff import Action, OrgDiff, TreeDiff

MARKS = {Action.CREATE: "+", Action.UPDATE: "~", Action.DELETE: "-", Action.NO_CHANGE: "="}


def _heading(org: OrgDiff) -> str:
    under = f", sub-org of {org.parent_salesforce_id}" if org.is_sub_org else ""
    label = "would deactivate" if org.desired is None else org.action.value
    return f"{MARKS[org.action]} {label} {org.salesforce_id} ({org.name}{under})"


def plan_lines(diff: TreeDiff, *, prune: bool = False, verbose: bool = False) -> list[str]:
    """What would change, org by org; unchanged orgs counted (listed with `verbose`)."""
    lines: list[str] = []
    for org in diff.orgs:
        if org.action == Action.NO_CHANGE and not verbose:
            continue
        lines.append(_heading(org))
        for change in org.changes:
            if change.what == "org":
                continue
            lines.append(f"    {MARKS[change.action]} {change.describe()}")
    counts = diff.counts()
    deletions = counts[Action.DELETE]
    lines.append(
        f"Plan: {counts[Action.CREATE]} to create, {counts[Action.UPDATE]} to update, "
        f"{counts[Action.NO_CHANGE]} unchanged, {deletions} with deletions"
        + ("" if prune or not deletions else " (made only with --prune, as deactivation)")
        + "."
    )
    return lines
