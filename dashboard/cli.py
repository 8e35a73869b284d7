"""The ``minerdash`` command: the same work as the pages, headless.

Every command takes ``--db URL`` (also accepted before the command name). Expected failures
print one line on stderr naming the problem and exit non-zero; nothing prints a traceback.
"""

import sys
from datetime import UTC, date, datetime
from pathlib import Path

import click

from dashboard.config import Settings
from dashboard.errors import InputError, MinerdashError
from dashboard.symbols import parse_symbols


class _Group(click.Group):
    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except MinerdashError as exc:
            raise click.ClickException(str(exc)) from None


class IsoDate(click.ParamType):
    name = "YYYY-MM-DD"

    def convert(self, value, param, ctx):
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(value)
        except ValueError:
            self.fail(f"{value!r} is not a date in YYYY-MM-DD form", param, ctx)


ISO_DATE = IsoDate()


def db_option(command):
    return click.option("--db", "db", metavar="URL", help="Database URL (default: see README).")(
        command
    )


def events_option(command):
    return click.option(
        "--events",
        "event_files",
        multiple=True,
        type=click.Path(dir_okay=False, path_type=Path),
        help="An extra events file (YAML or CSV); repeatable.",
    )(command)


def settings_from(ctx: click.Context, db: str | None = None, event_files=()) -> Settings:
    return Settings.from_env(db or ctx.find_root().params.get("db"), event_files=event_files)


def open_store(settings: Settings):
    from dashboard.store import Store

    store = Store(settings.database_url)
    store.ensure_schema()
    return store


def emit(text: str, out: Path | None) -> None:
    if out is None:
        click.echo(text, nl=False)
    else:
        out.write_text(text, encoding="utf-8")
        click.echo(f"wrote {out}", err=True)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@db_option
@click.version_option(package_name="minerdash")
def cli(db):
    """minerdash: bitcoin-miner equities, the news that moved them, and how they reacted."""


@cli.command()
@db_option
@click.option("--tickers", help="Comma-separated symbols (default: the universe and its benchmark).")
@click.option("--start", type=ISO_DATE, help="First date (default: incremental from the store).")
@click.option("--end", type=ISO_DATE, help="Last date, inclusive (default: today).")
@click.option("--source-dir", type=click.Path(file_okay=False, exists=True, path_type=Path),
              help="Read <DIR>/<TICKER>.csv instead of Yahoo (offline use).")
@click.pass_context
def fetch(ctx, db, tickers, start, end, source_dir):
    """Download daily prices and upsert them into the store."""
    from dashboard.refresh import refresh

    settings = settings_from(ctx, db)
    symbols = parse_symbols(tickers) or list(dict.fromkeys([*settings.tickers, settings.benchmark]))
    if start and end and start > end:
        raise InputError(f"--start {start} is after --end {end}")
    report = refresh(
        open_store(settings),
        _source(source_dir),
        symbols,
        start=start,
        end=end,
        progress=lambda message: click.echo(message, err=True),
    )
    for symbol in symbols:
        if symbol in report.rows_added:
            click.echo(f"{symbol}\t{report.rows_added[symbol]} rows added")
    for symbol, reason in report.errors.items():
        click.echo(f"Error: {symbol}: {reason}", err=True)
    if report.errors:
        ctx.exit(1)


def _source(source_dir: Path | None):
    if source_dir is not None:
        from dashboard.sources.csv_file import CsvDirectorySource

        return CsvDirectorySource(source_dir)
    from dashboard.sources.yahoo import YahooSource

    return YahooSource()


@cli.command("import-csv")
@db_option
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--ticker", help="Symbol for the file (default: the file name's stem).")
@click.pass_context
def import_csv(ctx, db, files, ticker):
    """Import price files in Yahoo's export format (Date,Open,High,Low,Close,Adj Close,Volume)."""
    from dashboard.sources.csv_file import read_price_csv

    if ticker and len(files) > 1:
        raise InputError("--ticker applies to one file; give one file or name the files by ticker")
    store = open_store(settings_from(ctx, db))
    failed = 0
    for path in files:
        try:
            parsed = read_price_csv(path, ticker)
        except InputError as exc:
            failed += 1
            click.echo(f"Error: {exc}", err=True)
            continue
        for warning in parsed.warnings:
            click.echo(f"Warning: {warning}", err=True)
        added = store.write_bars(parsed.ticker, parsed.bars, f"csv:{path.name}")
        click.echo(f"{parsed.ticker}\t{added} rows added\t({len(parsed.bars)} read from {path})")
    if failed:
        ctx.exit(1)


@cli.group(cls=_Group)
def export():
    """Write CSV exports."""


@export.command("prices")
@db_option
@click.option("--tickers", help="Comma-separated symbols (default: every stored ticker).")
@click.option("--start", type=ISO_DATE, help="First date, inclusive.")
@click.option("--end", type=ISO_DATE, help="Last date, inclusive.")
@click.option("--format", "fmt", type=click.Choice(["long", "wide"]), default="long",
              show_default=True)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="File (default: stdout).")
@click.pass_context
def export_prices(ctx, db, tickers, start, end, fmt, out):
    """Stored prices as CSV: long (date,ticker,open,...,volume) or wide (adj_close per ticker)."""
    from dashboard.csv_export import to_csv_text
    from dashboard.exports import prices_long, prices_wide

    store = open_store(settings_from(ctx, db))
    symbols = parse_symbols(tickers) or store.stored_tickers()
    _require_stored(store, symbols)
    if start and end and start > end:
        raise InputError(f"--start {start} is after --end {end}")
    bars = store.read_prices(symbols, start, end)
    frame = prices_long(bars) if fmt == "long" else prices_wide(bars, symbols)
    emit(to_csv_text(frame), out)


def _require_stored(store, symbols):
    stored = set(store.stored_tickers())
    missing = [s for s in symbols if s not in stored]
    if missing:
        raise InputError(
            f"no stored prices for {', '.join(missing)}: load them with "
            f"`minerdash fetch --tickers {','.join(missing)}` or `minerdash import-csv FILE`"
        )


@cli.command()
@db_option
@click.option("--format", "fmt", type=click.Choice(["table", "csv"]), default="table",
              show_default=True)
@click.pass_context
def status(ctx, db, fmt):
    """Per ticker: first/last date, rows, source, fetched_at (UTC) and the last error."""
    from dashboard.csv_export import to_csv_text
    from dashboard.store import STATUS_COLUMNS

    frame = open_store(settings_from(ctx, db)).status()[STATUS_COLUMNS]
    if fmt == "csv":
        click.echo(to_csv_text(frame), nl=False)
        return
    if frame.empty:
        click.echo("The store is empty: load prices with `minerdash fetch` or `minerdash import-csv`.")
        return
    click.echo(frame.fillna("").to_string(index=False))


@cli.group(cls=_Group)
def events():
    """The news catalogue: list events, check an events file."""


@events.command("list")
@db_option
@events_option
@click.option("--ticker", help="Only events that apply to this ticker.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="File (default: stdout).")
@click.pass_context
def events_list(ctx, db, event_files, ticker, out):
    """CSV of id,published,session,title,category,tickers,source sorted by session."""
    from dashboard.csv_export import to_csv_text
    from dashboard.events.catalogue import LIST_COLUMNS, events_frame
    from dashboard.events.collect import collect_events
    from dashboard.symbols import normalize_symbol

    settings = settings_from(ctx, db, event_files)
    found = collect_events(settings, open_store(settings))
    if ticker:
        symbol = normalize_symbol(ticker)
        found = [e for e in found if e.applies_to(symbol)]
    emit(to_csv_text(events_frame(found)[LIST_COLUMNS]), out)


@events.command("check")
@db_option
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.pass_context
def events_check(ctx, db, file):
    """Validate one events file and list every problem in it."""
    from dashboard.events.catalogue import curated_path, parse_file
    from dashboard.events.collect import known_tickers

    settings = settings_from(ctx, db)
    parsed = parse_file(file, known_tickers(settings, open_store(settings)))
    curated = {e.id: e for e in parse_file(curated_path()).events}
    problems = [str(p) for p in parsed.problems]
    if file.resolve() != curated_path().resolve():
        problems += [
            f"{file}: id {e.id}: duplicate id: also in {curated_path()}"
            for e in parsed.events
            if e.id in curated
        ]
    for problem in problems:
        click.echo(problem, err=True)
    if problems:
        click.echo(f"{file}: {len(problems)} problem(s)", err=True)
        ctx.exit(1)
    click.echo(f"{file}: {len(parsed.events)} events, no problems")


@export.command("event-study")
@db_option
@events_option
@click.option("--event", "event_id", required=True, help="Event id (see `minerdash events list`).")
@click.option("--tickers", help="Comma-separated symbols (default: the event's, with data).")
@click.option("--benchmark", default=None, help="Benchmark symbol (default: BTC-USD).")
@click.option("--estimation", default=120, show_default=True, type=int)
@click.option("--gap", default=10, show_default=True, type=int)
@click.option("--pre", default=1, show_default=True, type=int)
@click.option("--post", default=5, show_default=True, type=int)
@click.option("--summary", is_flag=True, help="One row per ticker and EW instead of per day.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="File (default: stdout).")
@click.pass_context
def export_event_study(ctx, db, event_files, event_id, tickers, benchmark, estimation, gap, pre,
                       post, summary, out):
    """Market-model abnormal returns around an event, per ticker and for the EW portfolio."""
    from dashboard.analytics.event_study import Windows
    from dashboard.csv_export import to_csv_text
    from dashboard.events.collect import collect_events, find_event
    from dashboard.reactions import study_event
    from dashboard.symbols import normalize_symbol

    settings = settings_from(ctx, db, event_files)
    windows = Windows(estimation=estimation, gap=gap, pre=pre, post=post).validate()
    store = open_store(settings)
    event = find_event(collect_events(settings, store), event_id)
    result = study_event(
        store,
        event,
        normalize_symbol(benchmark or settings.benchmark),
        windows,
        tickers=parse_symbols(tickers) or None,
        universe=settings.tickers,
    )
    for reason in result.errors.values():
        click.echo(f"Error: {reason}", err=True)
    if result.summary.empty:
        raise MinerdashError(f"no ticker could be studied for event {event.id}")
    emit(to_csv_text(result.summary if summary else result.daily), out)


@cli.command()
@db_option
@events_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", default=8050, show_default=True, type=click.IntRange(1, 65535))
@click.pass_context
def serve(ctx, db, event_files, host, port):
    """Run the dashboard (development server; use the Procfile's gunicorn line when hosted)."""
    from dashboard.app import create_app

    settings = settings_from(ctx, db, event_files)
    app = create_app(settings)
    click.echo(f"minerdash on http://{host}:{port}/ over {open_store(settings)!r}", err=True)
    app.run(host=host, port=port, debug=False)


@cli.command("refresh")
@db_option
@click.option("--tickers", help="Comma-separated symbols (default: MINERDASH_TICKERS and the benchmark).")
@click.option("--every", default=None, metavar="INTERVAL",
              help="Keep running: refresh every INTERVAL (e.g. 1h) and after each US close.")
@click.option("--source-dir", type=click.Path(file_okay=False, exists=True, path_type=Path),
              help="Read <DIR>/<TICKER>.csv instead of Yahoo (offline use).")
@click.pass_context
def refresh_command(ctx, db, tickers, every, source_dir):
    """The single writer: fetch the universe incrementally, once or on a schedule."""
    from dashboard.worker import parse_interval, refresh_locked, run_forever

    settings = settings_from(ctx, db)
    symbols = parse_symbols(tickers) or list(dict.fromkeys([*settings.tickers, settings.benchmark]))
    store = open_store(settings)

    def progress(message):
        click.echo(f"{datetime.now(UTC):%Y-%m-%d %H:%M:%S} {message}", err=True)

    if every:
        run_forever(store, _source(source_dir), symbols, parse_interval(every), progress)
        return
    report = refresh_locked(store, _source(source_dir), symbols, progress=progress)
    if report is None:
        return
    for symbol, added in report.rows_added.items():
        click.echo(f"{symbol}\t{added} rows added")
    for symbol, reason in report.errors.items():
        click.echo(f"Error: {symbol}: {reason}", err=True)
    if report.errors:
        ctx.exit(1)


@cli.command("init-db")
@db_option
@click.pass_context
def init_db(ctx, db):
    """Create or migrate the store's schema (the Procfile's release step)."""
    store = open_store(settings_from(ctx, db))
    click.echo(f"schema version {store.schema_version()} ready in {store!r}")


def main() -> None:
    cli(prog_name="minerdash")


if __name__ == "__main__":
    sys.exit(main())
