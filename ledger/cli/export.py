"""The `ledger export` subcommands. Kept light: heavy imports happen inside each command."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import click

from ledger.cli.params import Day, Instant


def register(group: click.Group) -> None:
    group.add_command(export_jsonl)
    group.add_command(export_csv)
    group.add_command(export_ocf)
    group.add_command(export_html)


@click.command("jsonl")
@click.option("--out", "out", required=True, help="File to write ('-' for standard output).")
@click.option("--issuer")
@click.option("--force", is_flag=True, help="Overwrite an existing file.")
@click.pass_context
def export_jsonl(ctx: click.Context, out: str, issuer: str | None, force: bool) -> None:
    """Every record with its envelope, sequence, recorded_at, previous hash and hash."""
    from ledger.cli.commandline import open_store, user_errors  # noqa: PLC0415
    from ledger.outputs.jsonl import write_jsonl  # noqa: PLC0415

    @user_errors
    def run() -> None:
        with open_store(ctx.find_root()) as store:
            count = write_jsonl(store, out, issuer=issuer, force=force)
        if out != "-":
            click.echo(f"wrote {count} records to {out}")

    run()


def as_of_options(func: Callable) -> Callable:
    """--as-of, --known-at, --issuer, --out and --force, shared by the snapshot exports."""
    func = click.option("--force", is_flag=True, help="Overwrite an existing file or folder.")(func)
    func = click.option("--issuer", help="Issuer slug (default: the only one).")(func)
    func = click.option("--known-at", "known_at", type=Instant(), help="Transaction time: what the ledger knew then.")(func)
    func = click.option("--as-of", "as_of", type=Day(), help="Valid time: the date exported (default today).")(func)
    return func


def _snapshot_command(ctx: click.Context, as_of: dt.date | None, known_at: dt.datetime | None, issuer: str | None,
                      write: Callable) -> None:
    """Open the store, take the snapshot, close the store, then write: one line on any user error."""
    from ledger.cli.commandline import open_store, user_errors  # noqa: PLC0415
    from ledger.history.snapshot import take  # noqa: PLC0415

    @user_errors
    def run() -> None:
        with open_store(ctx.find_root()) as store:
            snapshot = take(store, issuer, as_of, known_at)
        click.echo(write(snapshot))

    run()


@click.command("csv")
@as_of_options
@click.option("--out", "out", required=True, help="Folder to write (created; never overwritten without --force).")
@click.pass_context
def export_csv(ctx: click.Context, as_of: dt.date | None, known_at: dt.datetime | None, issuer: str | None, force: bool,
               out: str) -> None:
    """Holdings, cap table, voting, ownership, rights and reconciliation as CSV files, with a manifest."""

    def write(snapshot) -> str:
        from ledger.outputs.csv import export_csv as run  # noqa: PLC0415

        meta = run(snapshot, out, force=force)
        return f"wrote {len(meta['files'])} CSV files and manifest.json to {out} (as of {meta['as_of']})"

    _snapshot_command(ctx, as_of, known_at, issuer, write)


@click.command("ocf")
@as_of_options
@click.option("--out", "out", required=True, help="A folder, or a file ending in .ocf.zip.")
@click.pass_context
def export_ocf(ctx: click.Context, as_of: dt.date | None, known_at: dt.datetime | None, issuer: str | None, force: bool,
               out: str) -> None:
    """An Open Cap Format v1.2.0 package; what OCF cannot express travels as DOCUMENT objects."""

    def write(snapshot) -> str:
        from ledger.outputs.ocf.export import export_package  # noqa: PLC0415

        summary = export_package(snapshot, out, force=force)
        return (f"wrote OCF 1.2.0 package {out}: {summary['stakeholders']} stakeholders, "
                f"{summary['stock_classes']} stock classes, {summary['transactions']} transactions, "
                f"{summary['documents']} documents (as of {snapshot.query.as_of})")

    _snapshot_command(ctx, as_of, known_at, issuer, write)


@click.command("html")
@as_of_options
@click.option("--out", "out", required=True, help="The .html file to write.")
@click.option("--outstanding", type=click.Choice(["best", "derived", "reported"]), default="best", show_default=True,
              help="Denominator: the ledger's own count where complete, else the latest reported (best); or force one.")
@click.option("--compare-known-at", "compare_known_at", type=Instant(),
              help="An earlier instant: add a section of what changed since the ledger knew only that much.")
@click.pass_context
def export_html(ctx: click.Context, as_of: dt.date | None, known_at: dt.datetime | None, issuer: str | None, force: bool,
                out: str, outstanding: str, compare_known_at: dt.datetime | None) -> None:
    """One self-contained HTML report: cap table, ownership over time, voting, rights, reconciliation, journal."""
    from ledger.cli.commandline import open_store, user_errors  # noqa: PLC0415
    from ledger.errors import UsageError  # noqa: PLC0415
    from ledger.outputs.html import export_html as run  # noqa: PLC0415
    from ledger.history.snapshot import take  # noqa: PLC0415

    @user_errors
    def go() -> None:
        with open_store(ctx.find_root()) as store:
            snapshot = take(store, issuer, as_of, known_at)
            earlier = None
            if compare_known_at is not None:
                if compare_known_at >= snapshot.query.known_at:
                    raise UsageError(f"--compare-known-at {compare_known_at.isoformat()} is not before the report's "
                                     f"known-at {snapshot.query.known_at.isoformat()}")
                earlier = take(store, snapshot.query.issuer, snapshot.query.as_of, compare_known_at)
        size = run(snapshot, out, force=force, mode=outstanding, earlier=earlier)
        click.echo(f"wrote {out} ({size:,} bytes, as of {snapshot.query.as_of})")

    go()
