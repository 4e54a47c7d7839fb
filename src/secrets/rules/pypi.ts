// PyPI API tokens: macaroons serialised as `pypi-AgEIcHlwaS5vcmc…` (the base64 of the location `pypi.org`),
// https://pypi.org/help/#apitoken
import { prefixed } from './common.js'
import { TOKEN, TOKEN_CHARS, draw, type Family } from './types.js'

export const pypi: Family = {
  name: 'PyPI',
  source: 'https://pypi.org/help/#apitoken',
  rules: [{ id: 'pypi-token', description: 'PyPI API token' }],
  tokens: [prefixed({ rule: 'pypi-token', anchors: ['pypi-AgEIcHlwaS5vcmc'], re: /pypi-AgEIcHlwaS5vcmc[A-Za-z0-9_-]{50,400}/y, maxLength: 420, tail: TOKEN })],
  cases: [{ rule: 'pypi-token', key: 'PYPI_TOKEN', make: r => `pypi-AgEIcHlwaS5vcmc${draw(r, 150, TOKEN_CHARS)}`, negatives: ['pypi-AgEIcHlwaS5vcmc...'] }]
}
