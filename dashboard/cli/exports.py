"""``minerdash export``: prices, statistics, single-event studies and cross-event CAAR as CSV."""

import click

from dashboard.analytics.event_study import MODELS
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
from dashboard.errors import InputError, MinerdashError
from dashboard.events.model import CATEGORIES, ORIGINS
from dashboard.params import UNITS
from dashboard.symbols import parse_symbols


def model_options(command):
    command = click.option("--factor", default=None,
                           help="The two-factor model's second factor (default: QQQ, MINERDASH_FACTOR).")(command)
    return click.option("--model", type=click.Choice(MODELS), default="market", show_default=True,
                        help="market: r = α + β·m; two-factor: r = α + β₁·m + β₂·f.")(command)


@cli.group(cls=Group)
def export():
    """Write CSV exports."""


def _require_stored(store, symbols):
    stored = set(store.stored_tickers())
    missing = [s for s in symbols if s not in stored]
    if missing:
        raise InputError(f"no stored prices for {', '.join(missing)}: load them with "
                         f"`minerdash fetch --tickers {','.join(missing)}` or `minerdash import-csv FILE`")


@export.command("prices")
@db_option
@click.option("--tickers", help="Comma-separated symbols (default: every stored ticker).")
@click.option("--start", type=ISO_DATE, help="First date, inclusive.")
@click.option("--end", type=ISO_DATE, help="Last date, inclusive.")
@click.option("--format", "fmt", type=click.Choice(["long", "wide"]), default="long", show_default=True)
@out_option
@click.pass_context
def export_prices(ctx, db, tickers, start, end, fmt, out):
    """Stored prices as CSV: long (date,ticker,open,...,volume) or wide (adj_close per ticker)."""
    from dashboard.exports import prices_long, prices_wide, to_csv_text

    store = reading_store(settings_from(ctx, db))
    symbols = parse_symbols(tickers) or store.stored_tickers()
    _require_stored(store, symbols)
    if start and end and start > end:
        raise InputError(f"--start {start} is after --end {end}")
    bars = store.read_prices(symbols, start, end)
    emit(to_csv_text(prices_long(bars) if fmt == "long" else prices_wide(bars, symbols)), out)


@export.command("stats")
@db_option
@click.option("--tickers", help="Comma-separated symbols (default: the universe and its benchmark).")
@click.option("--start", type=ISO_DATE, help="Start of the range (max drawdown); default: a year before --end.")
@click.option("--end", type=ISO_DATE, help="As of this date (default: each ticker's last stored date).")
@out_option
@click.pass_context
def export_stats(ctx, db, tickers, start, end, out):
    """The statistics table: ticker,as_of,last_close,ret_1d,ret_1w,ret_1m,ret_ytd,ret_1y,vol_30d,
    max_drawdown,beta_90d,corr_90d,benchmark (fractions, full precision; empty where undefined)."""
    from dashboard.analytics.statistics import calc_stats_table
    from dashboard.exports import to_csv_text
    from dashboard.params import range_start

    settings = settings_from(ctx, db)
    store = reading_store(settings)
    symbols = parse_symbols(tickers) or list(settings.universe)
    _require_stored(store, symbols)
    if start and end and start > end:
        raise InputError(f"--start {start} is after --end {end}")
    prices = store.read_prices(list(dict.fromkeys([*symbols, settings.benchmark])))
    last = end or prices["date"].max().date()
    table = calc_stats_table(prices, settings.benchmark, start or range_start("1Y", last), end, order=symbols)
    emit(to_csv_text(table), out)


@export.command("event-study")
@db_option
@events_option
@click.option("--event", "event_id", required=True, help="Event id (see `minerdash events list`).")
@click.option("--tickers", help="Comma-separated symbols (default: the event's, with data).")
@click.option("--benchmark", default=None, help="Benchmark symbol (default: MINERDASH_BENCHMARK, BTC-USD).")
@model_options
@window_options
@click.option("--summary", is_flag=True, help="One row per ticker and EW instead of per day.")
@click.option("--with-params", is_flag=True, help="Append session,estimation,gap,pre,post to the summary.")
@out_option
@click.pass_context
def export_event_study(ctx, db, event_files, event_id, tickers, benchmark, model, factor, estimation, gap,
                       pre, post, summary, with_params, out):
    """Abnormal returns around an event, per ticker and for the EW portfolio."""
    from dashboard.events.collect import collect_events, find_event
    from dashboard.exports import study_summary, to_csv_text
    from dashboard.params import StudyParams
    from dashboard.studies import study_event

    settings = settings_from(ctx, db, event_files)
    params = StudyParams.parse(tickers, benchmark, model, factor, estimation, gap, pre, post)
    params = params.resolved(settings.benchmark, settings.factor)
    store = reading_store(settings)
    event = find_event(collect_events(settings, store), event_id)
    result = study_event(store.read_prices, store.stored_tickers(), event, params, settings.tickers)
    for reason in result.errors.values():
        click.echo(f"Error: {reason}", err=True)
    if result.summary.empty:
        raise MinerdashError(f"no ticker could be studied for event {event.id}")
    frame = study_summary(result.summary, event.session, params.windows, with_params) if summary else result.daily
    emit(to_csv_text(frame), out)


@export.command("caar")
@db_option
@events_option
@click.option("--event", "event_ids", multiple=True, help="An event id; repeatable (else select by filters).")
@click.option("--category", "categories", multiple=True, type=click.Choice(CATEGORIES), help="Repeatable.")
@click.option("--origin", "origins", multiple=True, type=click.Choice(ORIGINS), help="Repeatable.")
@click.option("--ticker", help="Only events that concern this ticker.")
@click.option("--since", type=ISO_DATE, help="Events from this session on.")
@click.option("--until", type=ISO_DATE, help="Events up to this session.")
@click.option("--tickers", help="Comma-separated symbols studied (default: the universe).")
@click.option("--benchmark", default=None, help="Benchmark symbol (default: BTC-USD).")
@model_options
@click.option("--unit", type=click.Choice(UNITS), default="pair", show_default=True,
              help="pair: each (event, ticker); event: each event's equal-weight portfolio.")
@click.option("--exclude-confounded", is_flag=True,
              help="Leave out pairs with another event of the same ticker in their event window.")
@window_options
@click.option("--summary", "shape", flag_value="summary", help="One row: the tests.")
@click.option("--units", "shape", flag_value="units", help="One row per unit considered.")
@out_option
@click.pass_context
def export_caar(ctx, db, event_files, event_ids, categories, origins, ticker, since, until, tickers,
                benchmark, model, factor, unit, exclude_confounded, estimation, gap, pre, post, shape, out):
    """Average abnormal returns across events: per day day,n,aar,caar (default), the tests
    (--summary) or every unit with why it was left out (--units)."""
    from dashboard.analytics.caar import PATH_COLUMNS
    from dashboard.events.collect import collect_events
    from dashboard.exports import to_csv_text
    from dashboard.params import CaarParams
    from dashboard.studies import cross_event_study

    settings = settings_from(ctx, db, event_files)
    params = CaarParams.parse(list(event_ids) or None, list(categories) or None, list(origins) or None,
                              ticker, since, until, unit, tickers=tickers, benchmark=benchmark, model=model,
                              factor=factor, estimation=estimation, gap=gap, pre=pre, post=post,
                              exclude="1" if exclude_confounded else None)
    store = reading_store(settings)
    result = cross_event_study(store.read_prices, store.stored_tickers(), collect_events(settings, store),
                               params, settings)
    frame = {"summary": result.summary, "units": result.units}.get(shape, result.path[PATH_COLUMNS])
    emit(to_csv_text(frame), out)
