"""Adapters to services outside the bot: Microsoft Graph."""
