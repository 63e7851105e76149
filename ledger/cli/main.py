"""The `ledger` command: a thin layer over the library's functions."""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable
from typing import Any

import click
from click.exceptions import NoArgsIsHelpError

from ledger.api import Ledger
from ledger.cli.commandline import one_line, open_store, user_errors
from ledger.cli.params import Day, Instant
from ledger.errors import UsageError
from ledger.log.target import default_target, redact
from ledger.outputs.render import FORMATS, emit


def query_options(func: Callable) -> Callable:
    func = click.option("--issuer", help="Issuer slug (default: the only one).")(func)
    func = click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True)(func)
    func = click.option("--disclosed-at", type=Day(),
                        help="Disclosure time: only documents public by the end of DATE (their filing date).")(func)
    func = click.option("--known-at", type=Instant(), help="Transaction time: what the ledger knew then.")(func)
    func = click.option("--as-of", type=Day(), help="Valid time: the date asked about (default today).")(func)
    return func


class LedgerGroup(click.Group):
    """Click's usage errors (an unknown option, a date that is not one) as one line and exit 2,
    like every other error of the command, instead of click's three-line usage block."""

    def main(self, *args: Any, **kwargs: Any) -> Any:
        kwargs["standalone_mode"] = False
        try:
            result = super().main(*args, **kwargs)
        except NoArgsIsHelpError as exc:  # `ledger` or `ledger export` alone: the help, as asked
            click.echo(exc.ctx.get_help())
            sys.exit(exc.exit_code)
        except click.ClickException as exc:
            ctx = getattr(exc, "ctx", None)
            hint = f" (see `{ctx.command_path} --help`)" if ctx is not None else ""
            click.echo(f"error: {one_line(exc.format_message())}{hint}", err=True)
            sys.exit(exc.exit_code)
        except click.Abort:
            click.echo("aborted", err=True)
            sys.exit(1)
        sys.exit(result if isinstance(result, int) else 0)


@click.group(cls=LedgerGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--db", "target", envvar="LEDGER_DB", default=None,
              help="SQLite file (default ./ledger.db) or postgresql://user:password@host:port/dbname.")
@click.pass_context
def cli(ctx: click.Context, target: str | None) -> None:
    """An event-sourced ledger of security issuances and exercises."""
    ctx.obj = target or default_target()


@cli.command("import")
@click.argument("paths", nargs=-1, required=True)
@click.option("--ignore-checksums", is_flag=True,
              help="Read an OCF package whose files' md5s differ from its manifest's.")
@click.option("--ids", "ids_file", metavar="FILE",
              help="YAML: an OCF id, a CIK, a name or a class title -> the ledger id it is to have.")
@click.option("--filings", is_flag=True,
              help="PATHS are EDGAR filings (Forms 3/4/5, Schedules 13D/13G): extract, then import as one batch.")
@click.option("--filed", type=Day(), help="With --filings: the date the filings without an SEC header became public.")
@click.pass_context
@user_errors
def import_cmd(ctx: click.Context, paths: tuple[str, ...], ignore_checksums: bool, ids_file: str | None,
               filings: bool, filed: dt.date | None) -> None:
    """Import event files or folders (or, with --filings, EDGAR filings): all or nothing, idempotent."""
    from ledger.common.gcpause import collector_paused  # noqa: PLC0415
    from ledger.intake.importer import import_events  # noqa: PLC0415
    from ledger.intake.loader import collect_files, load_files, read_ids  # noqa: PLC0415

    ids = read_ids(ids_file) if ids_file else None
    with collector_paused():
        if filings:
            from ledger.intake.filings import batch, draft_filings, known_records  # noqa: PLC0415

            drafts = draft_filings(paths, ids=ids, filed=filed)  # every filing read before the ledger is touched
            with open_store(ctx, create=True) as store:
                result = import_events(store, batch(drafts, known_records(store, drafts)))
        else:
            loaded = load_files(collect_files(paths), ignore_checksums=ignore_checksums, ids=ids)
            with open_store(ctx, create=True) as store:
                result = import_events(store, loaded)
    added = ", ".join(f"{n} for {issuer}" for issuer, n in result.added.items()) or "nothing new"
    click.echo(f"imported {result.total_added} events ({added}); {result.already_present} already present")


@cli.command()
@click.option("--party", help="Only events that name this party or group.")
@click.option("--security", help="Only events that name this security, warrant or note.")
@click.option("--issuer")
@click.option("--known-at", type=Instant())
@click.option("--disclosed-at", type=Day(), help="Only events of documents public by the end of DATE.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True)
@click.pass_context
@user_errors
def history(ctx: click.Context, party: str | None, security: str | None, issuer: str | None,
            known_at: dt.datetime | None, disclosed_at: dt.date | None, fmt: str) -> None:
    """The journal: every recorded event with its source and its three times (effective, recorded, disclosed)."""
    answer = book(ctx).history(known_at=known_at, issuer=issuer, party=party, security=security,
                               disclosed_at=disclosed_at)
    if fmt == "table":
        from ledger.outputs.journal import journal_table_rows  # noqa: PLC0415

        emit(fmt, f"History of {answer.issuer}", {k: v for k, v in answer.header().items() if k != "as_of"},
             journal_table_rows(answer.rows))
    else:
        emit(fmt, "history", answer.header(), answer.rows)


def book(ctx: click.Context) -> Ledger:
    """The library's ledger at the command's --db: every query command asks it."""
    return Ledger(ctx.find_root().obj)


outstanding_option = click.option(
    "--outstanding", type=click.Choice(["best", "derived", "reported"]), default="best", show_default=True,
    help="Denominator: the ledger's own count where complete, else the latest reported (best); or force one.")


@cli.command()
@query_options
@click.option("--party", help="Only this party's holdings.")
@click.pass_context
@user_errors
def holdings(ctx: click.Context, as_of: dt.date | None, known_at: dt.datetime | None,
             disclosed_at: dt.date | None, fmt: str,
             issuer: str | None, party: str | None) -> None:
    """Shares, warrants, grants and notes per party, and each plan's pool, on a date."""
    answer = book(ctx).holdings(as_of=as_of, known_at=known_at, disclosed_at=disclosed_at, issuer=issuer, party=party)
    # As found: printed as JSON, rows read from the intervals are their stored text.
    emit(fmt, f"Holdings of {answer.issuer}", answer.header(), answer.found,
         HOLDINGS_COLUMNS if fmt != "json" else None)


HOLDINGS_COLUMNS = ["party", "security", "kind", "underlying", "quantity", "exercisable", "exercise_price",
                    "expires", "principal", "quantity_at_least", "quantity_at_most", "exercisable_at_least",
                    "exercisable_at_most"]


@cli.command()
@query_options
@click.option("--by", "by", type=click.Choice(["class", "holder"]), default="class", show_default=True,
              help="One row per class, or per party (and per plan's pool) as common with percents.")
@click.pass_context
@user_errors
def captable(ctx: click.Context, as_of: dt.date | None, known_at: dt.datetime | None,
             disclosed_at: dt.date | None, fmt: str,
             issuer: str | None, by: str) -> None:
    """Outstanding and fully diluted shares per class, or per holder."""
    answer = book(ctx).captable(as_of=as_of, known_at=known_at, disclosed_at=disclosed_at, issuer=issuer, by=by)
    if by == "holder":
        emit(fmt, f"Cap table of {answer.issuer} by holder", answer.header(), answer.rows,
             ["party", "outstanding", "outstanding_at_least", "percent_outstanding", "fully_diluted",
              "fully_diluted_at_least", "fully_diluted_at_most", "percent_fully_diluted", "missing",
              "percent_outstanding_note", "percent_fully_diluted_note"] if fmt != "json" else None)
        return
    emit(fmt, f"Cap table of {answer.issuer}", answer.header(), answer.rows,
         ["security", "outstanding", "outstanding_at_least", "fully_diluted", "fully_diluted_at_least",
          "fully_diluted_at_most", "not_yet_convertible", "not_yet_convertible_at_least",
          "not_yet_convertible_at_most", "reported_outstanding", "reported_on", "missing"]
         if fmt != "json" else None)


@cli.command()
@query_options
@outstanding_option
@click.pass_context
@user_errors
def voting(ctx: click.Context, as_of: dt.date | None, known_at: dt.datetime | None,
           disclosed_at: dt.date | None, fmt: str,
           issuer: str | None, outstanding: str) -> None:
    """Votes per party and percent of all votes."""
    answer = book(ctx).voting(as_of=as_of, known_at=known_at, disclosed_at=disclosed_at, issuer=issuer, outstanding=outstanding)
    emit(fmt, f"Voting power in {answer.issuer}", answer.header(), answer.rows,
         VOTING_COLUMNS if fmt != "json" else None)


VOTING_COLUMNS = ["party", "votes", "votes_at_least", "percent", "complete", "missing", "by_class"]


@cli.command()
@query_options
@outstanding_option
@click.option("--security", help="The class (default: the issuer's common class).")
@click.option("--cover", is_flag=True, help="Print rows 7 to 13 of a Schedule 13D cover page for each person.")
@click.pass_context
@user_errors
def ownership(ctx: click.Context, as_of: dt.date | None, known_at: dt.datetime | None,
              disclosed_at: dt.date | None, fmt: str,
              issuer: str | None, outstanding: str, security: str | None, cover: bool) -> None:
    """Beneficial ownership under Rule 13d-3 for one class."""
    answer = book(ctx).ownership(as_of=as_of, known_at=known_at, disclosed_at=disclosed_at, issuer=issuer, security=security,
                                 outstanding=outstanding)
    security = answer.security
    if cover and fmt == "table":
        from ledger.outputs.reports import print_cover_pages  # noqa: PLC0415

        print_cover_pages(book(ctx).names(issuer=answer.issuer), security, answer, answer.rows)
        return
    emit(fmt, f"Beneficial ownership of {security or 'common stock'} of {answer.issuer} (Rule 13d-3)",
         answer.header(), answer.rows, OWNERSHIP_COLUMNS if fmt != "json" else None)


OWNERSHIP_COLUMNS = ["party", "beneficially_owned", "acquirable_within_60_days", "percent", "sole_voting",
                     "shared_voting", "sole_dispositive", "shared_dispositive", "complete", "missing",
                     "denominator", "denominator_source", "denominator_document", "denominator_date"]


@cli.command()
@query_options
@outstanding_option
@click.pass_context
@user_errors
def rights(ctx: click.Context, as_of: dt.date | None, known_at: dt.datetime | None,
           disclosed_at: dt.date | None, fmt: str,
           issuer: str | None, outstanding: str) -> None:
    """Each agreement's parties and rights on a date, with the figures behind them."""
    answer = book(ctx).rights(as_of=as_of, known_at=known_at, disclosed_at=disclosed_at, issuer=issuer, outstanding=outstanding)
    emit(fmt, f"Rights under agreements of {answer.issuer}", answer.header(), answer.rows,
         ["agreement", "right", "kind", "party", "status", "explanation"] if fmt == "table" else None)


@cli.command()
@click.option("--strict", is_flag=True, help="Exit 1 on any finding.")
@click.option("--draft", type=click.Path(), help="Compare a draft from `ledger extract` with the ledger instead.")
@click.option("--issuer")
@click.option("--known-at", type=Instant())
@click.option("--disclosed-at", type=Day(), help="Only documents public by the end of DATE.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True)
@click.pass_context
@user_errors
def reconcile(ctx: click.Context, strict: bool, draft: str | None, issuer: str | None,
              known_at: dt.datetime | None, disclosed_at: dt.date | None, fmt: str) -> None:
    """Reported figures against derived ones, and document against document."""
    from projections.reconcile import FINDING  # noqa: PLC0415

    answer = book(ctx).reconcile(known_at=known_at, issuer=issuer, draft=draft, disclosed_at=disclosed_at)
    findings = [r for r in answer.rows if r["status"] in FINDING]
    emit(fmt, f"Reconciliation of {answer.issuer}: {len(findings)} findings in {len(answer.rows)} checks",
         answer.header(), answer.rows,
         ["kind", "subject", "status", "reported", "derived", "explanation", "sources"] if fmt != "json" else None)
    if strict and findings:
        sys.exit(1)


@cli.command()
@click.argument("folder")
@click.option("--fresh", is_flag=True, help="Replace an existing ledger at --db.")
@click.option("--date", "dates", type=Day(), multiple=True, help="Dates to report (default: the history's own).")
@click.option("--filings", is_flag=True,
              help="FOLDER holds EDGAR filings (Forms 3/4/5, Schedules 13D/13G), not event files.")
@click.option("--ids", "ids_file", metavar="FILE", help="With --filings: YAML, a CIK, a name or a class title -> id.")
@click.option("--filed", type=Day(), help="With --filings: the date filings without an SEC header became public.")
@click.pass_context
@user_errors
def replay(ctx: click.Context, folder: str, fresh: bool, dates: tuple[dt.date, ...], filings: bool,
           ids_file: str | None, filed: dt.date | None) -> None:
    """A filing history into a new ledger, then what it adds up to and what does not reconcile."""
    from ledger.intake.loader import read_ids  # noqa: PLC0415
    from ledger.intake.replay import run_replay  # noqa: PLC0415
    from ledger.outputs.render import terminal  # noqa: PLC0415

    ids = read_ids(ids_file) if ids_file else None
    findings = run_replay(ctx.obj, folder, fresh=fresh, console=terminal(), dates=list(dates) or None,
                          filings=filings, ids=ids, filed=filed)
    click.echo(f"replay: {findings} findings; see `ledger --db {redact(ctx.obj)} reconcile` for the rows")


@cli.command()
@click.option("--issuer")
@click.option("--metadata", metavar="FILE", help="Also write Datasette metadata with canned queries to FILE.")
@click.option("--force", is_flag=True, help="Overwrite an existing metadata file.")
@click.pass_context
@user_errors
def readmodels(ctx: click.Context, issuer: str | None, metadata: str | None, force: bool) -> None:
    """Bring the read models up to the log, and rebuild the SQL tables of holdings, cap table, voting and ownership."""
    from ledger.history.queries import history_at, make_query  # noqa: PLC0415
    from ledger.history.readmodel import ReadModel  # noqa: PLC0415
    from ledger.history.sqlviews import build  # noqa: PLC0415

    with open_store(ctx, write=True) as store:
        query = make_query(store, issuer, None, None)
        model = ReadModel(store)
        try:
            model.catch_up(query.issuer)  # a writer: the read models follow the log to its end
            counts = build(model.db, query.issuer, history_at(store, query))
        finally:
            model.close()
    click.echo(", ".join(f"{table}: {n} rows" for table, n in counts.items()))
    if metadata is not None:
        import json  # noqa: PLC0415
        from pathlib import Path  # noqa: PLC0415

        from ledger.common.paths import output_path, write_file  # noqa: PLC0415
        from ledger.history.sqlviews import datasette_metadata  # noqa: PLC0415

        text = json.dumps(datasette_metadata(Path(str(ctx.find_root().obj)).stem), indent=2) + "\n"
        write_file(output_path(metadata, force=force), text.encode("utf-8"), label=metadata)
        click.echo(f"wrote {metadata}: Datasette metadata with {len(datasette_metadata('x')['databases']['x']['queries'])} canned queries")


@cli.command()
@click.argument("file", required=False)
@click.option("--sources", "sources", metavar="FOLDER",
              help="Also check every quote word for word in the documents the event files in FOLDER name.")
@click.pass_context
@user_errors
def verify(ctx: click.Context, file: str | None, sources: str | None) -> None:
    """Recompute the hash chain and rebuild every projection; exit 1 on any mismatch."""
    from ledger.checks.integrity import verify_export, verify_store  # noqa: PLC0415

    if file is not None:
        if sources is not None:
            raise UsageError("--sources checks a ledger's quotes: give it without FILE")
        report = verify_export(file)
    else:
        with open_store(ctx) as store:
            report = verify_store(store)
            if sources is not None:
                from ledger.checks.sources import verify_sources  # noqa: PLC0415

                checked = verify_sources(store, sources)
                report.lines += checked.lines
                report.problems += checked.problems
    for line in report.lines:
        click.echo(line)
    if not report.ok:
        click.echo(f"verify: {len(report.problems)} problem(s)", err=True)
        for problem in report.problems:
            click.echo(f"  {problem}", err=True)
        sys.exit(1)


@cli.group()
def export() -> None:
    """Audit exports."""


def _register_exports() -> None:
    from ledger.cli.export import register  # noqa: PLC0415  (the export commands live with the exports)

    register(export)


_register_exports()


@cli.command()
@click.argument("filing")
@click.option("--out", "out", required=True, help="Draft event file to write ('-' for standard output).")
@click.option("--force", is_flag=True, help="Overwrite an existing file.")
@click.option("--ids", "ids_file", type=click.Path(),
              help="YAML mapping a CIK, a name or a class title to the ledger's id for it.")
@click.option("--filed", type=click.DateTime(formats=["%Y-%m-%d"]),
              help="The date the document became public, when it carries no SEC header.")
@user_errors
def extract(filing: str, out: str, force: bool, ids_file: str | None, filed: dt.datetime | None) -> None:
    """Draft events from a filing: Forms 3/4/5 XML, Schedules 13D/13G (XML, HTML, text), EDGAR submissions."""
    from pathlib import Path  # noqa: PLC0415

    from ledger.common.paths import output_path, write_file  # noqa: PLC0415
    from ledger.intake.extract.ids import Ids  # noqa: PLC0415
    from ledger.errors import NotAFiling  # noqa: PLC0415
    from ledger.intake.extract.recognise import extract_document  # noqa: PLC0415
    from ledger.intake.filings import read_filing  # noqa: PLC0415
    from ledger.intake.loader import read_ids  # noqa: PLC0415

    source = Path(filing)
    if not source.exists():  # anything else (a folder, a FIFO) read_filing refuses by name
        raise UsageError(f"{filing}: no such file")
    ids = Ids(read_ids(ids_file)) if ids_file else Ids()
    text = read_filing(source)
    try:
        draft = extract_document(text, source.name, ids=ids, filed=filed.date() if filed else None)
    except NotAFiling as exc:
        raise UsageError(f"{filing}: {exc}") from None
    text = draft.to_yaml()
    if out == "-":
        click.echo(text, nl=False)
        return
    write_file(output_path(out, force=force), text.encode("utf-8"), label=out)
    click.echo(f"wrote {len(draft.events)} draft events to {out}; {len(draft.unread)} figures could not be read")


@cli.command()
def schema() -> None:
    """The JSON Schema of the event-file format, generated from the models."""
    import json  # noqa: PLC0415

    from events import event_file_schema  # noqa: PLC0415

    click.echo(json.dumps(event_file_schema(), indent=2))


LEDGERLESS = {"extract", "schema"}  # commands that never open a ledger


def _db_after_command(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
    """`ledger holdings --db x.db` means what `ledger --db x.db holdings` does."""
    if value is not None:
        while ctx is not None:
            ctx.obj = value
            ctx = ctx.parent


def _accept_db_everywhere(group: click.Group) -> None:
    for name, command in group.commands.items():
        if name in LEDGERLESS:
            continue
        command.params.append(click.Option(
            ["--db"], expose_value=False, is_eager=True, callback=_db_after_command,
            help="The ledger, as for `ledger --db` (given here, it wins)."))
        if isinstance(command, click.Group):
            _accept_db_everywhere(command)


_accept_db_everywhere(cli)


def main() -> None:
    cli(prog_name="ledger")
