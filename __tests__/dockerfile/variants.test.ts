import { judgeTag } from '../../src/dockerfile/base-tag.js'
import { parseVersion } from '../../src/grammar.js'

const release = parseVersion('1.41.0')
if (!release) throw new Error('1.41.0 is a version')

describe('judgeTag with the published variants, hyphenated ones included', () => {
  it.each([
    ['1.41.0-python', 'python', { ok: true, version: '1.41.0' }],
    ['1.41.0-python-slim', 'python-slim', { ok: true, version: '1.41.0' }],
    ['1.41.0-python-minimal', 'python-minimal', { ok: true, version: '1.41.0' }],
    ['1.41.0-golang', 'golang', { ok: true, version: '1.41.0' }],
    ['1.41.0-python-slim', 'python', { ok: false, problem: 'Base image tag 1.41.0-python-slim is the python-slim variant, not python' }],
    ['1.41.0-python', 'python-slim', { ok: false, problem: 'Base image tag 1.41.0-python is the python variant, not python-slim' }],
    ['1.41.0-python-minimal', 'python-slim', { ok: false, problem: 'Base image tag 1.41.0-python-minimal is the python-minimal variant, not python-slim' }],
    ['1.40.0-python-slim', 'python-slim', { ok: false, problem: 'Base image tag 1.40.0-python-slim does not match agent-server 1.41.0', version: '1.40.0' }],
    ['latest-python-slim', 'python-slim', { ok: false, problem: 'Base image tag latest-python-slim follows the main branch, not agent-server 1.41.0' }]
  ])('%s with variant %s', (tag, variant, verdict) => {
    expect(judgeTag(tag, undefined, `ghcr.io/openhands/agent-server:${tag}`, { variant, release, match: 'exact' })).toEqual(verdict)
  })
})
