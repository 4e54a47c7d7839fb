// GitLab token prefixes, https://docs.gitlab.com/security/tokens/#token-prefixes: personal/project/group access
// `glpat-`, OAuth application secret `gloas-`, deploy `gldt-`, runner authentication `glrt-`, CI/CD job `glcbt-`,
// trigger `glptt-`, feed `glft-`, incoming mail `glimt-`, agent for Kubernetes `glagent-`, SCIM `glsoat-`, feature
// flags client `glffct-`; legacy runner registration tokens `GR1348941`.
import { prefixed, randomAfter } from './common.js'
import { TOKEN, TOKEN_CHARS, draw, type Family } from './types.js'

const KINDS: Record<string, string> = {
  glpat: 'gitlab-token',
  gloas: 'gitlab-oauth-secret',
  gldt: 'gitlab-deploy-token',
  glrt: 'gitlab-runner-token',
  glrtr: 'gitlab-runner-token',
  glcbt: 'gitlab-ci-job-token',
  glptt: 'gitlab-trigger-token',
  glft: 'gitlab-feed-token',
  glimt: 'gitlab-incoming-mail-token',
  glagent: 'gitlab-agent-token',
  glsoat: 'gitlab-scim-token',
  glffct: 'gitlab-feature-flags-token'
}

export const gitlab: Family = {
  name: 'GitLab',
  source: 'https://docs.gitlab.com/security/tokens/',
  rules: [
    { id: 'gitlab-token', description: 'GitLab personal, project or group access token' },
    { id: 'gitlab-oauth-secret', description: 'GitLab OAuth application secret' },
    { id: 'gitlab-deploy-token', description: 'GitLab deploy token' },
    { id: 'gitlab-runner-token', description: 'GitLab runner authentication or registration token' },
    { id: 'gitlab-ci-job-token', description: 'GitLab CI/CD job token' },
    { id: 'gitlab-trigger-token', description: 'GitLab pipeline trigger token' },
    { id: 'gitlab-feed-token', description: 'GitLab feed token' },
    { id: 'gitlab-incoming-mail-token', description: 'GitLab incoming mail token' },
    { id: 'gitlab-agent-token', description: 'GitLab agent for Kubernetes token' },
    { id: 'gitlab-scim-token', description: 'GitLab SCIM token' },
    { id: 'gitlab-feature-flags-token', description: 'GitLab feature flags client token' }
  ],
  tokens: [
    prefixed({
      rule: t => KINDS[t.slice(0, t.indexOf('-'))] ?? 'gitlab-token',
      anchors: Object.keys(KINDS)
        .filter(k => k !== 'glrtr')
        .map(k => `${k}-`),
      re: /gl(?:pat|oas|dt|rtr?|cbt|ptt|ft|imt|agent|soat|ffct)-[A-Za-z0-9_.-]{20,300}/y,
      maxLength: 310,
      tail: TOKEN,
      validate: t => !t.endsWith('.') && randomAfter(t.indexOf('-') + 1)(t)
    }),
    prefixed({ rule: 'gitlab-runner-token', anchors: ['GR1348941'], re: /GR1348941[A-Za-z0-9_-]{20}/y, maxLength: 29, tail: TOKEN })
  ],
  cases: [
    { rule: 'gitlab-token', key: 'GITLAB_TOKEN', make: r => `glpat-${draw(r, 20, TOKEN_CHARS)}`, negatives: ['glpat-xxxxxxxxxxxxxxxxxxxx'] },
    { rule: 'gitlab-token', key: 'GITLAB_PAT', make: r => `glpat-${draw(r, 27, TOKEN_CHARS)}.01.${draw(r, 9)}`, negatives: ['glpat-<your-token>'] },
    { rule: 'gitlab-oauth-secret', key: 'GITLAB_OAUTH_SECRET', make: r => `gloas-${draw(r, 64, TOKEN_CHARS)}`, negatives: ['gloas-...'] },
    { rule: 'gitlab-deploy-token', key: 'GITLAB_DEPLOY_TOKEN', make: r => `gldt-${draw(r, 20, TOKEN_CHARS)}`, negatives: ['gldt-XXXXXXXXXXXXXXXXXXXX'] },
    { rule: 'gitlab-runner-token', key: 'RUNNER_TOKEN', make: r => `glrt-${draw(r, 20, TOKEN_CHARS)}`, negatives: ['glrt-xxxxxxxxxxxxxxxxxxxx'] },
    { rule: 'gitlab-runner-token', key: 'REGISTRATION_TOKEN', make: r => `GR1348941${draw(r, 20, TOKEN_CHARS)}`, negatives: ['GR1348941xxxxxxxxxxxxxxxxxxxx'] },
    {
      rule: 'gitlab-ci-job-token',
      key: 'CI_JOB_TOKEN',
      make: r => `glcbt-${draw(r, 2, '0123456789abcdef')}_${draw(r, 20, TOKEN_CHARS)}`,
      negatives: ['glcbt-...']
    },
    {
      rule: 'gitlab-trigger-token',
      key: 'TRIGGER_TOKEN',
      make: r => `glptt-${draw(r, 40, '0123456789abcdef')}`,
      negatives: ['glptt-0000000000000000000000000000000000000000']
    },
    { rule: 'gitlab-feed-token', key: 'GITLAB_FEED_TOKEN', make: r => `glft-${draw(r, 20, TOKEN_CHARS)}`, negatives: ['glft-<feed token>'] },
    {
      rule: 'gitlab-incoming-mail-token',
      key: 'INCOMING_MAIL_TOKEN',
      make: r => `glimt-${draw(r, 25, TOKEN_CHARS)}`,
      negatives: ['glimt-xxxxxxxxxxxxxxxxxxxxxxxxx']
    },
    { rule: 'gitlab-agent-token', key: 'AGENT_TOKEN', make: r => `glagent-${draw(r, 50, TOKEN_CHARS)}`, negatives: ['glagent-...'] },
    { rule: 'gitlab-scim-token', key: 'SCIM_TOKEN', make: r => `glsoat-${draw(r, 20, TOKEN_CHARS)}`, negatives: ['glsoat-XXXXXXXXXXXXXXXXXXXX'] },
    { rule: 'gitlab-feature-flags-token', key: 'UNLEASH_TOKEN', make: r => `glffct-${draw(r, 20, TOKEN_CHARS)}`, negatives: ['glffct-xxxxxxxxxxxxxxxxxxxx'] }
  ]
}
