"""Small cards: help, language choice, a module offer, an FAQ answer, short notices."""

from __future__ import annotations

from bot.content import LOCALES, Faq, Module
from bot.i18n import Texts

from .actions import ChooseLanguage, SetLanguage, ShowHelp, ShowMenu, StartModule
from .common import card, heading, nonce, open_url, submit, text


def help_card(t: Texts, chat_url: str | None = None) -> dict:
    """In a group chat (`chat_url` set) the menu and the language are a link to the 1:1 chat."""
    n = nonce()
    actions = (_onward(t, n, chat_url) if chat_url else
               [*_onward(t, n, None), submit(t("common.language"), ChooseLanguage(n=n))])
    return card([heading(t("help.title")), text(t("help.intro")), text(t("help.commands"))], actions)


def _onward(t: Texts, n: str, chat_url: str | None, *, module: Module | None = None) -> list[dict]:
    """The main buttons of an answer: open the module (or the menu) in the 1:1 chat; in a group
    chat (`chat_url` set) a link that opens the 1:1 chat instead, where the training runs."""
    if chat_url:
        return [open_url(t("group.open_chat"), chat_url)]
    first = (submit(t("match.open"), StartModule(module=module.id, n=n), style="positive") if module
             else submit(t("common.menu"), ShowMenu(n=n), style="positive"))
    return [first, submit(t("common.menu"), ShowMenu(n=n))] if module else [first]


def unknown_body(t: Texts) -> list[dict]:
    return [text(f"**{t('unknown.title')}**"), text(t("unknown.body"))]


def unknown_card(t: Texts, chat_url: str | None = None) -> dict:
    n = nonce()
    return card(
        unknown_body(t),
        [*_onward(t, n, chat_url), submit(t("common.help"), ShowHelp(n=n))],
    )


def personal_only_card(t: Texts, chat_url: str) -> dict:
    """A group chat asked for something that belongs to the worker's own chat with the bot."""
    return card([text(t("group.personal_only"))], _onward(t, nonce(), chat_url))


def language_card(t: Texts, current: str, *, changed: bool = False) -> dict:
    """`changed`: the card as it reads after a choice (it replaces the one clicked)."""
    n = nonce()
    buttons = [submit(t(f"language.name.{code}"), SetLanguage(language=code, n=n))
               for code in LOCALES]
    buttons.append(submit(t("language.auto"), SetLanguage(language="auto", n=n)))
    name = t(f"language.name.{current}")
    body = [heading(t("language.title"))]
    if changed:
        body.append(text(t("language.changed", language=name), weight="Bolder"))
    body.append(text(t("language.current", language=name), subtle=True))
    return card(body, buttons)


def module_offer_card(t: Texts, module: Module, chat_url: str | None = None) -> dict:
    return card(
        [text(t("match.offer", module=module.title, summary=module.summary))],
        _onward(t, nonce(), chat_url, module=module),
    )


def faq_card(t: Texts, module: Module, faq: Faq, chat_url: str | None = None) -> dict:
    return card(
        [text(f"**{faq.q}**"), text(faq.a),
         text(t("match.faq_source", module=module.title), subtle=True, size="Small")],
        _onward(t, nonce(), chat_url, module=module),
    )


def notice_card(message: str, t: Texts, chat_url: str | None = None) -> dict:
    n = nonce()
    return card([text(message)], [open_url(t("group.open_chat"), chat_url) if chat_url
                                  else submit(t("common.menu"), ShowMenu(n=n))])


def offer_menu_card(message: str, t: Texts, chat_url: str | None = None) -> dict:
    """A short answer with the menu (or, in a group chat, the way to the 1:1 chat) and help."""
    n = nonce()
    return card([text(message)], [*_onward(t, n, chat_url), submit(t("common.help"), ShowHelp(n=n))])
