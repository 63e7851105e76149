"""The `ledger export` subcommands. Kept light: heavy imports happen inside each command."""

from __future__ import annotations

import click


def register(group: click.Group) -> None:
    group.add_command(export_jsonl)


@click.command("jsonl")
@click.option("--out", "out", required=True, help="File to write ('-' for standard output).")
@click.option("--issuer")
@click.option("--force", is_flag=True, help="Overwrite an existing file.")
@click.pass_context
def export_jsonl(ctx: click.Context, out: str, issuer: str | None, force: bool) -> None:
    """Every record with its envelope, sequence, recorded_at, previous hash and hash."""
    from ledger.cli import open_store, user_errors  # noqa: PLC0415
    from ledger.exports.jsonl import write_jsonl  # noqa: PLC0415

    @user_errors
    def run() -> None:
        with open_store(ctx.find_root()) as store:
            count = write_jsonl(store, out, issuer=issuer, force=force)
        if out != "-":
            click.echo(f"wrote {count} records to {out}")

    run()
