"""Cards of the feedback inbox that reach a worker: an IT reply, the "Ask IT" offer and its
receipt. Everything a worker or an admin typed goes through `escaped`."""

from __future__ import annotations

from bot.i18n import Texts
from domain.models import Feedback, FeedbackCategory
from domain.triage import TriageReply

from .actions import AskIt, ShowHelp, ShowMenu, ShowMyData
from .common import card, container, escaped, nonce, submit, text
from .general import unknown_body


def reply_card(t: Texts, feedback: Feedback, reply: TriageReply) -> dict:
    about = ("reply.about_question" if feedback.category is FeedbackCategory.QUESTION
             else "reply.about_feedback")
    n = nonce()
    body = [text(t("reply.title"), size="Medium", weight="Bolder"),
            text(t(about, date=t.date(feedback.created_at)), subtle=True)]
    if feedback.text:
        body.append(container([text(escaped(feedback.text), subtle=True)], style="emphasis"))
    body.append(text(escaped(reply.text)))
    return card(body, [submit(t("common.my_data"), ShowMyData(n=n)),
                       submit(t("common.menu"), ShowMenu(n=n))])


def unknown_with_ask_it_card(t: Texts, question: str) -> dict:
    """"I didn't understand", with an offer to send the question to IT."""
    n = nonce()
    return card(
        [*unknown_body(t), text(t("askit.offer"))],
        [submit(t("askit.button"), AskIt(question=question, n=n), style="positive"),
         submit(t("common.menu"), ShowMenu(n=n)),
         submit(t("common.help"), ShowHelp(n=n))],
    )


def question_sent_card(t: Texts) -> dict:
    n = nonce()
    return card([text(t("askit.sent"), weight="Bolder"),
                 text(t("askit.sent.urgent"), subtle=True)],
                [submit(t("common.my_data"), ShowMyData(n=n)),
                 submit(t("common.menu"), ShowMenu(n=n))])
