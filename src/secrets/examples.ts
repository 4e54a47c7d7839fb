// Values that providers and standards publish as examples in their documentation: never a finding. Kept by
// SHA-256 (the values themselves would trip push protection and this scanner), each with where it is published.
// To add one: `node -e "console.log(require('crypto').createHash('sha256').update(process.argv[1]).digest('hex'))" '<value>'`
// with the value exactly as the rule reports it (a PEM key: its base64 body without line breaks).
import { createHash } from 'node:crypto'

export interface DocumentedExample {
  sha256: string
  what: string
  source: string
}

export const DOCUMENTED_EXAMPLES: readonly DocumentedExample[] = [
  {
    sha256: '78314b11be2e581549ac1c4f616563fad3fdf0c3b71678f6e2299182080e0598',
    what: 'AWS example secret access key (wJalr…EXAMPLEKEY)',
    source: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/security-creds.html'
  },
  {
    sha256: '0011cc25eb4320717494d2703e8cba85743e71b500283c21c8b88147992f9059',
    what: 'Azurite / Azure Storage Emulator well-known account key for devstoreaccount1',
    source: 'https://learn.microsoft.com/en-us/azure/storage/common/storage-use-azurite#http-connection-strings'
  },
  {
    sha256: '7f75367e7881255134e1375e723d1dea8ad5f6a4fdb79d938df1f1754a830606',
    what: "jwt.io's sample HS256 token (sub 1234567890, name John Doe)",
    source: 'https://jwt.io/'
  },
  {
    sha256: '2cafc0970149a84f3b9e62eaf169f36f59907a3b3e31f7b82e68c69cd27f7326',
    what: "Stripe's documented sample test-mode secret key",
    source: 'https://docs.stripe.com/api/authentication'
  },
  {
    sha256: '6c96130f130ab0d6d158397e24d2bcc1c9a5e73ae081f6e983f1c7b545d24a4c',
    what: 'OAuth 2.0 sample access token (2YotnFZ…)',
    source: 'https://www.rfc-editor.org/rfc/rfc6749#section-4.1.4'
  },
  {
    sha256: 'ca7459e2b26776de081b9a07e40227fd6cff232a1e3233ff6b6aa6d036ca9981',
    what: 'OAuth 2.0 sample client credentials in a Basic Authorization header (s6BhdRkqt3:gX1fBat3bV)',
    source: 'https://www.rfc-editor.org/rfc/rfc6749#section-4.1.3'
  },
  {
    sha256: 'cf4d418ed3de92d71f767db5391d5a2dacd40e1ce49e75d1137e2ecf4982d844',
    what: 'HTTP Basic authentication sample credentials (Aladdin:open sesame)',
    source: 'https://www.rfc-editor.org/rfc/rfc7617#section-2'
  },
  {
    sha256: '9d03b692e941d5ace207a9f8048834439f6de98e5c6c1590c22c4f4577c88a42',
    what: 'OAuth 1.0 sample token credentials (ad180jj…)',
    source: 'https://www.rfc-editor.org/rfc/rfc5849#section-1.2'
  },
  {
    sha256: 'bf145d9380bbe05bdc1a72525796b224f8a8c93ae0e9e102eafbc255ac1af9e8',
    what: 'PyJWT\'s usage example token ({"some": "payload"} signed with "secret")',
    source: 'https://pyjwt.readthedocs.io/en/stable/'
  },
  {
    sha256: 'e4902a0b38812b15ed5701b17fd4fd8c69d7e176d7517fa791981dc77e3b5e0d',
    what: 'Google Maps Platform sample API key (AIzaSyB41…) loaded by the Maps JavaScript API code samples',
    source: 'https://developers.google.com/maps/documentation/javascript/examples'
  },
  {
    sha256: '98d808174a53ca07f899276596236a238e0f16a689e462430ad8a0eefa038f86',
    what: 'azure-common get_client_from_json_dict docstring sample clientSecret',
    source: 'https://github.com/Azure/azure-sdk-for-python/blob/main/sdk/core/azure-common/azure/common/client_factory.py'
  }
]

const HASHES = new Set(DOCUMENTED_EXAMPLES.map(e => e.sha256))

export function isDocumentedExample(value: string): boolean {
  return HASHES.has(createHash('sha256').update(value).digest('hex'))
}

const COMMENT = /(?:^|\s)(?:#|\/\/|\/\*|\*|--|;|<!--|"""|''')/
const EXAMPLE_WORDS = /\b(?:example|examples|for instance|sample|placeholder|dummy|fake)\b|\be\.g\./i

/** A value in a comment line that says it is an example (`# e.g. token: …`): documentation, not configuration. */
export function isExampleLine(line: string, valueAt: number): boolean {
  const before = line.slice(0, valueAt)
  const comment = COMMENT.exec(before)
  if (comment === null) return false
  return EXAMPLE_WORDS.test(line)
}
