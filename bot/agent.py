"""The Agents SDK side: the route table, turning an activity into a Turn, sending replies."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any
from uuid import uuid4

import aiohttp
from pydantic import ValidationError

from microsoft_agents.activity import (
    Activity, ActivityTypes, AdaptiveCardInvokeResponse, AdaptiveCardInvokeValue, Attachment,
    DeliveryModes, InvokeResponse,
)
from microsoft_agents.authentication.msal import MsalConnectionManager
from microsoft_agents.hosting.aiohttp import CloudAdapter
from microsoft_agents.hosting.core import (
    AgentApplication,
    AgentAuthConfiguration,
    ClaimsIdentity,
    Connections,
    MemoryStorage,
    TurnContext,
    TurnState,
)

from bot.content import Catalog
from bot.teams_messenger import CARD_CONTENT_TYPE, messenger_for
from domain.models import Worker, utcnow
from bot.i18n import Texts, language_for
from bot.registration import client_time_zone, member_lookup, registration_key
from bot.settings import Settings
from bot.store.port import Store, StoreUnavailable
from dialogs.campaign_invite import campaign_activity
from dialogs.digest import send_digests
from dialogs.inbox import Inbox
from domain.campaigns import Campaign, Delivery
from domain.digest import DigestPeriod
from domain.roles import RoleRule
from dialogs.router import AdminReport, Router
from dialogs.turn import Turn

log = logging.getLogger(__name__)
SDK_APPLICATION_LOGGER = "microsoft_agents.hosting.core.app.agent_application"


class _ConnectorOutages(logging.Filter):
    """The SDK logs a failed turn at ERROR with a traceback before our handler runs; an
    unreachable Teams connector is an outage, which our handler logs as one warning."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        return not isinstance(error, aiohttp.ClientError)

ADAPTIVE_CARD_ACTION = "adaptiveCard/action"


def connection_manager(settings: Settings) -> Connections:
    """Outbound credentials (replies to Teams) from the SDK's standard connection settings."""
    auth = AgentAuthConfiguration(
        auth_type=settings.auth_type,
        client_id=settings.client_id or None,
        tenant_id=settings.tenant_id or None,
        client_secret=settings.client_secret.get_secret_value() or None,
        anonymous_allowed=settings.anonymous,
    )
    return MsalConnectionManager(connections_configurations={"SERVICE_CONNECTION": auth})


def build_adapter(connections: Connections) -> CloudAdapter:
    adapter = CloudAdapter(connection_manager=connections)

    async def on_turn_error(context: TurnContext, error: Exception) -> None:
        # The SDK's default sends the exception text to the user; we log it and say sorry.
        if isinstance(error, aiohttp.ClientError):  # Teams' connector unreachable: not our bug
            log.warning("could not reach the Teams connector: %s", type(error).__name__)
            return
        log.exception("turn failed: %s", type(error).__name__, exc_info=error)

    sdk_log = logging.getLogger(SDK_APPLICATION_LOGGER)
    if not any(isinstance(f, _ConnectorOutages) for f in sdk_log.filters):
        sdk_log.addFilter(_ConnectorOutages())

    adapter.on_turn_error = on_turn_error
    return adapter


class CoachAgent:
    """Binds the router (our flows) to an AgentApplication (the SDK's routing)."""

    def __init__(self, settings: Settings, store: Store, catalog: Catalog,
                 connections: Connections | None = None):
        self.settings = settings
        self.store = store
        self.catalog = catalog
        self.router = Router(catalog, AdminReport(frozenset(settings.admin_ids),
                                                  settings.app_id or settings.client_id),
                             RoleRule.of(settings.admin_ids, settings.trainer_ids))
        connections = connections or connection_manager(settings)
        self.adapter = build_adapter(connections)
        self.app: AgentApplication[TurnState] = AgentApplication[TurnState](
            storage=MemoryStorage(),
            connection_manager=connections,
            start_typing_timer=False,
            remove_recipient_mention=True,
        )
        # Every proactive message (campaigns, triage replies, the digest): bot/teams_messenger.py
        self.messenger = messenger_for(settings, connections)
        self.inbox = Inbox(store, catalog, self.messenger.send_card)  # the admin API's flows
        self._routes()

    async def send_digests(self, period: DigestPeriod, owner: str, now: datetime) -> str:
        """The weekly digest card to every installed admin who has not had this period's."""
        return await send_digests(self.store, self.catalog, self.messenger.send_card,
                                  self.settings.admin_ids, period,
                                  self.settings.app_id or self.settings.client_id, owner, now)

    def campaign_card(self, campaign: Campaign, delivery: Delivery,
                      worker: Worker) -> dict[str, Any]:
        """The campaign sender's card builder: the worker's campaign card in their language."""
        return campaign_activity(self.catalog, campaign, delivery, worker)

    def _routes(self) -> None:
        app = self.app
        app.activity(ActivityTypes.installation_update, rank=10)(self._on_installation)
        app.conversation_update("membersAdded", rank=20)(self._on_members_added)
        app.conversation_update("membersRemoved", rank=30)(self._on_members_removed)
        app.activity(ActivityTypes.message, rank=40)(self._on_message)
        app.invoke(ADAPTIVE_CARD_ACTION, rank=50)(self._on_card_invoke)

    async def process(self, activity: Activity, identity: ClaimsIdentity) -> tuple[int, Any]:
        """Run one validated activity through the SDK; returns the HTTP status and body.
        (The SDK's own HTTP entry point would parse and validate the body a second time.)"""
        activity.request_id = str(uuid4())
        invoke_response = await self.adapter.process_activity(identity, activity, self.app.on_turn)
        if activity.type == ActivityTypes.invoke or activity.delivery_mode == DeliveryModes.expect_replies:
            if invoke_response is None:
                return 501, None
            return invoke_response.status or 501, invoke_response.body
        return 202, None

    # --- routes ---------------------------------------------------------------------------

    async def _on_installation(self, context: TurnContext, _state: TurnState) -> None:
        action = (context.activity.action or "").lower()
        if action.startswith("remove"):
            await self._mark_uninstalled(context)
        elif action.startswith("add"):
            await self._run(context, lambda turn: self.router.on_install(turn))

    async def _on_members_added(self, context: TurnContext, _state: TurnState) -> None:
        bot_id = context.activity.recipient.id if context.activity.recipient else None
        if any(m.id == bot_id for m in context.activity.members_added or []):
            await self._run(context, lambda turn: self.router.on_install(turn))

    async def _on_members_removed(self, context: TurnContext, _state: TurnState) -> None:
        bot_id = context.activity.recipient.id if context.activity.recipient else None
        if any(m.id == bot_id for m in context.activity.members_removed or []):
            await self._mark_uninstalled(context)

    async def _on_message(self, context: TurnContext, _state: TurnState) -> None:
        activity = context.activity
        if isinstance(activity.value, dict) and not (activity.text or "").strip():
            await self._run(context, lambda turn: self.router.on_action(turn, activity.value))
        else:
            await self._run(context, lambda turn: self.router.on_text(turn, activity.text or ""))

    async def _on_card_invoke(self, context: TurnContext, _state: TurnState) -> None:
        data = _invoked_data(context.activity.value)
        turn = await self._run(context, lambda t: self.router.on_action(t, data), invoke=True)
        if turn is not None and turn.replacement is not None:
            response = AdaptiveCardInvokeResponse(status_code=200, type=CARD_CONTENT_TYPE,
                                                  value=turn.replacement)
        else:
            response = AdaptiveCardInvokeResponse(
                status_code=200, type="application/vnd.microsoft.activity.message", value="")
        # The card is JSON already: serialize the envelope only (a menu card is ~0.2 ms to dump).
        body = response.model_dump(mode="json", by_alias=True, exclude_none=True, exclude={"value"})
        body["value"] = response.value
        await context.send_activity(Activity(type=ActivityTypes.invoke_response,
                                             value=InvokeResponse(status=200, body=body)))

    # --- turn plumbing --------------------------------------------------------------------

    async def _run(self, context: TurnContext, flow, *, invoke: bool = False) -> Turn | None:
        activity = context.activity
        texts = Texts(self.catalog, language_for(activity.locale), activity.locale)
        try:
            worker = await self._worker(context)
            texts = Texts(self.catalog, language_for(worker.teams_locale, worker.language), worker.teams_locale)
            turn = Turn(
                worker=worker, catalog=self.catalog, store=self.store, texts=texts,
                # No id (not Teams): nothing identifies a redelivery, so every turn counts.
                # A card action replaces it with its own key (dialogs/router.py).
                dedupe_key=f"activity:{activity.id or uuid4().hex}",
                personal=_is_personal(activity),
                bot_id=activity.recipient.id if activity.recipient else "",
                image_base=self.settings.image_base_url,
            )
            await flow(turn)
        except StoreUnavailable as exc:
            log.warning("store unavailable: %s", exc)
            await context.send_activity(texts("error.try_again"))
            return None
        except Exception:
            log.exception("flow failed for activity type %s", activity.type)
            await context.send_activity(texts("error.general"))
            return None
        await self._send(context, turn, invoke=invoke)
        return turn

    async def _send(self, context: TurnContext, turn: Turn, *, invoke: bool) -> None:
        if turn.replacement is not None and not invoke:
            reply_to = context.activity.reply_to_id
            if reply_to:
                try:
                    await context.update_activity(card_activity(turn.replacement, activity_id=reply_to))
                except Exception as exc:  # the client may not allow updates: send it as new
                    log.info("card update refused (%s); sending a new card", type(exc).__name__)
                    turn.replies.insert(0, turn.replacement)
            else:
                turn.replies.insert(0, turn.replacement)
        if turn.replies:
            await context.send_activities([
                card_activity(r) if isinstance(r, dict) else Activity(type=ActivityTypes.message, text=r)
                for r in turn.replies
            ])

    async def _worker(self, context: TurnContext) -> Worker:
        activity = context.activity
        user = activity.from_property
        worker_id = (user.aad_object_id or user.id) if user else ""
        if not worker_id:
            raise ValueError("activity without a sender")
        stored = await self.store.workers.get_worker(worker_id)
        if not _is_personal(activity):
            # Group chats: the worker may never have opened a 1:1 chat; don't store the group.
            return stored or Worker(id=worker_id, name=user.name or "", teams_locale=activity.locale or "en-US")
        if stored is not None and stored.blocked_at is not None:
            # They wrote to the bot again (a 403 MessageWritesBlocked had marked them).
            await self.store.campaigns.clear_blocked(stored.tenant_id, worker_id)
            stored = stored.model_copy(update={"blocked_at": None})
        locale = activity.locale or (stored.teams_locale if stored else "en-US")
        time_zone = client_time_zone(activity) or (stored.time_zone if stored else None)
        # Install events (installationUpdate, conversationUpdate) carry no name: keep the known one.
        name = user.name or (stored.name if stored else "")
        if stored and stored.installed and registration_key(stored) == (
                name, locale, _tenant_id(activity), activity.conversation.id,
                activity.service_url, time_zone):
            return stored
        member = await member_lookup(context)  # new or changed: the UPN (and name) again
        return await self.store.workers.register_worker(Worker(
            id=worker_id, tenant_id=_tenant_id(activity), name=name or member.name,
            teams_locale=locale, upn=member.upn, time_zone=time_zone,
            conversation=activity.get_conversation_reference().model_dump(
                mode="json", by_alias=True, exclude_none=True),
        ))

    async def _mark_uninstalled(self, context: TurnContext) -> None:
        user = context.activity.from_property
        worker_id = (user.aad_object_id or user.id) if user else ""
        if worker_id and _is_personal(context.activity):
            try:
                await self.store.workers.mark_uninstalled(worker_id, utcnow())
            except StoreUnavailable as exc:
                log.warning("could not record uninstall: %s", exc)


def card_activity(card: dict, activity_id: str | None = None) -> Activity:
    activity = Activity(type=ActivityTypes.message,
                        attachments=[Attachment(content_type=CARD_CONTENT_TYPE, content=card)])
    if activity_id:
        activity.id = activity_id
    return activity


def _invoked_data(value: Any) -> dict | None:
    """The data of an Action.Execute (adaptiveCard/action invoke); its verb stands beside
    the data, and is the data's verb when the data has none. None: not an Action.Execute."""
    try:
        invoked = AdaptiveCardInvokeValue.model_validate(value).action
    except ValidationError:
        return None
    data = dict(invoked.data)
    if invoked.verb:
        data.setdefault("verb", invoked.verb)
    return data


def _is_personal(activity: Activity) -> bool:
    conversation_type = activity.conversation.conversation_type if activity.conversation else None
    return conversation_type in (None, "personal")


def _tenant_id(activity: Activity) -> str:
    if activity.conversation and activity.conversation.tenant_id:
        return activity.conversation.tenant_id
    channel_data = activity.channel_data if isinstance(activity.channel_data, dict) else {}
    tenant = channel_data.get("tenant") if isinstance(channel_data.get("tenant"), dict) else {}
    return str(tenant.get("id", ""))
