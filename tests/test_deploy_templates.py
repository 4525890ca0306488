"""deploy/*.bicep, parsed with pycep-parser (the Bicep CLI cannot be installed here, so these
templates were never deployed from this machine): every resource the deployment needs is
there, configured safely, and wired to the settings the bot really reads."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from pycep import BicepParser

from bot.manifest import ENV_NAMES
from bot.settings import Settings
from bot.store.cosmos import container_specs

DEPLOY = Path(__file__).resolve().parent.parent / "deploy"
DATA_CONTRIBUTOR = "00000000-0000-0000-0000-000000000002"
SDK = "CONNECTIONS__SERVICE_CONNECTION__SETTINGS__"
# App Service's own settings (not read by the bot) and the exporter's Entra switch.
PLATFORM_SETTINGS = {"SCM_DO_BUILD_DURING_DEPLOYMENT", "WEBSITES_PORT", "WEBSITES_CONTAINER_START_TIME_LIMIT",
                     "AZURE_CLIENT_ID", "APPLICATIONINSIGHTS_AUTHENTICATION_STRING"}
SECRETISH = re.compile(r"(?i)listkeys|masterkey|password|secret|accountkey|sharedaccess|\bkeys?\b")


@pytest.fixture(scope="module")
def templates() -> dict[str, dict[str, Any]]:
    parser = BicepParser()
    return {str(path.relative_to(DEPLOY)): parser.parse(file_path=path)
            for path in sorted(DEPLOY.rglob("*.bicep"))}


def resources(templates, type_name: str) -> list[dict[str, Any]]:
    return [dict(r, symbol=symbol, file=file) for file, t in templates.items()
            for symbol, r in t.get("resources", {}).items() if r["type"] == type_name]


def one(templates, type_name: str) -> dict[str, Any]:
    found = resources(templates, type_name)
    assert len(found) == 1, f"{type_name}: {len(found)} resources"
    return found[0]


def accessor(value: Any) -> tuple[str, str] | None:
    """`a.b` as ('a', 'b')."""
    if isinstance(value, dict) and value.get("operator", {}).get("type") == "property_accessor":
        operands = value["operator"]["operands"]
        return operands["operand_1"], operands["operand_2"]
    return None


def test_every_module_exists_and_parses(templates):
    main = templates["main.bicep"]
    for module in main["modules"].values():
        assert module["detail"]["path"] in templates
    assert set(templates) == {"main.bicep", *(m["detail"]["path"] for m in main["modules"].values())}


def test_the_parser_rejects_a_broken_template():
    with pytest.raises(Exception):
        BicepParser().parse(text="resource x 'Microsoft.Web/sites@2023-12-01' = {\n  name: 'a'\n")


def test_identity_and_single_tenant_bot_without_a_secret(templates):
    identity = one(templates, "Microsoft.ManagedIdentity/userAssignedIdentities")
    assert identity["file"] == "main.bicep"
    bot = one(templates, "Microsoft.BotService/botServices")["config"]
    props = bot["properties"]
    assert bot["location"] == "global" and bot["kind"] == "azurebot"
    assert props["msaAppType"] == "UserAssignedMSI"
    assert {"msaAppId", "msaAppMSIResourceId", "msaAppTenantId", "endpoint"} <= set(props)
    assert not any("password" in key.lower() or "secret" in key.lower() for key in props)
    teams = one(templates, "Microsoft.BotService/botServices/channels")["config"]
    assert teams["name"] == "MsTeamsChannel" and teams["parent"] == "botService"
    assert teams["properties"]["properties"]["isEnabled"] is True
    endpoint = templates["main.bicep"]["modules"]["bot"]["config"]["params"]["messagingEndpoint"]
    assert endpoint == "https://${web.outputs.hostName}/api/messages"


def test_linux_python_web_app_https_only_always_on_health_checked(templates):
    plan = one(templates, "Microsoft.Web/serverfarms")["config"]
    assert plan["kind"] == "app,linux" and plan["properties"]["reserved"] is True
    site = one(templates, "Microsoft.Web/sites")["config"]
    props, config = site["properties"], site["properties"]["siteConfig"]
    assert site["kind"] == "app,linux"
    assert props["httpsOnly"] is True
    assert config["alwaysOn"] is True
    assert config["healthCheckPath"] == "/healthz"
    assert config["appCommandLine"] == "coach serve"
    assert config["minTlsVersion"] == "1.2" and config["scmMinTlsVersion"] == "1.2"
    assert config["ftpsState"] == "Disabled"
    assert site["identity"]["type"] == "UserAssigned"
    main_params = templates["main.bicep"]["parameters"]
    assert main_params["linuxFxVersion"]["default"].startswith("PYTHON|3.1")
    policies = resources(templates, "Microsoft.Web/sites/basicPublishingCredentialsPolicies")
    assert {p["config"]["name"]: p["config"]["properties"]["allow"] for p in policies} == {"scm": False, "ftp": False}


def app_settings(templates) -> dict[str, str]:
    site = one(templates, "Microsoft.Web/sites")["config"]
    sdk_var = templates["modules/webapp.bicep"]["variables"]["sdk"]["value"]
    return {s["name"].replace("${sdk}", sdk_var): s["value"]
            for s in site["properties"]["siteConfig"]["appSettings"]}


def test_app_settings_hold_no_secret_and_are_what_the_bot_reads(templates, monkeypatch):
    settings = app_settings(templates)
    assert f"{SDK}CLIENTSECRET" not in settings and "COSMOS_KEY" not in settings
    for name, value in settings.items():
        assert not SECRETISH.search(f"{name}={value}".replace("APPLICATIONINSIGHTS_", "")), name
    params = set(templates["modules/webapp.bicep"]["parameters"])
    samples = {"identityClientId": "6f1b2c3d-0000-4000-8000-000000000001",
               "tenantId": "6f1b2c3d-0000-4000-8000-000000000002",
               "cosmosEndpoint": "https://coach-x-cosmos.documents.azure.com:443/",
               "appInsightsConnectionString": "InstrumentationKey=6f1b2c3d-0000-4000-8000-000000000003",
               "databaseName": "adoption-coach", "adminIds": "", "trainerIds": "", "botDisplayName": "Adoption Coach"}
    for name, value in settings.items():
        if name in PLATFORM_SETTINGS:
            continue
        if isinstance(value, dict):  # string(usageRetentionDays)
            value = "365"
        elif value in params:
            value = samples[value]
        monkeypatch.setenv(name, value)
    read = Settings(_env_file=None)
    assert read.auth_type == "UserManagedIdentity"
    assert read.client_id == samples["identityClientId"] and read.tenant_id == samples["tenantId"]
    assert read.client_secret.get_secret_value() == "" and read.cosmos_key.get_secret_value() == ""
    assert read.store == "cosmos" and read.cosmos_create_containers is False
    assert read.cosmos_endpoint == samples["cosmosEndpoint"]
    assert read.host == "0.0.0.0" and read.port == 8000 and read.auth_enabled
    assert read.log_format == "json" and read.applicationinsights_connection_string.get_secret_value()
    assert settings["AZURE_CLIENT_ID"] == "identityClientId"  # DefaultAzureCredential picks the identity
    unread = {n for n in settings if n not in PLATFORM_SETTINGS} - set(_env_names())
    assert not unread, f"app settings the bot does not read: {unread}"


def _env_names() -> list[str]:
    names = []
    for field_name, field in Settings.model_fields.items():
        alias = field.validation_alias
        names += [str(c) for c in getattr(alias, "choices", [])] if alias else []
        names.append(field_name.upper())
    return names


def test_cosmos_keyless_serverless_by_default_with_autoscale_as_a_parameter(templates):
    account = one(templates, "Microsoft.DocumentDB/databaseAccounts")["config"]["properties"]
    assert account["disableLocalAuth"] is True
    assert account["minimalTlsVersion"] == "Tls12"
    assert account["backupPolicy"]["type"] == "Continuous"
    capabilities = account["capabilities"]["operator"]
    assert capabilities["type"] == "conditional" and capabilities["operands"]["condition"] == "serverless"
    assert capabilities["operands"]["true_value"] == [{"name": "EnableServerless"}]
    main_params = templates["main.bicep"]["parameters"]
    mode = main_params["cosmosCapacityMode"]
    assert mode["default"] == "serverless"
    assert {"type": "allowed", "argument": ["serverless", "autoscale"]} in mode["decorators"]
    options = one(templates, "Microsoft.DocumentDB/databaseAccounts/sqlDatabases")["config"]["properties"]["options"]
    assert options["operator"]["operands"]["false_value"] == {
        "autoscaleSettings": {"maxThroughput": "autoscaleMaxThroughput"}}


def test_data_role_assignment_is_the_built_in_contributor_scoped_to_the_account(templates):
    assignment = one(templates, "Microsoft.DocumentDB/databaseAccounts/sqlRoleAssignments")["config"]
    props = assignment["properties"]
    assert assignment["parent"] == "account"
    assert props["roleDefinitionId"] == "${account.id}/sqlRoleDefinitions/${dataContributor}"
    assert templates["modules/cosmos.bicep"]["variables"]["dataContributor"]["value"] == DATA_CONTRIBUTOR
    assert accessor(props["scope"]) == ("account", "id")
    principal = templates["main.bicep"]["modules"]["cosmos"]["config"]["params"]["principalId"]
    assert accessor(principal) == ("identity", {"operator": {"type": "property_accessor", "operands": {
        "operand_1": "properties", "operand_2": "principalId"}}})


def test_containers_are_the_ones_the_adapter_expects(templates):
    specs = container_specs("", 365)
    found = {r["config"]["name"]: r["config"]["properties"]["resource"]
             for r in resources(templates, "Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers")}
    assert set(found) == {spec.name for spec in specs.values()}
    for spec in specs.values():
        resource = found[spec.name]
        assert resource["partitionKey"]["paths"] == [spec.partition_key]
        assert resource["indexingPolicy"] == spec.indexing_policy()
    assert found["stats"]["defaultTtl"] == {"operator": {"type": "minus", "operands": {"integer_value": 1}}}  # -1
    assert found["events"]["defaultTtl"] == "eventsTtlSeconds"
    assert "workers" not in [n for n, r in found.items() if "defaultTtl" in r]


def test_monitoring_workspace_insights_keyless_with_publisher_role(templates):
    one(templates, "Microsoft.OperationalInsights/workspaces")
    insights = one(templates, "Microsoft.Insights/components")["config"]["properties"]
    assert insights["DisableLocalAuth"] is True and insights["WorkspaceResourceId"]
    role = one(templates, "Microsoft.Authorization/roleAssignments")["config"]
    assert role["scope"] == "appInsights"
    publisher = templates["modules/monitoring.bicep"]["variables"]["monitoringMetricsPublisher"]["value"]
    assert publisher == "3913510d-42f4-4e42-8a64-420c390055eb"


def test_outputs_give_the_endpoint_and_what_the_manifest_build_needs_and_no_secret(templates):
    outputs = templates["main.bicep"]["outputs"]
    assert {ENV_NAMES["client_id"], ENV_NAMES["public_host"], ENV_NAMES["bot_name"], "BOT_ENDPOINT"} <= set(outputs)
    for file, template in templates.items():
        for name, output in template.get("outputs", {}).items():
            text = f"{name} {json.dumps(output['value'])}"
            if (file, name) == ("modules/monitoring.bicep", "connectionString"):
                continue  # only into the app setting; worthless without an Entra token (local auth off)
            assert not SECRETISH.search(text), f"{file}: output {name}"
            assert "connectionstring" not in text.lower(), f"{file}: output {name}"


def test_no_secure_parameters_or_key_listing_anywhere():
    for path in DEPLOY.rglob("*.bicep"):
        text = path.read_text()
        assert "@secure" not in text and "listKeys" not in text and "listConnectionStrings" not in text, path
    parameters = json.loads((DEPLOY / "main.parameters.json").read_text())["parameters"]
    main_params = BicepParser().parse(file_path=DEPLOY / "main.bicep")["parameters"]
    assert set(parameters) <= set(main_params)
