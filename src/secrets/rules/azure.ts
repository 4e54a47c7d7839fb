// Azure storage account keys (88 base64 characters ending `==`) in connection strings:
// https://learn.microsoft.com/en-us/azure/storage/common/storage-configure-connection-string
import { isPlaceholder, shannonEntropy } from '../values.js'
import { ALNUM, BASE64, BASE64_CHARS, draw, type Family } from './types.js'

export const azure: Family = {
  name: 'Azure',
  source: 'https://learn.microsoft.com/en-us/azure/storage/common/storage-configure-connection-string',
  rules: [{ id: 'azure-storage-account-key', description: 'Azure storage account key' }],
  tokens: [
    {
      anchors: ['AccountKey='],
      caseInsensitive: true,
      re: /AccountKey=([A-Za-z0-9+/]{86}==)/iy,
      maxLength: 99,
      rule: 'azure-storage-account-key',
      lead: ALNUM,
      tail: BASE64,
      group: 1,
      validate: k => !isPlaceholder(k, true) && shannonEntropy(k) > 4.5
    }
  ],
  cases: [
    {
      rule: 'azure-storage-account-key',
      key: 'AZURE_STORAGE_CONNECTION_STRING',
      make: r => `DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=${draw(r, 86, BASE64_CHARS)}==;EndpointSuffix=core.windows.net`,
      raw: v => /AccountKey=([^;]+)/.exec(v)?.[1] ?? v,
      negatives: ['DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=<storage-key>;']
    }
  ]
}
