"""The jobs and services this deployment runs. The admin digest joins them in bot/app.py (it
needs the bot's catalog)."""

from __future__ import annotations

from bot.settings import Settings
from bot.store.port import Store
from domain.messaging import Messenger
from jobs.campaign_card import bare_card
from jobs.campaign_delivery import CardBuilder
from jobs.campaign_sender import CampaignSender, config_from_settings
from jobs.job import Job, Service
from jobs.retention import RetentionJob
from jobs.usage_jobs import DirectorySyncJob, UsageImportJob, UsageRetentionJob


def default_jobs(store: Store, settings: Settings) -> list[Job]:
    jobs: list[Job] = [RetentionJob(store, settings.usage_retention_days),
                       UsageRetentionJob(store, settings.usage_retention_days)]
    if settings.graph_jobs_enabled:
        jobs += [DirectorySyncJob(store, settings), UsageImportJob(store, settings)]
    return jobs


def default_services(store: Store, settings: Settings, messenger: Messenger,
                     card: CardBuilder = bare_card) -> list[Service]:
    """`card`: what a campaign worker gets, `(campaign, delivery, worker) -> activity`."""
    return [CampaignSender(store, messenger, config=config_from_settings(settings), card=card)]
