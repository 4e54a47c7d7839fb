import { tmpdir } from 'node:os'
import { readRunnerFacts, type RunnerFacts } from '../src/runner.js'

const rows: Array<[string, NodeJS.ProcessEnv, RunnerFacts]> = [
  [
    'off a runner: the working directory, the system temp dir, github.com',
    {},
    { workspace: '/cwd', tempDir: tmpdir(), apiUrl: 'https://api.github.com', oidc: false, oidcIssuer: 'https://token.actions.githubusercontent.com' }
  ],
  [
    'on a runner: every fact from its variables',
    {
      GITHUB_WORKSPACE: '/home/runner/work/app/app',
      RUNNER_TEMP: '/home/runner/work/_temp',
      GITHUB_API_URL: 'https://ghes.example/api/v3',
      GITHUB_SHA: 'a1b2c3d',
      GITHUB_SERVER_URL: 'https://ghes.example',
      GITHUB_REPOSITORY: 'acme/sandbox',
      GITHUB_STEP_SUMMARY: '/home/runner/summary',
      GITHUB_RUN_ID: '42',
      GITHUB_RUN_ATTEMPT: '2',
      GITHUB_WORKFLOW_REF: 'acme/sandbox/.github/workflows/publish.yml@refs/heads/main',
      ACTIONS_ID_TOKEN_REQUEST_URL: 'https://ghes.example/_services/token/request',
      ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'runtime-token'
    },
    {
      workspace: '/home/runner/work/app/app',
      tempDir: '/home/runner/work/_temp',
      apiUrl: 'https://ghes.example/api/v3',
      sha: 'a1b2c3d',
      repositoryUrl: 'https://ghes.example/acme/sandbox',
      summaryFile: '/home/runner/summary',
      runUrl: 'https://ghes.example/acme/sandbox/actions/runs/42/attempts/2',
      oidc: true,
      oidcIssuer: 'https://ghes.example/_services/token',
      workflowIdentity: 'https://ghes.example/acme/sandbox/.github/workflows/publish.yml@refs/heads/main'
    }
  ],
  [
    'empty variables count as unset; a repository URL needs both parts',
    { GITHUB_WORKSPACE: '', GITHUB_SHA: '', GITHUB_REPOSITORY: 'acme/sandbox', ACTIONS_ID_TOKEN_REQUEST_URL: 'https://x/token' },
    { workspace: '/cwd', tempDir: tmpdir(), apiUrl: 'https://api.github.com', oidc: false, oidcIssuer: 'https://token.actions.githubusercontent.com' }
  ]
]

test.each(rows)('%s', (_what, env, expected) => {
  expect(readRunnerFacts(env, '/cwd')).toEqual(expected)
})
