"""A progress bar for long module work (install, upgrade, uninstall), shown on a terminal only.

:class:`loom.kernel.installer.ModuleManager` calls ``progress(action, module)`` before each step;
the bar names the step and counts them. When stderr is not a terminal (pipes, tests, CI) nothing
is drawn, so output and ``--json`` stay clean.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

Progress = Callable[[str, str], None]


def showing() -> bool:
    """Whether to draw progress: only when stderr is a terminal."""
    return sys.stderr.isatty()


@contextmanager
def module_steps(title: str, dry_plan: Callable[[], Any], per_module: int, *,
                 active: bool = True) -> Iterator[Progress | None]:
    """A ``progress`` callback drawing a bar on stderr: ``per_module`` steps per module of ``dry_plan()``.

    None (nothing drawn) off a terminal or when not ``active`` (a dry run). ``dry_plan`` is called
    only when the bar is drawn.
    """
    if not (active and showing()):
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, SpinnerColumn, TextColumn, TimeElapsedColumn
    from rich.progress import Progress as Bar

    total = max(per_module * len(dry_plan().modules), 1)
    columns = (SpinnerColumn(), TextColumn("{task.description:<32}"), BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn())
    with Bar(*columns, console=Console(stderr=True, force_terminal=True), transient=True) as bar:
        task = bar.add_task(title, total=total)
        done = -1

        def step(action: str, module: str) -> None:
            nonlocal done
            done += 1
            bar.update(task, completed=done, description=f"{action} {module}", refresh=True)

        yield step
        bar.update(task, completed=total)
