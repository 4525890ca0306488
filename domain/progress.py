"""Progress rules: completing a module, how long it took, what is left and what comes next."""

from __future__ import annotations

import math
from collections.abc import Collection, Iterable, Sequence
from datetime import datetime

from .models import ExerciseMark, ModuleProgress, ProgressStatus


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


def minutes_left(minutes: int, steps: int, status: ProgressStatus, step_index: int = 0) -> int:
    """About how long a module still takes: all of it before it starts, nothing once done, and
    in between the share of its steps not reached yet (rounded up)."""
    if status == ProgressStatus.DONE or steps <= 0:
        return 0
    if status == ProgressStatus.NOT_STARTED:
        return minutes
    remaining = max(0, steps - min(step_index, steps))
    return math.ceil(minutes * remaining / steps)


def next_module(order: Sequence[str], current: str | None, done: Collection[str]) -> str | None:
    """The module to suggest after `current`: the first one not done that follows it in the
    menu's order, wrapping around; None when every other module is done."""
    start = order.index(current) + 1 if current in order else 0
    for module_id in [*order[start:], *order[:start]]:
        if module_id != current and module_id not in done:
            return module_id
    return None


def mark_exercise(progress: ModuleProgress, index: int, mark: ExerciseMark) -> bool:
    """Record an exercise as done or skipped; done is final (a later skip keeps it done).
    Returns whether anything changed."""
    if progress.exercises.get(index) == mark or progress.exercises.get(index) == ExerciseMark.DONE:
        return False
    progress.exercises[index] = mark
    return True


def skip_open_exercises(progress: ModuleProgress, exercise_steps: Iterable[int]) -> bool:
    """Mark every exercise of `exercise_steps` not done yet as skipped (moving past them)."""
    changed = False
    for index in exercise_steps:
        if index not in progress.exercises:
            changed = mark_exercise(progress, index, ExerciseMark.SKIPPED) or changed
    return changed


def exercise_counts(progress: ModuleProgress | None, exercise_steps: Iterable[int]) -> tuple[int, int]:
    """(done, skipped) among the module's exercises; one not reached yet is neither."""
    marks = progress.exercises if progress else {}
    steps = list(exercise_steps)
    return (sum(1 for i in steps if marks.get(i) == ExerciseMark.DONE),
            sum(1 for i in steps if marks.get(i) == ExerciseMark.SKIPPED))
