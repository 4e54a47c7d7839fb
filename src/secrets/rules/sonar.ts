// SonarQube tokens `squ_` (user), `sqp_` (project), `sqa_` (global analysis) + 40 hex; legacy 40-hex tokens under a Sonar-named key.
// https://docs.sonarsource.com/sonarqube-server/latest/user-guide/managing-tokens/
import { isKeyShaped } from '../values.js'
import { prefixed } from './common.js'
import { HEX_CHARS, draw, type Family } from './types.js'

export const sonar: Family = {
  name: 'SonarQube / SonarCloud',
  source: 'https://docs.sonarsource.com/sonarqube-server/latest/user-guide/managing-tokens/',
  rules: [{ id: 'sonar-token', description: 'SonarQube or SonarCloud token' }],
  keywords: ['sonar'],
  tokens: [prefixed({ rule: 'sonar-token', anchors: ['squ_', 'sqp_', 'sqa_'], re: /sq[upa]_[a-f0-9]{40}/y, maxLength: 44 })],
  keyed: [{ key: /sonar.*(?:token|login)$/, value: /^[a-f0-9]{40}$/, rule: 'sonar-token', validate: isKeyShaped }],
  cases: [
    { rule: 'sonar-token', key: 'SONAR_TOKEN', make: r => `squ_${draw(r, 40, HEX_CHARS)}`, negatives: ['squ_0000000000000000000000000000000000000000'] },
    {
      rule: 'sonar-token',
      key: 'SONAR_TOKEN',
      keyed: true,
      file: 'settings.env.txt',
      content: v => `SONAR_TOKEN=${v}`,
      make: r => draw(r, 40, HEX_CHARS),
      negatives: ['SONAR_TOKEN=0000000000000000000000000000000000000000']
    }
  ]
}
