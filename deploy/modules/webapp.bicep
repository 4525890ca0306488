// Linux App Service plan + Python web app running `coach serve` as the managed identity.
// HTTPS only, TLS 1.2, FTP and basic-auth publishing off, health check on /healthz.
// App settings hold ids and endpoints only: no key, secret or password.
param name string
param location string
param sku string
param linuxFxVersion string
param identityId string
param identityClientId string
param tenantId string
param cosmosEndpoint string
param databaseName string
param appInsightsConnectionString string
param usageRetentionDays int
param adminIds string
param trainerIds string
param botDisplayName string

var sdk = 'CONNECTIONS__SERVICE_CONNECTION__SETTINGS__'

resource plan 'Microsoft.Web/serverfarms@2023-12-01' = {
  name: '${name}-plan'
  location: location
  kind: 'app,linux'
  sku: { name: sku }
  properties: { reserved: true }
}

resource site 'Microsoft.Web/sites@2023-12-01' = {
  name: name
  location: location
  kind: 'app,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: { '${identityId}': {} }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    clientAffinityEnabled: false
    keyVaultReferenceIdentity: identityId
    siteConfig: {
      linuxFxVersion: linuxFxVersion
      appCommandLine: 'coach serve'
      alwaysOn: true
      healthCheckPath: '/healthz'
      minTlsVersion: '1.2'
      scmMinTlsVersion: '1.2'
      ftpsState: 'Disabled'
      http20Enabled: true
      appSettings: [
        { name: 'SCM_DO_BUILD_DURING_DEPLOYMENT', value: 'true' }
        { name: 'WEBSITES_PORT', value: '8000' }
        { name: 'WEBSITES_CONTAINER_START_TIME_LIMIT', value: '600' }
        { name: 'HOST', value: '0.0.0.0' }
        { name: 'PORT', value: '8000' }
        { name: '${sdk}CLIENTID', value: identityClientId }
        { name: '${sdk}TENANTID', value: tenantId }
        { name: '${sdk}AUTHTYPE', value: 'UserManagedIdentity' }
        { name: 'AZURE_CLIENT_ID', value: identityClientId }
        { name: 'STORE', value: 'cosmos' }
        { name: 'COSMOS_ENDPOINT', value: cosmosEndpoint }
        { name: 'COSMOS_DATABASE', value: databaseName }
        { name: 'COSMOS_CREATE_CONTAINERS', value: 'false' }
        { name: 'USAGE_RETENTION_DAYS', value: string(usageRetentionDays) }
        { name: 'APPLICATIONINSIGHTS_CONNECTION_STRING', value: appInsightsConnectionString }
        { name: 'APPLICATIONINSIGHTS_AUTHENTICATION_STRING', value: 'Authorization=AAD;ClientId=${identityClientId}' }
        { name: 'LOG_FORMAT', value: 'json' }
        { name: 'ADMIN_IDS', value: adminIds }
        { name: 'TRAINER_IDS', value: trainerIds }
        { name: 'BOT_NAME', value: botDisplayName }
      ]
    }
  }
}

// Deployments authenticate with Entra (az webapp deploy), never with a publishing password.
resource scmBasicAuth 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2023-12-01' = {
  parent: site
  name: 'scm'
  properties: { allow: false }
}

resource ftpBasicAuth 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2023-12-01' = {
  parent: site
  name: 'ftp'
  properties: { allow: false }
}

output hostName string = site.properties.defaultHostName
output name string = site.name
