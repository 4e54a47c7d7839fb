import { layerInstructions, layerOrigins, showInstruction } from '../../src/verify/history.js'
import { customHistory } from '../../src/verify/image-scan.js'
import { findingLine } from '../../src/verify/instruction-line.js'
import { redactHint } from '../../src/secrets/values.js'
import { checksummed } from '../secrets/fixtures.js'

describe('showInstruction', () => {
  it.each([
    ['/bin/sh -c #(nop)  ENV PATH=/usr/bin', 'ENV PATH=…'],
    ['/bin/sh -c #(nop)  CMD ["sh"]', 'CMD ["sh"]'],
    ['/bin/sh -c echo hi', 'RUN echo hi'],
    ['RUN /bin/sh -c apt-get update # buildkit', 'RUN apt-get update'],
    ['RUN |1 NPM_TOKEN=npm_abc /bin/sh -c npm ci # buildkit', 'RUN npm ci (with build args NPM_TOKEN)'],
    ['RUN |2 A=1 B="two words" /bin/sh -c make # buildkit', 'RUN make (with build args A, B)'],
    ['ENV GITHUB_TOKEN=ghp_x OTHER="a b"', 'ENV GITHUB_TOKEN=… OTHER=…'],
    ['ARG TOKEN=default', 'ARG TOKEN=…'],
    ['COPY deploy_key /root/.ssh/id_ed25519 # buildkit', 'COPY deploy_key /root/.ssh/id_ed25519'],
    ['USER openhands', 'USER openhands'],
    [`RUN /bin/sh -c ${'x'.repeat(200)}`, `RUN ${'x'.repeat(155)}…`]
  ])('%j -> %j', (createdBy, shown) => {
    expect(showInstruction(createdBy)).toBe(shown)
  })
})

describe('layerInstructions', () => {
  const history = [
    { created_by: 'base layer' },
    { created_by: 'ENTRYPOINT ["tini"]', empty_layer: true },
    { created_by: 'ARG NPM_TOKEN', empty_layer: true },
    { created_by: 'RUN |1 NPM_TOKEN=x /bin/sh -c echo > /root/.npmrc # buildkit' },
    { created_by: 'USER openhands', empty_layer: true },
    { created_by: 'COPY a /a # buildkit' }
  ]

  it('maps each history entry that made a layer to that layer, in order', () => {
    expect(layerInstructions(history, 3)).toEqual(['base layer', 'RUN echo > /root/.npmrc (with build args NPM_TOKEN)', 'COPY a /a'])
  })

  it('aligns a short history at the top and says (unknown) below it', () => {
    expect(layerInstructions(history.slice(3), 4)).toEqual(['(unknown)', '(unknown)', 'RUN echo > /root/.npmrc (with build args NPM_TOKEN)', 'COPY a /a'])
    expect(layerInstructions(undefined, 1)).toEqual(['(unknown)'])
  })

  it('takes the history after the base layers, with the layer each entry made', () => {
    expect(customHistory(history, 1)).toEqual([
      { createdBy: 'ENTRYPOINT ["tini"]', instruction: 'ENTRYPOINT ["tini"]', step: 1 },
      { createdBy: 'ARG NPM_TOKEN', instruction: 'ARG NPM_TOKEN', step: 2 },
      { createdBy: history[3]?.created_by, instruction: 'RUN echo > /root/.npmrc (with build args NPM_TOKEN)', step: 3, layer: 1 },
      { createdBy: 'USER openhands', instruction: 'USER openhands', step: 4 },
      { createdBy: 'COPY a /a # buildkit', instruction: 'COPY a /a', step: 5, layer: 2 }
    ])
    expect(customHistory(history, 0)).toHaveLength(6)
    expect(customHistory(history, 3)).toEqual([])
  })
})

describe('layerOrigins', () => {
  // As every engine records the Dockerfiles: the base imported, empty USER/ENV entries, and a RUN that
  // changed nothing still making a (empty) layer.
  const history = [
    { created_by: '', comment: 'Imported from -' },
    { created_by: 'USER root', empty_layer: true },
    { created_by: 'COPY tok.env /tmp/tok.env # buildkit' },
    { created_by: 'RUN /bin/sh -c rm /tmp/tok.env # buildkit' },
    { created_by: 'RUN /bin/sh -c echo "token=x" > /tmp/t && rm /tmp/t # buildkit' },
    { created_by: 'ENV A=b', empty_layer: true },
    { created_by: 'USER openhands', empty_layer: true }
  ]

  it.each([
    [
      'one layer per entry without empty_layer',
      history,
      4,
      [
        { step: 0, instruction: '' },
        { step: 2, instruction: 'COPY tok.env /tmp/tok.env' },
        { step: 3, instruction: 'RUN rm /tmp/tok.env' },
        { step: 4, instruction: 'RUN echo "token=x" > /tmp/t && rm /tmp/t' }
      ]
    ],
    [
      'a history short of layers: aligned at the top',
      history.slice(2),
      4,
      [
        { instruction: '(unknown)' },
        { step: 0, instruction: 'COPY tok.env /tmp/tok.env' },
        { step: 1, instruction: 'RUN rm /tmp/tok.env' },
        { step: 2, instruction: 'RUN echo "token=x" > /tmp/t && rm /tmp/t' }
      ]
    ],
    ['no history', undefined, 2, [{ instruction: '(unknown)' }, { instruction: '(unknown)' }]],
    ['only empty entries after the layers', [{ created_by: 'base' }, { created_by: 'USER x', empty_layer: true }], 1, [{ step: 0, instruction: 'base' }]]
  ])('%s', (_, entries, layers, origins) => {
    expect(layerOrigins(entries, layers)).toEqual(origins)
  })
})

describe('findingLine', () => {
  const token = checksummed('ghp_')
  const dockerfile = [
    'FROM 127.0.0.1:5000/openhands/agent-server:1.41.0-python',
    'USER root',
    'COPY tok.env /tmp/tok.env',
    'RUN rm /tmp/tok.env',
    `RUN echo "token=${token}" > /tmp/t && rm /tmp/t`,
    'ENV GITHUB_TOKEN=$TOKEN_FROM_CI',
    'USER openhands',
    ''
  ].join('\n')
  const history = [
    { created_by: '' },
    { created_by: 'USER root', empty_layer: true },
    { created_by: 'COPY tok.env /tmp/tok.env # buildkit' },
    { created_by: 'RUN /bin/sh -c rm /tmp/tok.env # buildkit' },
    { created_by: `RUN /bin/sh -c echo "token=${token}" > /tmp/t && rm /tmp/t # buildkit` },
    { created_by: `ENV GITHUB_TOKEN=${token}`, empty_layer: true }
  ]

  it.each([
    // The shown instruction has the value redacted; the line is found from the entry as recorded.
    ['a history finding on its RUN', { instruction: `RUN echo "token=${redactHint(token)}" > /tmp/t && rm /tmp/t`, step: 4 }, 5],
    ['a file finding on its COPY', { instruction: 'COPY tok.env /tmp/tok.env', step: 2 }, 3],
    ['an Env finding by its ENV, the value left out', { instruction: 'ENV GITHUB_TOKEN=…' }, 6],
    ['a history finding of an ENV entry', { instruction: 'ENV GITHUB_TOKEN=…', step: 5 }, 6],
    ['no such instruction', { instruction: 'RUN make' }, undefined]
  ])('%s', (_, finding, line) => {
    expect(findingLine(dockerfile, finding, history)).toBe(line)
  })

  it('finds no line from the redacted instruction alone: why a finding keeps its history entry', () => {
    expect(findingLine(dockerfile, { instruction: `RUN echo "token=${redactHint(token)}" > /tmp/t && rm /tmp/t` }, history)).toBeUndefined()
  })
})
