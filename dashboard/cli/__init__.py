"""The ``minerdash`` command: the same work as the pages, headless.

Every command takes ``--db URL`` (also accepted before the command name). Expected failures print
one line on stderr naming the problem and exit non-zero; nothing prints a traceback. Commands that
write hold the single-writer lock.
"""

from contextlib import contextmanager
from datetime import date
from pathlib import Path

import click
import sqlalchemy as sa

from dashboard.config import Settings
from dashboard.errors import InputError, MinerdashError, StoreUnavailable


class Group(click.Group):
    """Turns our errors (and any store failure) into one line on stderr and exit code 1."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except MinerdashError as exc:
            raise click.ClickException(str(exc)) from None
        except sa.exc.SQLAlchemyError as exc:
            first = str(getattr(exc, "orig", exc)).strip().splitlines()[0]
            raise click.ClickException(f"the store failed: {first}") from None


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
    return click.option("--db", "db", metavar="URL", help="Database URL (default: see README).")(command)


def events_option(command):
    return click.option("--events", "event_files", multiple=True,
                        type=click.Path(dir_okay=False, path_type=Path),
                        help="An extra events file (YAML or CSV); repeatable.")(command)


def window_options(command):
    """--estimation/--gap/--pre/--post, with the study's defaults (one home: ``Windows``)."""
    from dashboard.analytics.event_study import Windows

    defaults = Windows()
    for name, help_text in reversed([("estimation", "Estimation window, sessions."),
                                     ("gap", "Sessions between the estimation and event windows."),
                                     ("pre", "Sessions before day 0."), ("post", "Sessions after day 0.")]):
        command = click.option(f"--{name}", default=getattr(defaults, name), show_default=True, type=int,
                               help=help_text)(command)
    return command


def out_option(command):
    return click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
                        help="File (default: stdout).")(command)


def settings_from(ctx: click.Context, db: str | None = None, event_files=()) -> Settings:
    return Settings.from_env(db or ctx.find_root().params.get("db"), event_files=event_files)


def reading_store(settings: Settings):
    """The store for reading: read-only when its SQLite folder cannot be written (said once)."""
    from dashboard.store import Store
    from dashboard.store_engine import folder_writable

    url = settings.database_url
    if url.startswith("sqlite"):
        path = Path(sa.engine.make_url(url).database or "")
        if path.exists() and not folder_writable(path.parent):
            click.echo(f"note: {path.parent} is read-only: the store is opened read-only", err=True)
            return Store(url, read_only=True)
    return Store(url)


@contextmanager
def writing_store(settings: Settings, wait: bool = True):
    """The store, with its schema ready, under the single-writer lock; None if skipped."""
    from dashboard.store import Store
    from dashboard.store_engine import folder_writable
    from dashboard.writer import writer_lock

    store = Store(settings.database_url)
    url = settings.database_url
    if url.startswith("sqlite"):
        folder = Path(sa.engine.make_url(url).database or ".").parent
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreUnavailable(f"cannot create the store's folder {folder}: {exc.strerror}; set "
                                   "MINERDASH_DATABASE_URL or --db to a writable place") from None
        if not folder_writable(folder):
            raise StoreUnavailable(f"the store's folder {folder} is read-only; set MINERDASH_DATABASE_URL "
                                   "or --db to a writable place")
    try:
        with writer_lock(store, wait=wait) as acquired:
            if not acquired:
                click.echo("another writer holds the store; skipped", err=True)
                yield None
                return
            store.create_or_migrate()
            yield store
    finally:
        store.dispose()  # closes the connections: SQLite folds its write-ahead log into the file


def emit(text: str, out: Path | None) -> None:
    if out is None:
        click.echo(text, nl=False)
        return
    if not out.parent.is_dir():
        raise InputError(f"--out: the folder {out.parent} does not exist")
    try:
        out.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise InputError(f"--out: cannot write {out}: {exc.strerror}") from None
    click.echo(f"wrote {out}", err=True)


def progress(message: str) -> None:
    click.echo(message, err=True)


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"]})
@db_option
@click.version_option(package_name="minerdash")
def cli(db):
    """minerdash: bitcoin-miner equities, the news that moved them, and how they reacted."""


def main() -> None:
    cli(prog_name="minerdash")


from dashboard.cli import events, exports, prices, server  # noqa: E402,F401  (register the commands)
