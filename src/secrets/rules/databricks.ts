// Databricks personal access tokens `dapi` + 32 hex (optionally `-<digit>`).
// https://docs.databricks.com/aws/en/dev-tools/auth/pat
import { prefixed } from './common.js'
import { ALNUM, HEX_CHARS, TOKEN, draw, type Family } from './types.js'

export const databricks: Family = {
  name: 'Databricks',
  source: 'https://docs.databricks.com/aws/en/dev-tools/auth/pat',
  rules: [{ id: 'databricks-token', description: 'Databricks personal access token' }],
  tokens: [prefixed({ rule: 'databricks-token', anchors: ['dapi'], re: /dapi[a-f0-9]{32}(?:-[0-9])?/y, maxLength: 38, lead: ALNUM, tail: TOKEN })],
  cases: [
    {
      rule: 'databricks-token',
      key: 'DATABRICKS_TOKEN',
      make: r => `dapi${draw(r, 32, HEX_CHARS)}`,
      negatives: ['dapi00000000000000000000000000000000', 'dapixxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx']
    }
  ]
}
