// 1Password service account tokens `ops_eyJ…` (base64 JSON).
// https://developer.1password.com/docs/service-accounts/
import { prefixed } from './common.js'
import { BASE64, DIGITS, HEX_CHARS, LOWER, TOKEN_CHARS, UPPER, draw, type Family } from './types.js'

export const onePassword: Family = {
  name: '1Password',
  source: 'https://developer.1password.com/docs/service-accounts/',
  rules: [{ id: '1password-service-account-token', description: '1Password service account token' }],
  tokens: [
    prefixed({
      rule: '1password-service-account-token',
      anchors: ['ops_eyJ'],
      re: /ops_eyJ[A-Za-z0-9+/=_-]{100,1500}/y,
      maxLength: 1510,
      tail: BASE64,
      prefix: 4,
      minEntropy: 4
    })
  ],
  cases: [
    {
      rule: '1password-service-account-token',
      key: 'OP_SERVICE_ACCOUNT_TOKEN',
      make: r =>
        `ops_${Buffer.from(
          JSON.stringify({
            signInAddress: 'my.1password.com',
            userAuth: { method: 'SRPg-4096', alg: 'PBES2g-HS256', iterations: 650000, salt: draw(r, 22) },
            email: `${draw(r, 10, LOWER)}@1passwordserviceaccounts.com`,
            srpX: draw(r, 64, HEX_CHARS),
            muk: { alg: 'A256GCM', ext: true, k: draw(r, 43, TOKEN_CHARS), key_ops: ['encrypt', 'decrypt'], kty: 'oct', kid: 'mp' },
            secretKey: `A3-${draw(r, 6, UPPER + DIGITS)}-${draw(r, 11, UPPER + DIGITS)}`,
            throttleSecret: { seed: draw(r, 64, HEX_CHARS), uuid: draw(r, 26, UPPER + DIGITS) },
            deviceUuid: draw(r, 26, LOWER + DIGITS)
          })
        )
          .toString('base64')
          .replace(/=+$/, '')}`,
      negatives: ['ops_eyJ...']
    }
  ]
}
