"""``minerdash serve``: the dashboard on Werkzeug's server (the Procfile runs gunicorn instead)."""

import click

from dashboard.cli import cli, db_option, events_option, settings_from, writing_store


@cli.command()
@db_option
@events_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", default=8050, show_default=True, type=click.IntRange(1, 65535))
@click.pass_context
def serve(ctx, db, event_files, host, port):
    """Run the dashboard. An empty store first gets the bundled snapshot, so it shows real data."""
    from dashboard.app import create_app
    from dashboard.errors import StoreUnavailable
    from dashboard.http import SecureRequestHandler
    from dashboard.snapshot import is_empty, load_snapshot
    from dashboard.store import Store

    settings = settings_from(ctx, db, event_files)
    try:
        empty = is_empty(Store(settings.database_url, read_only=True))
    except StoreUnavailable:
        empty = True
    if empty:
        with writing_store(settings) as store:
            if store is not None and is_empty(store):
                loaded = load_snapshot(store)
                first = min(r.span[0] for r in loaded.values() if r.span)
                last = max(r.span[1] for r in loaded.values() if r.span)
                click.echo(f"the store was empty: loaded the bundled snapshot ({', '.join(loaded)}, "
                           f"{first:%Y-%m-%d} to {last:%Y-%m-%d}); run `minerdash fetch` for live prices",
                           err=True)
    app = create_app(settings)
    click.echo(f"minerdash on http://{host}:{port}/ over {app.server.extensions['minerdash'].store!r}", err=True)
    app.run(host=host, port=port, debug=False, request_handler=SecureRequestHandler)
