"""Commands that fill and inspect the store: fetch, import-csv, load-snapshot, refresh, init-db,
status, check-data."""

from datetime import UTC, datetime
from pathlib import Path

import click

from dashboard.cli import (
    ISO_DATE,
    cli,
    db_option,
    emit,
    out_option,
    progress,
    reading_store,
    settings_from,
    writing_store,
)
from dashboard.errors import InputError
from dashboard.symbols import parse_symbols


def _source(source_dir: Path | None):
    if source_dir is not None:
        from dashboard.sources.csv_file import CsvDirectorySource

        return CsvDirectorySource(source_dir)
    from dashboard.sources.yahoo import YahooSource

    return YahooSource()


def report_flags(store, settings, written: dict) -> None:
    """One stderr line per data-quality flag on the dates just written (they inform, never block)."""
    from dashboard.quality import check_tickers, flags_in

    tickers = [t for t, w in written.items() if w.added or w.changed]
    if not tickers:
        return
    flags = check_tickers(store.read_prices, store.read_actions(tickers), store.read_partial_bars(),
                          tickers, settings.jump_limit)
    for row in flags.itertuples():
        span = written[row.ticker].span
        if span and not flags_in(flags.iloc[[row.Index]], *span).empty:
            click.echo(f"Flag: {row.ticker} {row.date:%Y-%m-%d} {row.check}: {row.detail}", err=True)


@cli.command()
@db_option
@click.option("--tickers", help="Comma-separated symbols (default: the universe and its benchmark).")
@click.option("--start", type=ISO_DATE, help="First date (default: incremental from the store).")
@click.option("--end", type=ISO_DATE, help="Last date, inclusive (default: today).")
@click.option("--source-dir", type=click.Path(file_okay=False, exists=True, path_type=Path),
              help="Read <DIR>/<TICKER>.csv instead of Yahoo (offline use).")
@click.option("--no-events", is_flag=True, help="Prices only: skip the company-event sources.")
@click.option("--events-only", is_flag=True, help="Only the company-event sources, no prices.")
@click.pass_context
def fetch(ctx, db, tickers, start, end, source_dir, no_events, events_only):
    """Download daily prices (and the companies' news) and upsert them into the store."""
    from dashboard.events.refresh import refresh_events
    from dashboard.refresh import refresh

    if no_events and events_only:
        raise InputError("--no-events and --events-only exclude each other")
    if start and end and start > end:
        raise InputError(f"--start {start} is after --end {end}")
    settings = settings_from(ctx, db)
    symbols = parse_symbols(tickers) or list(settings.universe)
    failed = False
    with writing_store(settings) as store:
        if not events_only:
            report = refresh(store, _source(source_dir), symbols, start=start, end=end, progress=progress)
            for symbol in symbols:
                if symbol in report.writes:
                    click.echo(report.writes[symbol].describe())
            if report.unreachable:
                click.echo(f"Error: {report.unreachable}", err=True)
            else:
                for symbol, reason in report.errors.items():
                    click.echo(f"Error: {symbol}: {reason}", err=True)
            report_flags(store, settings, report.writes)
            failed = bool(report.errors)
        if not no_events and source_dir is None:
            outcome = refresh_events(store, settings, [s for s in symbols if s != settings.benchmark],
                                     progress=progress)
            for line in outcome.lines():
                click.echo(line)
            for line in outcome.notes():
                click.echo(line, err=True)
            for line in outcome.failures():
                click.echo(f"Error: {line}", err=True)
            failed = failed or outcome.failed
    if failed:
        ctx.exit(1)


@cli.command("import-csv")
@db_option
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--ticker", help="Symbol for the file (default: the file name's stem).")
@click.option("--dry-run", is_flag=True, help="Say what would be added and changed; write nothing.")
@click.pass_context
def import_csv(ctx, db, files, ticker, dry_run):
    """Import price files: Yahoo's export format (Date,Open,High,Low,Close,Adj Close,Volume), or
    our own long export with a ticker column. A narrower file updates only the fields it has."""
    from dashboard.bars import partial_mask
    from dashboard.sources.csv_file import read_price_csv

    if ticker and len(files) > 1:
        raise InputError("--ticker applies to one file; give one file or name the files by ticker")
    settings = settings_from(ctx, db)
    failed = 0
    with writing_store(settings) as store:
        for path in files:
            try:
                parsed = read_price_csv(path, ticker, progress=progress)
            except InputError as exc:
                failed += 1
                click.echo(f"Error: {exc}", err=True)
                continue
            for warning in parsed.warnings[:20]:
                click.echo(f"Warning: {warning}", err=True)
            written = {}
            for symbol in list(parsed.frames):  # each ticker's bars are let go once written
                bars = parsed.frames.pop(symbol)
                bars = bars.assign(partial=partial_mask(bars, symbol))
                report = store.write_bars(symbol, bars, f"csv:{path.name}", fields=parsed.fields,
                                          dry_run=dry_run)
                written[symbol] = report
                click.echo(f"{report.describe()}\t({len(bars)} read from {path})")
            if not dry_run:
                report_flags(store, settings, written)
    if failed:
        ctx.exit(1)


@cli.command("load-snapshot")
@db_option
@click.pass_context
def load_snapshot_command(ctx, db):
    """Load the bundled demo snapshot (into a non-empty store: only the missing rows)."""
    from dashboard.snapshot import load_snapshot

    with writing_store(settings_from(ctx, db)) as store:
        for report in load_snapshot(store).values():
            click.echo(report.describe())


@cli.command("refresh")
@db_option
@click.option("--tickers", help="Comma-separated symbols (default: MINERDASH_TICKERS and the benchmark).")
@click.option("--every", default=None, metavar="INTERVAL",
              help="Keep running: refresh every INTERVAL (e.g. 1h) and after each US close.")
@click.option("--source-dir", type=click.Path(file_okay=False, exists=True, path_type=Path),
              help="Read <DIR>/<TICKER>.csv instead of Yahoo (offline use).")
@click.option("--no-events", is_flag=True, help="Prices only: skip the company-event sources.")
@click.pass_context
def refresh_command(ctx, db, tickers, every, source_dir, no_events):
    """The single writer: fetch the universe incrementally, once or on a schedule."""
    from dashboard.store import Store
    from dashboard.worker import parse_interval, refresh_locked, run_forever, warm_after_refresh

    settings = settings_from(ctx, db)
    symbols = parse_symbols(tickers) or list(settings.universe)
    interval = parse_interval(every) if every else None
    store = Store(settings.database_url)
    store.create_or_migrate()

    def stamped(message):
        click.echo(f"{datetime.now(UTC):%Y-%m-%d %H:%M:%S} {message}", err=True)

    events = None if no_events or source_dir is not None else settings
    if interval:
        run_forever(store, _source(source_dir), symbols, interval, stamped, events=events,
                    after=lambda: warm_after_refresh(settings, progress=stamped))
        return
    report = refresh_locked(store, _source(source_dir), symbols, progress=stamped, events=events)
    if report is None:
        return
    warm_after_refresh(settings, progress=stamped)
    for written in report.writes.values():
        click.echo(written.describe())
    for symbol, reason in report.errors.items():
        click.echo(f"Error: {symbol}: {reason}", err=True)
    if report.errors:
        ctx.exit(1)


@cli.command("init-db")
@db_option
@click.option("--no-snapshot", is_flag=True, help="Leave an empty store empty.")
@click.pass_context
def init_db(ctx, db, no_snapshot):
    """Create or migrate the store's schema, and load the demo snapshot into an empty store
    (the Procfile's release step)."""
    from dashboard.snapshot import is_empty, load_snapshot

    with writing_store(settings_from(ctx, db)) as store:
        click.echo(f"schema version {store.schema_version()} ready in {store!r}")
        if not no_snapshot and is_empty(store):
            loaded = load_snapshot(store)
            click.echo(f"the store was empty: loaded the bundled snapshot ({', '.join(loaded)}); run "
                       "`minerdash fetch` for live prices", err=True)


@cli.command()
@db_option
@click.option("--format", "fmt", type=click.Choice(["table", "csv"]), default="table", show_default=True)
@click.pass_context
def status(ctx, db, fmt):
    """Per ticker: first/last date, rows, source, fetched_at (UTC), last error, quality flags;
    then each company-event source's last success and error."""
    from dashboard.exports import to_csv_text
    from dashboard.quality import check_tickers
    from dashboard.store import STATUS_COLUMNS

    settings = settings_from(ctx, db)
    store = reading_store(settings)
    frame = store.status()[STATUS_COLUMNS].copy()
    stored = list(frame.loc[frame["rows"] > 0, "ticker"])
    flags = check_tickers(store.read_prices, store.read_actions(stored), store.read_partial_bars(), stored,
                          settings.jump_limit)
    counts = flags.groupby("ticker")["check"].agg(lambda c: ", ".join(
        f"{n} {k}" for k, n in c.value_counts().sort_index().items())) if not flags.empty else {}
    frame["quality"] = [counts.get(t, "") if t in stored else "" for t in frame["ticker"]]
    sources = store.event_source_status()
    if fmt == "csv":
        click.echo(to_csv_text(frame), nl=False)
        return
    if frame.empty:
        click.echo("The store is empty: load prices with `minerdash fetch`, `minerdash load-snapshot` "
                   "or `minerdash import-csv`.")
        return
    click.echo(frame.fillna("").to_string(index=False))
    if not sources.empty:
        click.echo("\nEvent sources:")
        click.echo(sources.fillna("").to_string(index=False))


@cli.command("check-data")
@db_option
@click.option("--tickers", help="Comma-separated symbols (default: every stored ticker).")
@out_option
@click.pass_context
def check_data(ctx, db, tickers, out):
    """Data-quality flags of stored series as CSV: ticker,date,check,detail."""
    from dashboard.exports import to_csv_text
    from dashboard.quality import check_tickers

    settings = settings_from(ctx, db)
    store = reading_store(settings)
    stored = store.stored_tickers()
    symbols = parse_symbols(tickers) or stored
    missing = [s for s in symbols if s not in stored]
    if missing:
        raise InputError(f"no stored prices for {', '.join(missing)}")
    flags = check_tickers(store.read_prices, store.read_actions(symbols), store.read_partial_bars(),
                          symbols, settings.jump_limit)
    emit(to_csv_text(flags.sort_values(["ticker", "date"], kind="stable")), out)
