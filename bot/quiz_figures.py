"""Two figures that show whether a quiz can be passed without understanding it:

- longest: share of single-choice questions whose right option is the uniquely longest one
  (by characters). Limit 30 %.
- first: share of questions whose first listed option is a right one. Limit 35 %.

Both per module and for the whole catalogue. English decides pass/fail (option order is the same
in every locale; lengths are reported per locale too).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from bot.content import Module, Question

LONGEST_LIMIT = 0.30
FIRST_LIMIT = 0.35


@dataclass(frozen=True)
class QuizFigures:
    single: int = 0  # single-choice questions
    longest: int = 0  # ... whose right option is the uniquely longest
    questions: int = 0
    first: int = 0  # questions whose first option is right

    def __add__(self, other: QuizFigures) -> QuizFigures:
        return QuizFigures(self.single + other.single, self.longest + other.longest,
                           self.questions + other.questions, self.first + other.first)

    @property
    def longest_share(self) -> float:
        return self.longest / self.single if self.single else 0.0

    @property
    def first_share(self) -> float:
        return self.first / self.questions if self.questions else 0.0

    def problems(self) -> list[str]:
        found = []
        if self.longest_share > LONGEST_LIMIT:
            found.append(f"the right option is the uniquely longest in {self.longest} of {self.single} "
                         f"single-choice questions ({self.longest_share:.0%}, limit {LONGEST_LIMIT:.0%})")
        if self.first_share > FIRST_LIMIT:
            found.append(f"the right option is listed first in {self.first} of {self.questions} "
                         f"questions ({self.first_share:.0%}, limit {FIRST_LIMIT:.0%})")
        return found

    def as_dict(self) -> dict[str, object]:
        return {"single": self.single, "longest": self.longest, "longest_share": round(self.longest_share, 3),
                "questions": self.questions, "first": self.first, "first_share": round(self.first_share, 3),
                "ok": not self.problems()}


def right_is_uniquely_longest(question: Question) -> bool:
    right = [len(o.text) for o in question.options if o.correct]
    wrong = [len(o.text) for o in question.options if not o.correct]
    return len(right) == 1 and right[0] > max(wrong, default=0)


def module_figures(module: Module) -> QuizFigures:
    questions = module.quiz.questions
    single = [q for q in questions if q.type == "single"]
    return QuizFigures(single=len(single), longest=sum(map(right_is_uniquely_longest, single)),
                       questions=len(questions), first=sum(q.options[0].correct for q in questions))


def total(modules: Iterable[Module]) -> QuizFigures:
    return sum((module_figures(m) for m in modules), QuizFigures())
