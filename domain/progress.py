"""Progress rules: completing a module and how long it took."""

from __future__ import annotations

import math
from datetime import datetime

from .models import ModuleProgress, ProgressStatus


def minutes_to_complete(started_at: datetime, completed_at: datetime) -> int:
    """Whole minutes, rounded up; at least one."""
    return max(1, math.ceil((completed_at - started_at).total_seconds() / 60))


def complete(progress: ModuleProgress, now: datetime) -> tuple[bool, bool]:
    """Mark the module done. Returns (changed, first_time). A later visit starts from the top,
    as a review; the first completion's date and duration are kept."""
    first_time = progress.status != ProgressStatus.DONE
    changed = progress.step_index != 0
    progress.step_index = 0
    if first_time:
        progress.status = ProgressStatus.DONE
        progress.completed_at = now
        progress.minutes_to_complete = minutes_to_complete(progress.started_at, now)
        changed = True
    return changed, first_time
