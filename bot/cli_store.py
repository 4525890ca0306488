"""`coach store backup PATH` and `coach store restore PATH`: SQLite backups (Cosmos DB has
continuous backup of its own: docs/deploy.md)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, Callable

from bot.settings import Settings

COSMOS_HINT = ("the cosmos store is backed up by Azure Cosmos DB itself (continuous backup, "
               "point-in-time restore): see docs/deploy.md")


def _run(settings_factory: Callable[[], Settings], action: str, path: Path, force: bool) -> int:
    from bot.store.sqlite_backup import BackupError, backup, restore

    settings = settings_factory()
    if settings.store != "sqlite":
        print(f"coach: backup and restore work on the sqlite store only; {COSMOS_HINT}", file=sys.stderr)
        return 2
    database = settings.sqlite_path
    try:
        if action == "backup":
            info = backup(database, path, force=force)
            print(f"backed up {database} to {info.path}: schema version {info.version}, "
                  f"{info.workers} workers, {info.size_bytes:,} bytes")
        else:
            info = restore(path, database, force=force)
            print(f"restored {database} from {info.path}: schema version {info.version}, "
                  f"{info.workers} workers (migrated to the current schema when the bot opens it)")
    except BackupError as exc:
        print(f"coach: {exc}", file=sys.stderr)
        return 2
    return 0


COMMANDS = {
    "backup": ("SQLite: copy the database to PATH (safe while the bot is serving)",
               "Copy the SQLite database (SQLITE_PATH) to PATH with SQLite's online backup API: a "
               "consistent copy, taken while the bot keeps serving.",
               "the backup file to write", "replace PATH if it exists"),
    "restore": ("SQLite: replace the database with the backup in PATH (bot stopped)",
                "Check that PATH is an Adoption Coach database of a supported version, then copy it "
                "over the SQLite database (SQLITE_PATH). Stop the bot first.",
                "the backup file to restore", "replace an existing database"),
}


def add_backup_parsers(store_commands: Any, settings_factory: Callable[[], Settings]) -> None:
    """Register `backup` and `restore` under `coach store`."""
    for action, (summary, description, path_help, force_help) in COMMANDS.items():
        command = store_commands.add_parser(action, help=summary, description=description)
        command.add_argument("path", type=Path, metavar="PATH", help=path_help)
        command.add_argument("--force", action="store_true", help=force_help)
        command.set_defaults(func=lambda args, action=action: _run(settings_factory, action, args.path, args.force))
