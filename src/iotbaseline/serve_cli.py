"""`iotbaseline serve`: the web dashboard over the results store (upload or name an image, the queue, products,
scans, findings, reports, comparisons, downloads)."""

import secrets
import sys
from pathlib import Path

import click

from iotbaseline.batch.isolation import ProcessLimits
from iotbaseline.cli_support import process_limits_options, user_errors, vulndb_option
from iotbaseline.errors import InputError
from iotbaseline.firmware.limits import MIB
from iotbaseline.store.database import DEFAULT_FILE, URL_VARIABLE

TOKEN_VARIABLE = "IOTBASELINE_TOKEN"  # noqa: S105 (the variable's name, not a token)
DEFAULT_DATA = "iotbaseline-data"


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True, help="Port to listen on.")
@click.option(
    "--db",
    "location",
    envvar=URL_VARIABLE,
    default=DEFAULT_FILE,
    show_default=True,
    help=f"Results database: a SQLite file or a SQLAlchemy URL (also ${URL_VARIABLE}).",
)
@click.option(
    "--data",
    type=click.Path(path_type=Path, file_okay=False),
    default=DEFAULT_DATA,
    show_default=True,
    help="Folder for uploads and each scan's reports and extraction.",
)
@click.option(
    "--token",
    envvar=TOKEN_VARIABLE,
    help=f"Access token asked of every client, local ones too (also ${TOKEN_VARIABLE}); at least 16 characters. "
    "Without it, local clients need none and, when listening beyond loopback, a token is made and printed.",
)
@click.option(
    "--allow-path",
    "allow_paths",
    multiple=True,
    type=click.Path(path_type=Path, file_okay=False, exists=True),
    help="Folder whose images may be scanned by path (repeatable); without it, only uploads.",
)
@click.option(
    "--max-upload-mb", type=click.IntRange(min=1), default=512, show_default=True, help="Largest upload, in MiB."
)
@click.option("--workers", type=click.IntRange(1, 64), default=1, show_default=True, help="Images scanned at once.")
@process_limits_options("Seconds the whole scan of one image may take.")
@vulndb_option
@click.option("--secure-cookies", is_flag=True, help="Mark cookies Secure: the dashboard is reached over HTTPS.")
def serve(
    host: str,
    port: int,
    location: str,
    data: Path,
    token: str | None,
    allow_paths: tuple[Path, ...],
    max_upload_mb: int,
    workers: int,
    process: ProcessLimits,
    vulndb: Path | None,
    secure_cookies: bool,
) -> None:
    """Serve the dashboard on http://HOST:PORT/.

    Clients on this machine need no token unless --token is given; any other client logs in with the token (or
    sends it as `Authorization: Bearer TOKEN`). Behind a reverse proxy on this machine every client looks local:
    give --token there. Scans run offline on worker processes, each image in a child with time and memory limits;
    results go to the database. Stop with Ctrl-C.
    """
    import uvicorn

    from iotbaseline.checks.base import CheckSettings
    from iotbaseline.store.sql_store import SqlResultStore
    from iotbaseline.vulndb.lookup import database_for_scan
    from iotbaseline.web.access import is_loopback_address
    from iotbaseline.web.app import create_app
    from iotbaseline.web.settings import MIN_TOKEN_CHARS, DashboardSettings
    from iotbaseline.web.workers import WorkerPool

    with user_errors():
        if token is not None and len(token) < MIN_TOKEN_CHARS:
            raise InputError(f"--token: at least {MIN_TOKEN_CHARS} characters, or it could be guessed")
        local_only = host == "localhost" or is_loopback_address(host)
        made_token = None if token is not None or local_only else secrets.token_urlsafe(24)
        if vulndb is not None:
            database_for_scan(vulndb).close()  # an unusable database is the user's error, before the server starts
        settings = DashboardSettings(
            data=_folder(data),
            token=token or made_token,
            token_for_loopback=token is not None,
            allow_paths=tuple(path.resolve(strict=True) for path in allow_paths),
            max_upload_bytes=max_upload_mb * MIB,
            workers=workers,
            process=process,
            checks=CheckSettings(vulnerability_db=vulndb.absolute() if vulndb else None),
            secure_cookies=secure_cookies,
        )
        store = SqlResultStore.open(location)
    pool = WorkerPool(workers)
    try:
        app = create_app(settings, store, pool)
        shown = f"[{host}]" if ":" in host else host
        click.echo(
            f"iotbaseline dashboard on http://{shown}:{port}/ (results: {store.location}; data: {settings.data})"
        )
        if made_token is not None:
            click.echo(f"clients other than this machine log in with the token: {made_token}")
        sys.stdout.flush()
        uvicorn.run(app, host=host, port=port, proxy_headers=False, server_header=False, log_level="warning")
    finally:
        pool.close()
        store.close()


def _folder(data: Path) -> Path:
    try:
        data.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise InputError(f"--data {data}: cannot create it ({error.strerror or error})") from None
    return data.resolve()


if __name__ == "__main__":  # `python -m iotbaseline.serve_cli`, until `iotbaseline serve` is registered
    serve(prog_name="iotbaseline serve")
