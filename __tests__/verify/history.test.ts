import { layerInstructions, showInstruction } from '../../src/verify/history.js'
import { customHistory } from '../../src/verify/image-scan.js'

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
      { createdBy: 'ENTRYPOINT ["tini"]', instruction: 'ENTRYPOINT ["tini"]' },
      { createdBy: 'ARG NPM_TOKEN', instruction: 'ARG NPM_TOKEN' },
      { createdBy: history[3]?.created_by, instruction: 'RUN echo > /root/.npmrc (with build args NPM_TOKEN)', layer: 1 },
      { createdBy: 'USER openhands', instruction: 'USER openhands' },
      { createdBy: 'COPY a /a # buildkit', instruction: 'COPY a /a', layer: 2 }
    ])
    expect(customHistory(history, 0)).toHaveLength(6)
    expect(customHistory(history, 3)).toEqual([])
  })
})
