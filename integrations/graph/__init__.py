"""Microsoft Graph over plain HTTP (aiohttp): the directory, usage reports and app installs.

Tokens come from azure-identity (client credentials or a managed identity); nothing here
imports msgraph-sdk."""
