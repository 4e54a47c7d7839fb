// Credentials recognised by their file's shape (the parsers are in ../credential-files.ts): .npmrc, docker
// config.json, .git-credentials, .netrc, .pypirc, kubeconfig. Every credential in them is reported.
import { BASE64_CHARS, draw, type Family } from './types.js'

export const credentialFiles: Family = {
  name: 'Credential files',
  source: 'https://docs.npmjs.com/cli/v10/configuring-npm/npmrc',
  rules: [
    { id: 'npmrc-auth', description: '.npmrc registry credential (_authToken, _auth or _password)', rank: 1 },
    { id: 'docker-config-auth', description: 'Docker config.json registry credential', rank: 1 },
    { id: 'git-credentials', description: '.git-credentials stored password or token', rank: 1 },
    { id: 'netrc-password', description: '.netrc password', rank: 1 },
    { id: 'pypirc-password', description: '.pypirc password', rank: 1 },
    { id: 'kubeconfig-credential', description: 'kubeconfig user token or password', rank: 1 }
  ],
  cases: [
    {
      rule: 'npmrc-auth',
      file: '.npmrc',
      make: r =>
        `${draw(r, 8, '0123456789abcdef')}-${draw(r, 4, '0123456789abcdef')}-4${draw(r, 3, '0123456789abcdef')}-a${draw(r, 3, '0123456789abcdef')}-${draw(r, 12, '0123456789abcdef')}`,
      content: v => `//registry.npmjs.org/:_authToken=${v}`,
      negatives: ['//registry.npmjs.org/:_authToken=${NPM_TOKEN}']
    },
    {
      rule: 'docker-config-auth',
      file: '.docker/config.json',
      make: r => Buffer.from(`robot:${draw(r, 20)}`).toString('base64'),
      content: v => `{\n  "auths": {\n    "ghcr.io": { "auth": "${v}" }\n  }\n}`,
      line: 3,
      negatives: ['{', '  "auths": { "ghcr.io": {} },', '  "credsStore": "desktop"', '}']
    },
    {
      rule: 'git-credentials',
      file: '.git-credentials',
      make: r => draw(r, 24),
      content: v => `https://robot:${v}@git.internal.corp`,
      negatives: ['https://robot:${GIT_TOKEN}@git.internal.corp']
    },
    {
      rule: 'netrc-password',
      file: '.netrc',
      make: r => draw(r, 16),
      content: v => `machine api.internal.corp login bob password ${v}`,
      negatives: ['machine api.internal.corp login bob password changeme']
    },
    {
      rule: 'pypirc-password',
      file: '.pypirc',
      make: r => draw(r, 24),
      content: v => `password = ${v}`,
      negatives: ['[pypi]', 'username = __token__', 'password = <your PyPI token>']
    },
    {
      rule: 'kubeconfig-credential',
      file: '.kube/config',
      make: r => `${draw(r, 24, 'abcdefghijklmnopqrstuvwxyz')}.${draw(r, 16, BASE64_CHARS.slice(0, 62))}`,
      content: v => `    token: ${v}`,
      negatives: ['users:', '- name: u', '  user:', '    token: <your-token>']
    }
  ]
}
