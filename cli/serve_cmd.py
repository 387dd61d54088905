"""``loom serve``: the web shell and the JSON API over the command's database, served by gunicorn."""

from __future__ import annotations

import click

from loom.cli.context import database_url


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=5000, show_default=True, type=click.IntRange(1, 65535), help="Port to listen on.")
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64),
              help="Worker processes (about one per core).")
@click.pass_context
def serve(ctx: click.Context, host: str, port: int, workers: int) -> None:
    """Serve the web shell and the JSON API (gunicorn, the application preloaded).

    The session key comes from LOOM_SECRET_KEY or a key file beside the database, written with 32
    random bytes on the first run. LOOM_HTTPS=1 when a proxy serves it over HTTPS."""
    from loom.kernel.web.app import create_app
    from loom.kernel.web.secret import load_secret_key
    from loom.kernel.web.server import LoomServer

    url = database_url(ctx)
    app = create_app(url, config={"SECRET_KEY": load_secret_key(url, create=True)})
    shown = f"[{host}]" if ":" in host else host
    click.echo(f"Loom is serving {url} on http://{shown}:{port}/ with {workers} worker(s); Ctrl+C stops it.")
    LoomServer(app, host=host, port=port, workers=workers).run()
