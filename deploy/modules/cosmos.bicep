// Cosmos DB for NoSQL with key auth disabled; the app identity gets the data-plane role
// Built-in Data Contributor on this account only. Data-plane roles cannot create containers,
// so they are created here, as bot/store/cosmos.py's container_specs() describes them.
param accountName string
param location string
param databaseName string
@allowed(['serverless', 'autoscale'])
param capacityMode string
param autoscaleMaxThroughput int
param backupTier string
param eventsTtlSeconds int
param principalId string

var dataContributor = '00000000-0000-0000-0000-000000000002'
var serverless = (capacityMode == 'serverless')

resource account 'Microsoft.DocumentDB/databaseAccounts@2024-05-15' = {
  name: accountName
  location: location
  kind: 'GlobalDocumentDB'
  properties: {
    databaseAccountOfferType: 'Standard'
    locations: [
      {
        locationName: location
        failoverPriority: 0
        isZoneRedundant: false
      }
    ]
    consistencyPolicy: { defaultConsistencyLevel: 'Session' }
    capabilities: (serverless ? [ { name: 'EnableServerless' } ] : [])
    disableLocalAuth: true
    disableKeyBasedMetadataWriteAccess: true
    minimalTlsVersion: 'Tls12'
    publicNetworkAccess: 'Enabled'
    backupPolicy: {
      type: 'Continuous'
      continuousModeProperties: { tier: backupTier }
    }
  }
}

resource database 'Microsoft.DocumentDB/databaseAccounts/sqlDatabases@2024-05-15' = {
  parent: account
  name: databaseName
  properties: {
    resource: { id: databaseName }
    options: (serverless ? {} : { autoscaleSettings: { maxThroughput: autoscaleMaxThroughput } })
  }
}

resource workers 'Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers@2024-05-15' = {
  parent: database
  name: 'workers'
  properties: {
    resource: {
      id: 'workers'
      partitionKey: { paths: [ '/workerId' ], kind: 'Hash' }
      indexingPolicy: {
        indexingMode: 'consistent'
        automatic: true
        includedPaths: [ { path: '/type/?' }, { path: '/created_at/?' }, { path: '/module_id/?' }, { path: '/locale/?' }, { path: '/workerId/?' }, { path: '/tenant_id/?' }, { path: '/upn/?' }, { path: '/status/?' }, { path: '/passed/?' }, { path: '/campaign_id/?' } ]
        excludedPaths: [ { path: '/*' } ]
      }
    }
  }
}

resource events 'Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers@2024-05-15' = {
  parent: database
  name: 'events'
  properties: {
    resource: {
      id: 'events'
      partitionKey: { paths: [ '/id' ], kind: 'Hash' }
      defaultTtl: eventsTtlSeconds
      indexingPolicy: {
        indexingMode: 'consistent'
        automatic: true
        includedPaths: [ { path: '/at/?' }, { path: '/worker_id/?' }, { path: '/kind/?' } ]
        excludedPaths: [ { path: '/*' } ]
      }
    }
  }
}

resource stats 'Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers@2024-05-15' = {
  parent: database
  name: 'stats'
  properties: {
    resource: {
      id: 'stats'
      partitionKey: { paths: [ '/pk' ], kind: 'Hash' }
      defaultTtl: -1
      indexingPolicy: {
        indexingMode: 'consistent'
        automatic: true
        includedPaths: [ { path: '/kind/?' }, { path: '/day/?' }, { path: '/locale/?' }, { path: '/days/[]/d/?' }, { path: '/days/[]/l/?' } ]
        excludedPaths: [ { path: '/*' } ]
      }
    }
  }
}

resource jobs 'Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers@2024-05-15' = {
  parent: database
  name: 'jobs'
  properties: {
    resource: {
      id: 'jobs'
      partitionKey: { paths: [ '/id' ], kind: 'Hash' }
      indexingPolicy: {
        indexingMode: 'consistent'
        automatic: true
        includedPaths: [ { path: '/type/?' } ]
        excludedPaths: [ { path: '/*' } ]
      }
    }
  }
}

resource campaigns 'Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers@2024-05-15' = {
  parent: database
  name: 'campaigns'
  properties: {
    resource: {
      id: 'campaigns'
      partitionKey: { paths: [ '/campaignId' ], kind: 'Hash' }
      indexingPolicy: {
        indexingMode: 'consistent'
        automatic: true
        includedPaths: [ { path: '/type/?' }, { path: '/state/?' }, { path: '/due_at/?' }, { path: '/lease_until/?' }, { path: '/tenant_id/?' }, { path: '/worker_id/?' }, { path: '/round/?' } ]
        excludedPaths: [ { path: '/*' } ]
      }
    }
  }
}

resource dataAccess 'Microsoft.DocumentDB/databaseAccounts/sqlRoleAssignments@2024-05-15' = {
  parent: account
  name: guid(account.id, principalId, dataContributor)
  properties: {
    roleDefinitionId: '${account.id}/sqlRoleDefinitions/${dataContributor}'
    principalId: principalId
    scope: account.id
  }
}

output endpoint string = account.properties.documentEndpoint
