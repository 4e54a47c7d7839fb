import { parseWwwAuthenticate, type Challenge } from '../../src/registry/www-authenticate.js'

describe('parseWwwAuthenticate', () => {
  // [header, challenges]
  const rows: [string, Challenge[]][] = [
    ['', []],
    ['Basic', [{ scheme: 'basic', params: {} }]],
    ['Basic realm="ohe-e2e"', [{ scheme: 'basic', params: { realm: 'ohe-e2e' } }]],
    // Docker Hub
    [
      'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/ubuntu:pull"',
      [
        {
          scheme: 'bearer',
          params: {
            realm: 'https://auth.docker.io/token',
            service: 'registry.docker.io',
            scope: 'repository:library/ubuntu:pull'
          }
        }
      ]
    ],
    // Commas inside a quoted value do not split parameters or challenges.
    [
      'Bearer realm="https://ghcr.io/token",service="ghcr.io",scope="repository:a/b:pull,push"',
      [
        {
          scheme: 'bearer',
          params: { realm: 'https://ghcr.io/token', service: 'ghcr.io', scope: 'repository:a/b:pull,push' }
        }
      ]
    ],
    // Scheme and parameter names are case-insensitive; values keep their case; whitespace around = and , is allowed.
    ['BEARER Realm = "http://h/T" ,  Service="S"', [{ scheme: 'bearer', params: { realm: 'http://h/T', service: 'S' } }]],
    // Unquoted values, including a non-compliant scope with colons and a slash.
    [
      'Bearer realm=http://127.0.0.1:1/token,service=test,scope=repository:a/b:pull',
      [{ scheme: 'bearer', params: { realm: 'http://127.0.0.1:1/token', service: 'test', scope: 'repository:a/b:pull' } }]
    ],
    // Several scopes separated by a space stay one value.
    [
      'Bearer realm="r",scope="repository:a:pull repository:b:pull"',
      [{ scheme: 'bearer', params: { realm: 'r', scope: 'repository:a:pull repository:b:pull' } }]
    ],
    // Escapes inside quoted strings.
    ['Basic realm="a \\"quoted\\" \\\\ realm"', [{ scheme: 'basic', params: { realm: 'a "quoted" \\ realm' } }]],
    // Two challenges in one header, as Headers.get joins repeated headers.
    [
      'Basic realm="x", Bearer realm="https://auth/token",service="s"',
      [
        { scheme: 'basic', params: { realm: 'x' } },
        { scheme: 'bearer', params: { realm: 'https://auth/token', service: 's' } }
      ]
    ],
    [
      'Basic, Bearer realm="y"',
      [
        { scheme: 'basic', params: {} },
        { scheme: 'bearer', params: { realm: 'y' } }
      ]
    ],
    // token68 forms.
    ['Negotiate dGVzdA==', [{ scheme: 'negotiate', params: {}, token68: 'dGVzdA==' }]],
    [
      'Negotiate a+b/c, Basic realm="z"',
      [
        { scheme: 'negotiate', params: {}, token68: 'a+b/c' },
        { scheme: 'basic', params: { realm: 'z' } }
      ]
    ],
    // The error parameter registries add when a token lacks a scope.
    [
      'Bearer realm="r",service="s",scope="repository:a/b:pull",error="insufficient_scope"',
      [{ scheme: 'bearer', params: { realm: 'r', service: 's', scope: 'repository:a/b:pull', error: 'insufficient_scope' } }]
    ],
    // The first occurrence of a parameter wins; empty quoted values are kept.
    ['Bearer realm="first",realm="second",service=""', [{ scheme: 'bearer', params: { realm: 'first', service: '' } }]],
    // An unterminated quoted string takes the rest of the header.
    ['Bearer realm="https://x/token', [{ scheme: 'bearer', params: { realm: 'https://x/token' } }]],
    // Stray separators and garbage do not stop the parse.
    [',, Basic realm="x" ,,', [{ scheme: 'basic', params: { realm: 'x' } }]],
    ['Bearer realm="r", @@@, service="s"', [{ scheme: 'bearer', params: { realm: 'r', service: 's' } }]],
    // Names that exist on Object.prototype are plain parameters; __proto__ is dropped.
    ['Bearer constructor="c",__proto__="p",realm="r"', [{ scheme: 'bearer', params: { constructor: 'c', realm: 'r' } }]],
    // A parameter before any scheme belongs to nothing.
    ['realm="x"', []]
  ]

  it.each(rows)('%j', (header, expected) => {
    expect(parseWwwAuthenticate(header)).toEqual(expected)
  })
})
