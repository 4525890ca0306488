// The Azure Bot: single tenant, its app id is the managed identity (UserAssignedMSI), so there
// is no app registration secret to create or rotate. Plus the Microsoft Teams channel.
param name string
param displayName string
param messagingEndpoint string
param identityId string
param identityClientId string
param tenantId string
@allowed(['F0', 'S1'])
param sku string = 'F0'

resource botService 'Microsoft.BotService/botServices@2022-09-15' = {
  name: name
  location: 'global'
  kind: 'azurebot'
  sku: { name: sku }
  properties: {
    displayName: displayName
    endpoint: messagingEndpoint
    msaAppType: 'UserAssignedMSI'
    msaAppId: identityClientId
    msaAppMSIResourceId: identityId
    msaAppTenantId: tenantId
    disableLocalAuth: true
    publicNetworkAccess: 'Enabled'
  }
}

resource teams 'Microsoft.BotService/botServices/channels@2022-09-15' = {
  parent: botService
  name: 'MsTeamsChannel'
  location: 'global'
  properties: {
    channelName: 'MsTeamsChannel'
    properties: {
      isEnabled: true
      acceptedTerms: true
    }
  }
}

output name string = botService.name
