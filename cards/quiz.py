"""Cards of the quiz: one question, the answered (read-only) question, the result."""

from __future__ import annotations

from bot.content import Module, Question
from domain.models import QuizAnswer, QuizAttempt
from domain.quiz import QuizResult, correct_options, option_order
from bot.i18n import Texts

from .actions import AnswerQuestion, ContinueQuiz, OpenFeedback, RestartQuiz, ShowMenu, StartModule, StartQuiz
from .common import card, container, execute, heading, nonce, submit, text
from .training import next_module_button


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
                   weight="Bolder", color=None if answer.correct else "Attention")
    feedback = [text(note, subtle=True)] if note else []
    feedback.append(verdict)
    # Each chosen (and each missed right) option once, with its explanation.
    for option in _options_in_order(question, attempt):
        label = ("quiz.your_answer" if option.id in answer.chosen
                 else "quiz.right_answer" if option.id in right else None)
        if label is not None:
            feedback.append(text(t(label, answer=f"**{option.text}**") + f"\n\n{option.explanation}",
                                 spacing="Small"))
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


def result_card(t: Texts, module: Module, attempt: QuizAttempt, result: QuizResult,
                following: Module | None = None) -> dict:
    """`following`: the module to suggest next after a pass (the main action then)."""
    n = nonce()
    pass_mark = t.percent(module.quiz.pass_mark)
    body = [
        heading(t("quiz.result.title", module=module.title)),
        text(t("quiz.result.score", right=result.right, total=result.total, score=t.percent(result.score))),
        container([text(t("quiz.result.passed", pass_mark=pass_mark) if result.passed
                         else t("quiz.result.failed", pass_mark=pass_mark),
                         weight="Bolder", color=None if result.passed else "Attention")],
                  style="good" if result.passed else "emphasis", spacing="Medium"),
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
    actions.insert(2, submit(t("common.feedback"), OpenFeedback(module=module.id, n=n)))
    if result.passed and following is not None:
        actions.insert(0, next_module_button(t, following, n))
    else:
        actions[0 if not result.passed else 1]["style"] = "positive"
    return card(body, actions)


def finished_card(t: Texts, module: Module, score: float | None) -> dict:
    """An answer arrived for a quiz that is already submitted."""
    n = nonce()
    return card([text(t("quiz.already_submitted", module=module.title, score=t.percent(score or 0.0)))],
                _module_actions(t, module, n))


def open_attempt_card(t: Texts, module: Module, attempt: QuizAttempt,
                      campaign_id: str | None = None) -> dict:
    """A quiz was asked for while one of this module is in progress: continue or start over
    (`campaign_id`: the new attempt answers that campaign)."""
    n = nonce()
    answered = sum(1 for qid in attempt.question_ids if qid in attempt.answers)
    return card(
        [heading(t("quiz.open.title")),
         text(t("quiz.open.body", module=module.title, answered=answered,
                total=len(attempt.question_ids)))],
        [submit(t("quiz.open.continue"), ContinueQuiz(attempt=attempt.id, n=n), style="positive"),
         submit(t("quiz.open.restart"), RestartQuiz(module=module.id, attempt=attempt.id,
                                                          campaign=campaign_id, n=n)),
         submit(t("common.menu"), ShowMenu(n=n))],
    )


def moved_on_card(t: Texts, module: Module) -> dict:
    """Replaces a question card of an attempt that is no longer the one in progress."""
    n = nonce()
    return card([text(t("quiz.moved_on"), weight="Bolder")],
                [submit(t("menu.quiz"), StartQuiz(module=module.id, n=n)),
                 submit(t("common.menu"), ShowMenu(n=n))])

