"""The news catalogue: list events, check an events file, list the events that share a study's windows."""

import click

from dashboard.cli import (
    ISO_DATE,
    Group,
    cli,
    db_option,
    emit,
    events_option,
    out_option,
    reading_store,
    settings_from,
    window_options,
)
from dashboard.events.model import CATEGORIES, ORIGINS


@cli.group(cls=Group)
def events():
    """The news catalogue: list events, check an events file, find overlapping events."""


@events.command("list")
@db_option
@events_option
@click.option("--ticker", help="Only events that apply to this ticker.")
@click.option("--category", "categories", multiple=True, type=click.Choice(CATEGORIES),
              help="Only this category; repeatable.")
@click.option("--origin", "origins", multiple=True, type=click.Choice(ORIGINS),
              help="Only events from this origin; repeatable.")
@click.option("--since", type=ISO_DATE, help="Sessions from this date on.")
@click.option("--until", type=ISO_DATE, help="Sessions up to this date.")
@out_option
@click.pass_context
def events_list(ctx, db, event_files, ticker, categories, origins, since, until, out):
    """CSV of id,published,session,title,category,tickers,source sorted by session."""
    from dashboard.events.collect import collect_events
    from dashboard.events.model import LIST_COLUMNS, events_frame
    from dashboard.exports import to_csv_text
    from dashboard.params import Selection

    settings = settings_from(ctx, db, event_files)
    selection = Selection.parse(categories=list(categories) or None, origins=list(origins) or None,
                                ticker=ticker, since=since, until=until)
    found = [e for e in collect_events(settings, reading_store(settings)) if selection.matches(e)]
    emit(to_csv_text(events_frame(found)[LIST_COLUMNS]), out)


@events.command("check")
@db_option
@click.argument("file", type=click.Path(dir_okay=False))
@click.pass_context
def events_check(ctx, db, file):
    """Validate one events file and list every problem in it."""
    from pathlib import Path

    from dashboard.errors import StoreUnavailable
    from dashboard.events.collect import known_tickers
    from dashboard.events.files import curated_path, parse_file

    file = Path(file)
    settings = settings_from(ctx, db)
    try:
        known = known_tickers(settings, reading_store(settings))
    except StoreUnavailable:
        known = known_tickers(settings)
    parsed = parse_file(file, known)
    curated = {e.id for e in parse_file(curated_path(), origin="curated").events}
    problems = [str(p) for p in parsed.problems]
    if file.resolve() != curated_path().resolve():
        problems += [f"{file}: id {e.id}: duplicate id: also in {curated_path()}"
                     for e in parsed.events if e.id in curated]
    for problem in problems:
        click.echo(problem, err=True)
    if problems:
        click.echo(f"{file}: {len(problems)} problem(s)", err=True)
        ctx.exit(1)
    click.echo(f"{file}: {len(parsed.events)} events, no problems")


@events.command("overlaps")
@db_option
@click.option("--event", "event_id", required=True, help="Event id (see `minerdash events list`).")
@events_option
@click.option("--tickers", help="Comma-separated symbols (default: the event's, with data).")
@window_options
@out_option
@click.pass_context
def events_overlaps(ctx, db, event_id, event_files, tickers, estimation, gap, pre, post, out):
    """Other events in each ticker's event or estimation window of an event study, as CSV:
    event_id,ticker,other_id,other_session,day,window,category,title (by ticker then day)."""
    import pandas as pd

    from dashboard.events.collect import collect_events, find_event
    from dashboard.events.confounders import overlaps
    from dashboard.exports import to_csv_text
    from dashboard.params import StudyParams
    from dashboard.studies import event_tickers

    settings = settings_from(ctx, db, event_files)
    params = StudyParams.parse(tickers, estimation=estimation, gap=gap, pre=pre, post=post)
    store = reading_store(settings)
    catalogue = collect_events(settings, store)
    event = find_event(catalogue, event_id)
    stored = store.stored_tickers()
    chosen = list(params.tickers) or event_tickers(event, settings.tickers, stored)
    prices = store.read_prices([t for t in chosen if t in stored])
    dates = {t: pd.DatetimeIndex(g["date"]) for t, g in prices.groupby("ticker")}
    emit(to_csv_text(overlaps(event, catalogue, dates, params.windows)), out)


