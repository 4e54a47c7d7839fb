import { credentialKind } from '../../src/secrets/credential-files.js'

describe('credentialKind', () => {
  it.each([
    ['.npmrc', 'app', 'npmrc'],
    ['config.json', '.docker', 'docker-config'],
    ['config.json', 'settings', undefined],
    ['.git-credentials', 'home', 'git-credentials'],
    ['.netrc', 'home', 'netrc'],
    ['.pypirc', 'home', 'pypirc'],
    ['config', '.kube', 'kubeconfig'],
    ['config', 'kube', 'kubeconfig'],
    ['config', 'app', undefined],
    ['kubeconfig', 'deploy', 'kubeconfig'],
    ['prod.kubeconfig', 'deploy', 'kubeconfig'],
    ['kubeconfig-staging.yaml', 'deploy', 'kubeconfig'],
    ['credentials', '.aws', 'aws-credentials'],
    ['credentials', 'app', undefined]
  ])('%s in %s', (name, parent, expected) => {
    expect(credentialKind(name, parent)).toBe(expected)
  })
})
