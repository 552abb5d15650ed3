"""usage_pool_daily: a pool's consumers summed per day, for its forecast

A pool's run-out forecast summed every rollup row of the pool up to today,
a grouping that grew with the history (107 ms at 10,000 children on
PostgreSQL). `usage_pool_daily` keeps, per pool and day, its consumers' rows
of the day summed (`rise_units`, `moved_units`), added to by every change and
never rewritten otherwise, so concurrent changes commute; alerts.forecasts
reads the window's rows and sums the moves before it. Both forms of the usage
rule keep it current in the change's transaction: usage_writes.
_pool_day_write and `apply_usage_change`, replaced here by a version that
adds the same write (tests/licensing/test_usage_function.py holds the two to
the same rows). Existing rows are
backfilled from usage_daily.

Revision ID: 0025
Revises: 0024
Create Date: 2027-02-15 09:00:00
"""

import importlib.util
from collections.abc import Sequence
from pathlib import Path

import sqlalchemy as sa
from alembic import op

revision: str = "0025"
down_revision: str | None = "0024"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# A pool's day: its consumers' rows of the day summed.
_BACKFILL = """
INSERT INTO usage_pool_daily (pool_id, day, rise_units, moved_units)
SELECT pool_id, day, SUM(peak_units - carried_units), SUM(last_units - carried_units)
  FROM usage_daily
 GROUP BY pool_id, day
"""

_CREATE = """
CREATE OR REPLACE FUNCTION apply_usage_change(
    p_org uuid, p_sku text, p_op text, p_amount bigint, p_at timestamptz,
    p_actor uuid, p_actor_org uuid, p_request text
) RETURNS TABLE (
    outcome text,           -- done | refused | no_pool | linked
    refusal text,           -- the refusal's error code, when refused
    consumer_parent uuid,   -- the consumer's parent as read under its lock
    holder uuid,            -- the holder of the pool drawn on
    pool uuid,
    current_units bigint,   -- the consumer's units before the change
    org_quota bigint,       -- the quota bounding this draw (none on its own pool)
    pool_quantity bigint,   -- of the in-term licenses
    pool_use bigint,        -- done: after the change; refused: as the rule read it
    any_in_term boolean,
    allows_overage boolean,
    units_after bigint
) LANGUAGE plpgsql AS $fn$
DECLARE
    v_kind text; v_latest text; v_parent_type text; v_parent uuid;
    v_partner_type text; v_grandparent uuid; v_source text; v_holder uuid;
    v_pool uuid; v_used bigint; v_consumption uuid; v_units bigint; v_quota bigint;
    v_quantity bigint; v_in_term boolean; v_overage boolean;
    v_day date := (p_at AT TIME ZONE 'UTC')::date;
    v_day_id uuid; v_peak bigint; v_unit_seconds bigint; v_last_units bigint;
    v_last_at timestamptz; v_carried bigint := 0; v_closing bigint;
    v_new bigint; v_delta bigint; v_after bigint; v_tries int := 0;
    v_was_peak bigint; v_rise bigint; v_moved bigint;
BEGIN
    -- sources.lock_path: the consumer's row, with its source and parentage.
    SELECT o.kind,
           (SELECT c.source FROM license_source_changes c WHERE c.org_id = o.id
             ORDER BY c.at DESC, c.id DESC LIMIT 1),
           (SELECT p.partner_type FROM orgs p WHERE p.id = o.parent_id),
           o.parent_id, o.partner_type,
           (SELECT p.parent_id FROM orgs p WHERE p.id = o.parent_id)
      INTO v_kind, v_latest, v_parent_type, v_parent, v_partner_type, v_grandparent
      FROM orgs o WHERE o.id = p_org
       FOR NO KEY UPDATE OF o;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'apply_usage_change: no org %', p_org;
    END IF;
    -- sources._source and pool_holder
    v_source := CASE WHEN v_kind <> 'sub_org' THEN 'own'
                     WHEN v_latest IS NOT NULL THEN v_latest
                     WHEN v_parent_type = 'msp' THEN 'parent_pool'
                     ELSE 'own' END;
    IF v_kind = 'sub_org' AND v_source = 'parent_pool' AND v_partner_type IS NULL THEN
        v_holder := v_parent;
    ELSE
        v_holder := p_org;
    END IF;
    IF v_kind = 'sub_org' AND v_holder = p_org THEN
        -- sources.link_of: a tier-2 partner drawing on its partner is linked.
        IF v_partner_type IS NOT NULL AND v_parent IS NOT NULL
           AND v_source = 'parent_pool' THEN
            RETURN QUERY SELECT 'linked', NULL::text, v_parent, v_holder, NULL::uuid,
                NULL::bigint, NULL::bigint, NULL::bigint, NULL::bigint, NULL::boolean,
                NULL::boolean, NULL::bigint;
            RETURN;
        END IF;
    ELSIF v_kind = 'sub_org' AND v_grandparent IS NOT NULL THEN
        -- sources.partner_link: the partner's row, share-locked; linked when
        -- its source (sources._source, as a sub-org's) is parent_pool.
        SELECT (SELECT c.source FROM license_source_changes c WHERE c.org_id = o.id
                 ORDER BY c.at DESC, c.id DESC LIMIT 1),
               (SELECT p.partner_type FROM orgs p WHERE p.id = o.parent_id)
          INTO v_latest, v_parent_type
          FROM orgs o WHERE o.id = v_holder
           FOR SHARE OF o;
        IF coalesce(v_latest, CASE WHEN v_parent_type = 'msp' THEN 'parent_pool' END)
           = 'parent_pool' THEN
            RETURN QUERY SELECT 'linked', NULL::text, v_parent, v_holder, NULL::uuid,
                NULL::bigint, NULL::bigint, NULL::bigint, NULL::bigint, NULL::boolean,
                NULL::boolean, NULL::bigint;
            RETURN;
        END IF;
    END IF;

    -- consumer_state.read_consumer_state; the pool's use as last committed.
    SELECT lp.id, lp.used INTO v_pool, v_used
      FROM license_pools lp WHERE lp.holder_org_id = v_holder AND lp.sku = p_sku;
    IF NOT FOUND THEN
        RETURN QUERY SELECT 'no_pool', NULL::text, v_parent, v_holder, NULL::uuid,
            NULL::bigint, NULL::bigint, NULL::bigint, NULL::bigint, NULL::boolean,
            NULL::boolean, NULL::bigint;
        RETURN;
    END IF;
    SELECT c.id, c.units INTO v_consumption, v_units
      FROM consumptions c WHERE c.pool_id = v_pool AND c.org_id = p_org;
    v_units := coalesce(v_units, 0);
    IF v_holder <> p_org THEN  -- quotas bound a sub-org's draw on its partner's pool only
        SELECT q.max_units INTO v_quota FROM quotas q
         WHERE q.sub_org_id = p_org AND q.sku = p_sku;
    END IF;
    -- pool.PoolView.of over License.in_term
    SELECT coalesce(sum(l.quantity), 0), count(*) > 0,
           coalesce(bool_or(l.overage_policy = 'allow_and_flag'), false)
      INTO v_quantity, v_in_term, v_overage
      FROM licenses l
     WHERE l.holder_org_id = v_holder AND l.sku = p_sku AND l.status = 'active'
       AND l.starts_at <= p_at AND p_at < l.ends_at;

    -- pool.plan_change, from the consumer up
    IF p_amount < 0 OR (p_op = 'release' AND p_amount > v_units) THEN
        refusal := 'invalid_usage';
    END IF;
    v_new := CASE p_op WHEN 'set' THEN p_amount WHEN 'add' THEN v_units + p_amount
                       WHEN 'release' THEN v_units - p_amount END;
    IF v_new IS NULL THEN
        RAISE EXCEPTION 'apply_usage_change: no operation %', p_op;
    END IF;
    v_delta := v_new - v_units;
    IF refusal IS NULL AND v_delta > 0 THEN
        IF NOT v_in_term THEN
            refusal := 'no_license';
        ELSIF v_quota IS NOT NULL AND v_new > v_quota THEN
            refusal := 'quota_exceeded';
        ELSIF NOT v_overage AND v_used + v_delta > v_quantity THEN
            refusal := 'pool_exhausted';
        END IF;
    END IF;

    -- consumption._apply: the conditional UPDATE; on a lost race decide again
    -- on the newer figure, then under the pool's lock, where it cannot move.
    WHILE refusal IS NULL LOOP
        v_tries := v_tries + 1;
        IF v_delta > 0 AND NOT v_overage AND v_tries < 3 THEN
            UPDATE license_pools lp SET used = lp.used + v_delta
             WHERE lp.id = v_pool AND lp.used + v_delta <= v_quantity
            RETURNING lp.used INTO v_after;
        ELSE
            UPDATE license_pools lp SET used = lp.used + v_delta
             WHERE lp.id = v_pool
            RETURNING lp.used INTO v_after;
        END IF;
        EXIT WHEN v_after IS NOT NULL;
        IF v_tries = 1 THEN
            SELECT lp.used INTO v_used FROM license_pools lp WHERE lp.id = v_pool;
        ELSE
            SELECT lp.used INTO v_used FROM license_pools lp WHERE lp.id = v_pool
               FOR NO KEY UPDATE;
        END IF;
        IF v_used + v_delta > v_quantity THEN
            refusal := 'pool_exhausted';
        END IF;
    END LOOP;
    IF refusal IS NOT NULL THEN
        RETURN QUERY SELECT 'refused', refusal, v_parent, v_holder, v_pool, v_units,
            v_quota, v_quantity, v_used, v_in_term, v_overage, NULL::bigint;
        RETURN;
    END IF;

    -- usage_writes.write_change: the consumer's rows and the snapshot
    IF v_consumption IS NULL THEN
        INSERT INTO consumptions (id, pool_id, org_id, units, updated_at)
        VALUES (gen_random_uuid(), v_pool, p_org, v_new, p_at);
    ELSE
        UPDATE consumptions SET units = v_new, updated_at = p_at WHERE id = v_consumption;
    END IF;
    -- history.fold_day (whole seconds, never negative, as history._seconds)
    SELECT d.id, d.peak_units, d.unit_seconds, d.last_units, d.last_at
      INTO v_day_id, v_peak, v_unit_seconds, v_last_units, v_last_at
      FROM usage_daily d
     WHERE d.pool_id = v_pool AND d.org_id = p_org AND d.day = v_day;
    IF v_day_id IS NULL THEN
        -- history.held_before: the level carried in from the last day before
        SELECT d.last_units INTO v_carried FROM usage_daily d
         WHERE d.pool_id = v_pool AND d.org_id = p_org AND d.day < v_day
         ORDER BY d.day DESC LIMIT 1;
        v_carried := coalesce(v_carried, 0);
        v_peak := greatest(v_carried, v_new);
        v_unit_seconds := v_carried * greatest(0, floor(extract(epoch FROM
            p_at - (v_day::timestamp AT TIME ZONE 'UTC'))))::bigint;
        v_last_at := p_at;
    ELSE
        v_was_peak := v_peak;
        v_peak := greatest(v_peak, v_new);
        v_unit_seconds := v_unit_seconds + v_last_units
            * greatest(0, floor(extract(epoch FROM p_at - v_last_at)))::bigint;
        v_last_at := greatest(p_at, v_last_at);
    END IF;
    v_closing := v_unit_seconds + v_new * greatest(0, floor(extract(epoch FROM
        ((v_day + 1)::timestamp AT TIME ZONE 'UTC') - v_last_at)))::bigint;
    IF v_day_id IS NULL THEN
        INSERT INTO usage_daily (id, pool_id, org_id, day, carried_units, peak_units,
                                 unit_seconds, last_units, last_at, closing_unit_seconds)
        VALUES (gen_random_uuid(), v_pool, p_org, v_day, v_carried, v_peak,
                v_unit_seconds, v_new, v_last_at, v_closing);
    ELSE
        UPDATE usage_daily SET peak_units = v_peak, unit_seconds = v_unit_seconds,
               last_units = v_new, last_at = v_last_at, closing_unit_seconds = v_closing
         WHERE id = v_day_id;
    END IF;
    -- usage_writes._pool_day_write: the row's rise and move added to its
    -- pool's day (addition only: concurrent changes commute).
    IF v_day_id IS NULL THEN
        v_rise := v_peak - v_carried;
        v_moved := v_new - v_carried;
    ELSE
        v_rise := v_peak - v_was_peak;
        v_moved := v_new - v_last_units;
    END IF;
    INSERT INTO usage_pool_daily AS pd (pool_id, day, rise_units, moved_units)
    VALUES (v_pool, v_day, v_rise, v_moved)
    ON CONFLICT (pool_id, day) DO UPDATE
       SET rise_units = pd.rise_units + EXCLUDED.rise_units,
           moved_units = pd.moved_units + EXCLUDED.moved_units;
    INSERT INTO usage_snapshots (id, pool_id, org_id, at, units, pool_used, over_quantity,
                                 actor_id, actor_org_id, request_id)
    VALUES (gen_random_uuid(), v_pool, p_org, p_at, v_new, v_after, v_after > v_quantity,
            p_actor, p_actor_org, p_request);
    RETURN QUERY SELECT 'done', NULL::text, v_parent, v_holder, v_pool, v_units, v_quota,
        v_quantity, v_after, v_in_term, v_overage, v_new;
END
$fn$
"""


def upgrade() -> None:
    op.create_table(
        "usage_pool_daily",
        sa.Column("pool_id", sa.Uuid(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("rise_units", sa.BigInteger(), nullable=False),
        sa.Column("moved_units", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["pool_id"],
            ["license_pools.id"],
            name=op.f("fk_usage_pool_daily_pool_id_license_pools"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("pool_id", "day", name=op.f("pk_usage_pool_daily")),
    )
    op.execute(_BACKFILL)
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_CREATE)


def _previous_function() -> str:
    """0024's version of the function, as that migration created it."""
    path = Path(__file__).with_name("0024_usage_change_function.py")
    spec = importlib.util.spec_from_file_location("usage_change_function_0024", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module._CREATE.replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION", 1)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_previous_function())
    op.drop_table("usage_pool_daily")
