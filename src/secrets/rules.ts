// Every rule the scanner reports, with the description shown in annotations and SARIF. `rank` decides which of
// two findings on the same bytes is kept: the more specific one (lower rank).

export interface RuleInfo {
  id: string
  description: string
}

const RULE_TABLE = [
  // Known token formats
  ['github-classic-token', 'GitHub personal access token (classic)', 0],
  ['github-oauth-token', 'GitHub OAuth access token', 0],
  ['github-app-token', 'GitHub App user-to-server or installation token', 0],
  ['github-refresh-token', 'GitHub refresh token', 0],
  ['github-fine-grained-token', 'GitHub fine-grained personal access token', 0],
  ['npm-access-token', 'npm access token', 0],
  ['aws-access-key-id', 'AWS access key ID', 0],
  ['aws-secret-access-key', 'AWS secret access key', 0],
  ['aws-session-token', 'AWS session token', 1],
  ['slack-token', 'Slack token', 0],
  ['slack-webhook-url', 'Slack incoming webhook URL', 0],
  ['stripe-secret-key', 'Stripe secret or restricted API key', 0],
  ['google-api-key', 'Google API key', 0],
  ['pypi-token', 'PyPI API token', 0],
  ['gitlab-token', 'GitLab personal access token', 0],
  ['openai-api-key', 'OpenAI API key', 0],
  ['anthropic-api-key', 'Anthropic API key', 0],
  ['huggingface-token', 'Hugging Face access token', 0],
  ['sendgrid-api-key', 'SendGrid API key', 0],
  ['dockerhub-token', 'Docker Hub personal or organization access token', 0],
  ['twilio-api-key', 'Twilio API key SID next to its secret', 0],
  ['twilio-auth-token', 'Twilio auth token', 0],
  ['azure-storage-account-key', 'Azure storage account key', 0],
  ['grafana-service-account-token', 'Grafana service account token', 0],
  ['grafana-cloud-token', 'Grafana Cloud access policy token', 0],
  ['cloudflare-api-token', 'Cloudflare API token', 0],
  ['cloudflare-global-api-key', 'Cloudflare global API key', 0],
  ['cloudflare-origin-ca-key', 'Cloudflare origin CA key', 0],
  // Private keys
  ['private-key', 'Private key (PEM block with key material)', 0],
  ['putty-private-key', 'PuTTY private key', 0],
  ['gcp-service-account-key', 'Google Cloud service account private key', 0],
  ['kubeconfig-client-key', 'Kubernetes client key (client-key-data)', 0],
  // Credential files by shape
  ['npmrc-auth', '.npmrc registry credential (_authToken, _auth or _password)', 1],
  ['docker-config-auth', 'Docker config.json registry credential', 1],
  ['git-credentials', '.git-credentials stored password or token', 1],
  ['netrc-password', '.netrc password', 1],
  ['pypirc-password', '.pypirc password', 1],
  ['kubeconfig-credential', 'kubeconfig user token or password', 1],
  ['url-credentials', 'URL with an embedded password', 3],
  ['connection-string-password', 'Connection string with a password', 3],
  // Dockerfile
  ['dockerfile-secret-env', 'Dockerfile ENV with a secret-named variable and a literal value (baked into the image config)', 2],
  ['dockerfile-secret-arg', 'Dockerfile ARG with a secret-named variable and a literal default (kept in the image history)', 2],
  // Secret-named keys
  ['dotenv-secret', '.env file entry with a secret-named key and a literal value', 4],
  ['generic-secret', 'High-entropy value assigned to a secret-named key', 5]
] as const

export type RuleId = (typeof RULE_TABLE)[number][0]

export const RULES: ReadonlyArray<RuleInfo> = RULE_TABLE.map(([id, description]) => ({ id, description }))

const RANK = new Map<string, number>(RULE_TABLE.map(([id, , rank]) => [id, rank]))
const DESCRIPTION = new Map<string, string>(RULE_TABLE.map(([id, description]) => [id, description]))

export function ruleRank(id: string): number {
  return RANK.get(id) ?? 9
}

export function ruleDescription(id: string): string {
  return DESCRIPTION.get(id) ?? id
}
