"""Small cards: help, language choice, a module offer, an FAQ answer, short notices."""

from __future__ import annotations

from bot.content import LOCALES, Faq, Module
from bot.i18n import Texts

from .actions import ChooseLanguage, SetLanguage, ShowHelp, ShowMenu, StartModule
from .common import card, heading, nonce, submit, text


def help_card(t: Texts) -> dict:
    n = nonce()
    return card(
        [heading(t("help.title")), text(t("help.intro")), text(t("help.commands"))],
        [submit(t("common.menu"), ShowMenu(n=n), style="positive"),
         submit(t("common.language"), ChooseLanguage(n=n))],
    )


def unknown_card(t: Texts) -> dict:
    n = nonce()
    return card(
        [text(f"**{t('unknown.title')}**"), text(t("unknown.body"))],
        [submit(t("common.menu"), ShowMenu(n=n), style="positive"),
         submit(t("common.help"), ShowHelp(n=n))],
    )


def language_card(t: Texts, current: str) -> dict:
    n = nonce()
    buttons = [submit(t(f"language.name.{code}"), SetLanguage(language=code, n=n))
               for code in LOCALES]
    buttons.append(submit(t("language.auto"), SetLanguage(language="auto", n=n)))
    return card(
        [heading(t("language.title")),
         text(t("language.current", language=t(f"language.name.{current}")), subtle=True)],
        buttons,
    )


def module_offer_card(t: Texts, module: Module) -> dict:
    n = nonce()
    return card(
        [text(t("match.offer", module=module.title, summary=module.summary))],
        [submit(t("match.open"), StartModule(module=module.id, n=n), style="positive"),
         submit(t("common.menu"), ShowMenu(n=n))],
    )


def faq_card(t: Texts, module: Module, faq: Faq) -> dict:
    n = nonce()
    return card(
        [text(f"**{faq.q}**"), text(faq.a),
         text(t("match.faq_source", module=module.title), subtle=True, size="Small")],
        [submit(t("match.open"), StartModule(module=module.id, n=n), style="positive"),
         submit(t("common.menu"), ShowMenu(n=n))],
    )


def notice_card(message: str, t: Texts) -> dict:
    n = nonce()
    return card([text(message)], [submit(t("common.menu"), ShowMenu(n=n))])
