"""A module as plain text, the way a worker meets it in Teams: steps, exercises (with the help
behind "I'm stuck"), FAQ, and the quiz with the right answers marked. For `coach content preview`."""

from __future__ import annotations

from bot.content import Module
from bot.i18n import Texts

RIGHT, WRONG = "✓", "✗"


def _indent(text: str, prefix: str = "    ") -> str:
    return "\n".join(prefix + line if line else line for line in text.strip().splitlines())


def _steps(module: Module, t: Texts) -> list[str]:
    out = []
    total = len(module.steps)
    for number, step in enumerate(module.steps, 1):
        out += ["", f"## {t('step.position', module=module.title, step=number, total=total)}",
                f"### {step.title}", "", step.text.strip()]
        if step.image:
            out.append(f"[image: {step.image.alt}] {step.image.url}")
        if step.links:
            out += ["", f"{t('step.links')}:"] + [f"- {link.title}: {link.url}" for link in step.links]
        if step.exercise:
            exercise = step.exercise
            out += ["", f"**{t('step.exercise')}**", _indent(exercise.task),
                    f"    [{t('step.done')}]  [{t('step.stuck')}]",
                    "", f"    {t('step.stuck')} → {t('stuck.title')}", _indent(exercise.help, "      ")]
            if exercise.link:
                out.append(f"      {exercise.link.title}: {exercise.link.url}")
    return out


def _faq(module: Module, t: Texts) -> list[str]:
    out = ["", f"## {t('preview.faq')}"]
    for entry in module.faq:
        out += ["", f"Q: {entry.q}", f"A: {entry.a}"]
    return out


def _quiz(module: Module, t: Texts) -> list[str]:
    questions = module.quiz.questions
    out = ["", f"## {t('preview.quiz', pass_mark=module.quiz.pass_mark)}"]
    for number, question in enumerate(questions, 1):
        how = t("quiz.choose_one" if question.type == "single" else "quiz.choose_all")
        out += ["", f"{t('quiz.position', module=module.title, number=number, total=len(questions))}",
                f"{question.text} ({how})"]
        for option in question.options:
            mark = RIGHT if option.correct else WRONG
            out += [f"  {mark} {option.id}) {option.text}", f"        {option.explanation}"]
    return out


def preview(module: Module, t: Texts) -> str:
    lines = [f"# {module.title}", module.summary,
             t("preview.meta", minutes=module.minutes, steps=len(module.steps),
               questions=len(module.quiz.questions), reviewed=module.reviewed.isoformat() if module.reviewed else "-")]
    lines += _steps(module, t) + _faq(module, t) + _quiz(module, t)
    lines += ["", f"## {t('preview.sources')}"] + [f"- {s.title}: {s.url}" for s in module.sources]
    return "\n".join(lines) + "\n"
