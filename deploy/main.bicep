// Adoption Coach on Azure, one command:
//   az deployment group create -g <group> -f deploy/main.bicep -p deploy/main.parameters.json
// A user-assigned managed identity is the bot's identity (no client secret anywhere), runs the
// web app, reads and writes Cosmos DB (local key auth off) and sends telemetry (Entra auth).
// Where this differs from Microsoft's Agents Toolkit Python bot template: docs/deploy.md.
targetScope = 'resourceGroup'

@minLength(3)
@maxLength(16)
@description('Prefix of every resource name (lowercase letters and digits); a hash of the group is appended.')
param baseName string

@description('Region of every regional resource (the Azure Bot itself is global).')
param location string = resourceGroup().location

@maxLength(30)
@description('The bot name people see in Teams (also BOT_NAME for the app package).')
param botDisplayName string = 'Adoption Coach'

@description('App Service plan size: B1 is enough for a pilot; P0v3 or larger for a tenant.')
param appServiceSku string = 'B1'

@description('Python runtime of the Linux web app.')
param linuxFxVersion string = 'PYTHON|3.11'

@allowed(['serverless', 'autoscale'])
@description('Cosmos DB capacity: serverless (pay per request) or autoscale provisioned throughput.')
param cosmosCapacityMode string = 'serverless'

@minValue(1000)
@description('Autoscale only: the most RU/s the database may scale to (shared by its containers).')
param cosmosAutoscaleMaxThroughput int = 1000

@allowed(['Continuous7Days', 'Continuous30Days'])
@description('Cosmos DB continuous backup: point-in-time restore window.')
param cosmosBackupTier string = 'Continuous7Days'

@minValue(1)
@description('Usage events older than this many days expire (USAGE_RETENTION_DAYS and the events container TTL).')
param usageRetentionDays int = 365

@description('Entra object ids with admin rights (comma separated).')
param adminIds string = ''

@description('Entra object ids with trainer rights (comma separated).')
param trainerIds string = ''

@minValue(30)
@description('Log Analytics retention in days.')
param logRetentionDays int = 30

var suffix = uniqueString(resourceGroup().id)
var name = toLower('${baseName}-${suffix}')
var databaseName = 'adoption-coach'

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: '${name}-id'
  location: location
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  params: {
    name: name
    location: location
    retentionInDays: logRetentionDays
    principalId: identity.properties.principalId
  }
}

module cosmos 'modules/cosmos.bicep' = {
  name: 'cosmos'
  params: {
    accountName: '${name}-cosmos'
    location: location
    databaseName: databaseName
    capacityMode: cosmosCapacityMode
    autoscaleMaxThroughput: cosmosAutoscaleMaxThroughput
    backupTier: cosmosBackupTier
    eventsTtlSeconds: usageRetentionDays * 86400
    principalId: identity.properties.principalId
  }
}

module web 'modules/webapp.bicep' = {
  name: 'webapp'
  params: {
    name: name
    location: location
    sku: appServiceSku
    linuxFxVersion: linuxFxVersion
    identityId: identity.id
    identityClientId: identity.properties.clientId
    tenantId: identity.properties.tenantId
    cosmosEndpoint: cosmos.outputs.endpoint
    databaseName: databaseName
    appInsightsConnectionString: monitoring.outputs.connectionString
    usageRetentionDays: usageRetentionDays
    adminIds: adminIds
    trainerIds: trainerIds
    botDisplayName: botDisplayName
  }
}

module bot 'modules/bot.bicep' = {
  name: 'bot'
  params: {
    name: '${name}-bot'
    displayName: botDisplayName
    messagingEndpoint: 'https://${web.outputs.hostName}/api/messages'
    identityId: identity.id
    identityClientId: identity.properties.clientId
    tenantId: identity.properties.tenantId
  }
}

// What `coach manifest build` needs (export them, then run it) and where Teams sends messages.
output BOT_ENDPOINT string = 'https://${web.outputs.hostName}/api/messages'
output PUBLIC_HOST string = web.outputs.hostName
output CONNECTIONS__SERVICE_CONNECTION__SETTINGS__CLIENTID string = identity.properties.clientId
output CONNECTIONS__SERVICE_CONNECTION__SETTINGS__TENANTID string = identity.properties.tenantId
output BOT_NAME string = botDisplayName
output WEB_APP_NAME string = web.outputs.name
output COSMOS_ENDPOINT string = cosmos.outputs.endpoint
output BOT_RESOURCE_NAME string = bot.outputs.name
