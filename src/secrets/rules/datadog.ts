// Datadog API keys (32 hex) and application keys (40 hex) under Datadog-named keys.
// https://docs.datadoghq.com/account_management/api-app-keys/
import { isKeyShaped } from '../values.js'
import { HEX_CHARS, draw, type Family } from './types.js'

export const datadog: Family = {
  name: 'Datadog',
  source: 'https://docs.datadoghq.com/account_management/api-app-keys/',
  rules: [
    { id: 'datadog-api-key', description: 'Datadog API key' },
    { id: 'datadog-app-key', description: 'Datadog application key' }
  ],
  keywords: ['app_key', 'appkey', 'application_key'],
  keyed: [
    { key: /^(?:datadog|dd).*apikey$/, value: /^[a-f0-9]{32}$/, rule: 'datadog-api-key', validate: isKeyShaped },
    { key: /^(?:datadog|dd).*(?:appkey|applicationkey)$/, value: /^[a-f0-9]{40}$/, rule: 'datadog-app-key', validate: isKeyShaped }
  ],
  cases: [
    {
      rule: 'datadog-api-key',
      key: 'DD_API_KEY',
      keyed: true,
      file: 'settings.env.txt',
      content: v => `DD_API_KEY=${v}`,
      make: r => draw(r, 32, HEX_CHARS),
      negatives: ['DD_API_KEY=<api key>']
    },
    {
      rule: 'datadog-app-key',
      key: 'DD_APP_KEY',
      keyed: true,
      file: 'settings.env.txt',
      content: v => `DD_APP_KEY=${v}`,
      make: r => draw(r, 40, HEX_CHARS),
      negatives: ['DD_APP_KEY=0000000000000000000000000000000000000000']
    }
  ]
}
