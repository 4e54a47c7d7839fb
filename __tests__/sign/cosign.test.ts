import { UserError } from '../../src/errors.js'
import {
  cosignPassThrough,
  cosignSecrets,
  cosignSignArgs,
  isCosignKey,
  oidcIssuer,
  signMode,
  verifyCommand,
  type SignMode,
  type SignSettings,
  type SigningFacts
} from '../../src/sign/cosign.js'

// Made here, never a real key: only its shape matters.
const pem = ['-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----', 'x'.repeat(64), '-----END ENCRYPTED SIGSTORE PRIVATE KEY-----'].join('\n')
const settings = (changes: Partial<SignSettings> = {}): SignSettings => ({
  sign: true,
  'cosign-key': '',
  'cosign-password': '',
  'sign-tlog-upload': true,
  ...changes
})
const github: SigningFacts = {
  oidc: true,
  oidcIssuer: 'https://token.actions.githubusercontent.com',
  workflowIdentity: 'https://github.com/acme/sandbox/.github/workflows/publish.yml@refs/heads/main'
}
const ref = 'ghcr.io/acme/sandbox@sha256:' + 'a'.repeat(64)

describe('signMode', () => {
  const rows: Array<[string, SignSettings, SigningFacts, SignMode]> = [
    ['an OIDC token and no key: keyless', settings(), github, { kind: 'keyless' }],
    ['a key wins over the token (the explicit choice)', settings({ 'cosign-key': pem }), github, { kind: 'key', key: 'env' }],
    ['a key without a token', settings({ 'cosign-key': pem }), { ...github, oidc: false }, { kind: 'key', key: 'env' }],
    ['a KMS URI is passed as it is', settings({ 'cosign-key': ' awskms:///alias/sandbox ' }), github, { kind: 'key', key: 'awskms:///alias/sandbox' }]
  ]
  test.each(rows)('%s', (_what, given, facts, mode) => {
    expect(signMode(given, facts)).toEqual(mode)
  })

  it('neither a key nor a token: says both ways', () => {
    expect(() => signMode(settings(), { ...github, oidc: false })).toThrow(
      new UserError(
        'sign is true, but there is no way to sign: give the job `permissions: id-token: write` to sign keyless with its GitHub OIDC token, ' +
          'or set cosign-key (and cosign-password) from secrets, e.g. cosign-key: ${{ secrets.COSIGN_PRIVATE_KEY }}.'
      )
    )
  })
})

describe('cosignSignArgs', () => {
  // [row, mode, tlog upload, exact argv]: the key is never in argv, only its env:// name.
  const rows: Array<[number, SignMode, boolean, string[]]> = [
    [1, { kind: 'keyless' }, true, ['sign', '--yes', '--oidc-provider', 'github-actions', ref]],
    [2, { kind: 'keyless' }, false, ['sign', '--yes', '--oidc-provider', 'github-actions', '--tlog-upload=false', ref]],
    [3, { kind: 'key', key: 'env' }, true, ['sign', '--yes', '--key', 'env://COSIGN_PRIVATE_KEY', ref]],
    [4, { kind: 'key', key: 'env' }, false, ['sign', '--yes', '--key', 'env://COSIGN_PRIVATE_KEY', '--tlog-upload=false', ref]],
    [
      5,
      { kind: 'key', key: 'gcpkms://projects/p/locations/global/keyRings/r/cryptoKeys/k' },
      true,
      ['sign', '--yes', '--key', 'gcpkms://projects/p/locations/global/keyRings/r/cryptoKeys/k', ref]
    ]
  ]
  test.each(rows)('%i', (_row, mode, tlog, argv) => {
    expect(cosignSignArgs(mode, ref, tlog)).toEqual(argv)
  })
})

describe("cosign's environment", () => {
  it('the key text and its password go in the environment, for a PEM key only', () => {
    expect(cosignSecrets({ kind: 'key', key: 'env' }, settings({ 'cosign-key': pem, 'cosign-password': 'pw' }))).toEqual({
      COSIGN_PRIVATE_KEY: pem,
      COSIGN_PASSWORD: 'pw'
    })
    expect(cosignSecrets({ kind: 'key', key: 'awskms:///alias/a' }, settings({ 'cosign-key': 'awskms:///alias/a' }))).toEqual({ COSIGN_PASSWORD: '' })
    expect(cosignSecrets({ kind: 'keyless' }, settings())).toEqual({})
  })

  it("passes cosign's and Sigstore's settings and the OIDC request variables, never an input or the runner's key", () => {
    const env = {
      PATH: '/usr/bin',
      COSIGN_EXPERIMENTAL: '1',
      SIGSTORE_REKOR_URL: 'https://rekor.example',
      TUF_ROOT: '/tuf',
      ACTIONS_ID_TOKEN_REQUEST_URL: 'https://x/token',
      ACTIONS_ID_TOKEN_REQUEST_TOKEN: 't',
      COSIGN_PRIVATE_KEY: 'user key',
      COSIGN_PASSWORD: 'user password',
      'INPUT_COSIGN-KEY': 'input',
      GITHUB_TOKEN: 'g'
    }
    expect(cosignPassThrough(env)).toEqual([
      'COSIGN_EXPERIMENTAL',
      'SIGSTORE_REKOR_URL',
      'TUF_ROOT',
      'ACTIONS_ID_TOKEN_REQUEST_URL',
      'ACTIONS_ID_TOKEN_REQUEST_TOKEN'
    ])
  })
})

describe('verifyCommand', () => {
  it('keyless: the workflow identity and the issuer the certificate records', () => {
    expect(verifyCommand({ kind: 'keyless' }, ref, github, true)).toBe(
      'cosign verify --certificate-identity https://github.com/acme/sandbox/.github/workflows/publish.yml@refs/heads/main ' +
        `--certificate-oidc-issuer https://token.actions.githubusercontent.com ${ref}`
    )
  })
  it('with a key: the public key, and no transparency log when none was written', () => {
    expect(verifyCommand({ kind: 'key', key: 'env' }, ref, github, false)).toBe(`cosign verify --key cosign.pub --insecure-ignore-tlog=true ${ref}`)
  })
  it('quotes what a shell would split', () => {
    expect(
      verifyCommand({ kind: 'keyless' }, ref, { ...github, workflowIdentity: "https://github.com/a/b/.github/workflows/my flow.yml@refs/heads/it's" }, true)
    ).toContain(`'https://github.com/a/b/.github/workflows/my flow.yml@refs/heads/it'\\''s'`)
  })
  it.each([
    [undefined, 'https://token.actions.githubusercontent.com'],
    ['https://github.com', 'https://token.actions.githubusercontent.com'],
    ['https://ghes.example', 'https://ghes.example/_services/token']
  ])('the issuer for %s', (server, issuer) => {
    expect(oidcIssuer(server)).toBe(issuer)
  })
})

describe('isCosignKey', () => {
  it.each([
    [pem, true],
    ['-----BEGIN PRIVATE KEY-----\nabc\n-----END PRIVATE KEY-----', true],
    ['hashivault://sandbox', true],
    ['cosign.key', false],
    ['not a key', false]
  ])('%j', (text, ok) => {
    expect(isCosignKey(text)).toBe(ok)
  })
})
