"""`tenantree outbox ...`: run a delivering worker, and look after the queue.

`work` delivers in this process (for setups where the servers run with
TENANTREE_OUTBOX_WORKER=external); any number may run at once. `list` and
`retry` are the operator's view of the queue: what is waiting, what failed and
why, and putting failed messages back once the relay is mended. `prune` does
once what each worker does every TENANTREE_RETENTION_SWEEP_SECONDS.
"""

from __future__ import annotations

import logging.config
import signal
import uuid
from enum import StrEnum
from typing import Annotated

import typer

outbox_app = typer.Typer(
    help="Outgoing email and webhook deliveries: deliver them, list them, retry them.",
    no_args_is_help=True,
)


class Status(StrEnum):
    # outbox.models.MessageStatus, spelt out: that module loads SQLAlchemy.
    pending = "pending"
    sent = "sent"
    failed = "failed"


@outbox_app.command("work")
def work(
    once: Annotated[bool, typer.Option(help="Deliver what is due, then exit")] = False,
) -> None:
    """Deliver queued email until stopped (SIGTERM or Ctrl-C finish the message in hand)."""
    from tenantree.config import get_settings
    from tenantree.db import make_engine, make_sessionmaker
    from tenantree.server.logs import logging_config
    from tenantree.server.mail import make_outbox, make_worker

    settings = get_settings()
    logging.config.dictConfig(logging_config(settings.log_format))
    engine = make_engine(settings.database_url, pool_size=1)
    try:
        worker = make_worker(settings, make_sessionmaker(engine), make_outbox(settings))
        if once:
            typer.echo(f"{worker.run_once()} message(s) tried")
            return
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: worker.stop())
        typer.echo(f"outbox worker {worker.id} delivering", err=True)
        worker.run()
    finally:
        engine.dispose()


@outbox_app.command("list")
def list_(
    status: Annotated[Status | None, typer.Option(help="Only messages in this state")] = None,
    limit: Annotated[int, typer.Option(min=1, max=1000)] = 50,
) -> None:
    """The newest messages: id, state, attempts, recipient, subject, and why it failed."""
    from tenantree.cli.context import unit_of_work
    from tenantree.outbox.operations import list_messages, state_of

    with unit_of_work() as work:
        for message in list_messages(
            work.session, status=status.value if status else None, limit=limit
        ):
            payload = message.payload
            # A webhook delivery has no recipient or subject: its kind and event type.
            what = (
                f"{payload.get('to')}  {payload.get('subject')!r}"
                if message.kind == "email"
                else f"{message.kind}  {payload.get('type')}"
            )
            line = (
                f"{message.id}  {state_of(message):8}  attempts={message.attempts}  "
                f"{message.created_at:%Y-%m-%dT%H:%M:%SZ}  {what}"
            )
            if message.last_error:
                line += f"  error: {message.last_error}"
            typer.echo(line)


@outbox_app.command("retry")
def retry(
    message_ids: Annotated[list[str] | None, typer.Argument(help="Failed messages' ids")] = None,
    all_failed: Annotated[bool, typer.Option("--all-failed", help="Every failed message")] = False,
) -> None:
    """Queue failed messages again, due now, with their attempts counted afresh."""
    from tenantree.cli.context import fail, unit_of_work
    from tenantree.outbox.operations import retry_messages

    if not message_ids and not all_failed:
        fail("name the failed messages' ids, or give --all-failed")
    try:
        ids = [uuid.UUID(value) for value in message_ids or []]
    except ValueError:
        fail("message ids are UUIDs (see tenantree outbox list --status failed)")
    with unit_of_work() as work:
        count = retry_messages(work.session, ids, all_failed=all_failed)
    typer.echo(f"{count} message(s) queued again")


@outbox_app.command("prune")
def prune() -> None:
    """Delete delivered and failed messages (and throttle hits) past their retention.

    TENANTREE_RETENTION_SENT_DAYS (14), _FAILED_DAYS (90) and _THROTTLE_HITS_HOURS
    (24) say how long each is kept. In short batches; safe beside running servers
    and other pruners, and running it again deletes nothing more.
    """
    from tenantree.config import get_settings
    from tenantree.db import make_engine, make_sessionmaker
    from tenantree.server.retention import prune as prune_rows

    settings = get_settings()
    engine = make_engine(settings.database_url, pool_size=1)
    try:
        with make_sessionmaker(engine)() as session:
            typer.echo(prune_rows(session, settings))
    finally:
        engine.dispose()
