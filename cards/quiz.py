"""Cards of the quiz: one question, the answered (read-only) question, the result."""

from __future__ import annotations

from bot.content import Module, Question
from domain.models import QuizAnswer, QuizAttempt
from domain.quiz import QuizResult, correct_options, option_order
from bot.i18n import Texts

from .actions import AnswerQuestion, OpenFeedback, ShowMenu, StartModule, StartQuiz
from .common import card, container, execute, heading, nonce, submit, text


def _position(t: Texts, module: Module, attempt: QuizAttempt, question: Question) -> dict:
    number = attempt.question_ids.index(question.id) + 1
    return text(t("quiz.position", module=module.title, number=number,
                  total=len(attempt.question_ids)), subtle=True)


def _options_in_order(question: Question, attempt: QuizAttempt) -> list:
    by_id = {option.id: option for option in question.options}
    return [by_id[option_id] for option_id in option_order(question, attempt.seed)]


def question_card(t: Texts, module: Module, attempt: QuizAttempt, question: Question,
                  *, problem: str | None = None) -> dict:
    """`problem`: why the last submission of this card was not taken, shown above the input."""
    n = nonce()
    multiple = question.type == "multiple"
    body = [
        _position(t, module, attempt, question),
        text(question.text, size="Medium", weight="Bolder"),
        text(t("quiz.choose_all" if multiple else "quiz.choose_one"), subtle=True, spacing="Small"),
    ]
    if problem:
        body.append(text(problem, color="Attention", weight="Bolder"))
    body.append({
        "type": "Input.ChoiceSet",
        "id": "choice",
        "style": "expanded",
        "isMultiSelect": multiple,
        "isRequired": True,
        "errorMessage": t("quiz.pick_answer"),
        "label": t("quiz.answer_label"),
        "choices": [{"title": option.text, "value": option.id}
                    for option in _options_in_order(question, attempt)],
    })
    answer = AnswerQuestion(attempt=attempt.id, question=question.id, n=n)
    return card(body, [execute(t("quiz.submit"), answer, style="positive")])


def _option_texts(question: Question, attempt: QuizAttempt, option_ids: list[str]) -> str:
    wanted = set(option_ids)
    return ", ".join(option.text for option in _options_in_order(question, attempt) if option.id in wanted)


def answered_card(t: Texts, module: Module, attempt: QuizAttempt, question: Question,
                  answer: QuizAnswer, *, note: str | None = None) -> dict:
    """The question as answered: no inputs, no buttons, so it cannot be answered again.
    `note`: said above the verdict, e.g. that this question was answered already."""
    right = correct_options(question)
    verdict = text(t("quiz.correct") if answer.correct else t("quiz.wrong"),
                   weight="Bolder", color="Good" if answer.correct else "Attention")
    feedback = [text(note, subtle=True)] if note else []
    feedback += [verdict, text(t("quiz.your_answer", answer=_option_texts(question, attempt, answer.chosen)))]
    if not answer.correct:
        feedback.append(text(t("quiz.right_answer", answer=_option_texts(question, attempt, right))))
    explained = [o for o in _options_in_order(question, attempt) if o.id in set(answer.chosen) | set(right)]
    feedback += [text(f"**{option.text}**: {option.explanation}", spacing="Small") for option in explained]
    return card([
        _position(t, module, attempt, question),
        text(question.text, size="Medium", weight="Bolder"),
        container(feedback, style="emphasis", spacing="Medium"),
    ])


def _module_actions(t: Texts, module: Module, n: str) -> list[dict]:
    return [
        submit(t("quiz.retake"), StartQuiz(module=module.id, n=n)),
        submit(t("quiz.back_to_module"), StartModule(module=module.id, n=n)),
        submit(t("common.menu"), ShowMenu(n=n)),
    ]


def result_card(t: Texts, module: Module, attempt: QuizAttempt, result: QuizResult) -> dict:
    n = nonce()
    pass_mark = module.quiz.pass_mark
    body = [
        heading(t("quiz.result.title", module=module.title)),
        text(t("quiz.result.score", right=result.right, total=result.total, score=_percent(result.score))),
        container([text(t("quiz.result.passed", pass_mark=pass_mark) if result.passed
                         else t("quiz.result.failed", pass_mark=pass_mark),
                         weight="Bolder", color="Good" if result.passed else "Attention")],
                  style="emphasis", spacing="Medium"),
    ]
    if result.missed:
        body.append(text(f"**{t('quiz.result.missed')}**", spacing="Medium"))
        for question_id in result.missed:
            question = module.question(question_id)
            if question is not None:
                body.append(text(f"- {question.text}\n\n  "
                                 + t("quiz.right_answer", answer=_option_texts(
                                     question, attempt, correct_options(question))), spacing="Small"))
    else:
        body.append(text(t("quiz.result.all_right")))
    actions = _module_actions(t, module, n)
    actions[0 if not result.passed else 1]["style"] = "positive"
    actions.insert(2, submit(t("common.feedback"), OpenFeedback(module=module.id, n=n)))
    return card(body, actions)


def finished_card(t: Texts, module: Module, score: float | None) -> dict:
    """An answer arrived for a quiz that is already submitted."""
    n = nonce()
    return card([text(t("quiz.already_submitted", module=module.title, score=_percent(score or 0.0)))],
                _module_actions(t, module, n))


def _percent(value: float) -> str:
    return f"{value:g}"
