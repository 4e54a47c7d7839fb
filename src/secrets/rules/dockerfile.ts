// Dockerfile ENV and ARG with a secret-named variable and a literal value (the reader is ../dockerfile.ts;
// its cases are in __tests__/secrets, because only the scanned Dockerfile is read as one).
import type { Family } from './types.js'

export const dockerfile: Family = {
  name: 'Dockerfile',
  source: 'https://docs.docker.com/reference/build-checks/secrets-used-in-arg-or-env/',
  rules: [
    { id: 'dockerfile-secret-env', description: 'Dockerfile ENV with a secret-named variable and a literal value (baked into the image config)', rank: 2 },
    { id: 'dockerfile-secret-arg', description: 'Dockerfile ARG with a secret-named variable and a literal default (kept in the image history)', rank: 2 }
  ],
  cases: []
}
