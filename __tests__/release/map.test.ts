import { nearestReleases, parseReleaseMap, releasesFromRefs, tagFromConfig, tagFromFiles, tagFromValues } from '../../src/release/map.js'
import { configYaml, valuesYaml } from './fixtures.js'

describe('releasesFromRefs', () => {
  it('keeps the openhands/X.Y.Z tags, sorted by version, and nothing of the other tag families', () => {
    expect(
      releasesFromRefs([
        'refs/tags/openhands/0.45.0',
        'refs/tags/openhands/0.7.30',
        'refs/tags/openhands/0.11.0',
        'refs/tags/runtime-api/1.2.3',
        'refs/tags/image-loader/0.1.0',
        'refs/tags/Replicated/Beta/0042',
        'refs/tags/openhands/0.45.0-rc1',
        'refs/tags/openhands/latest',
        'openhands/0.9.1'
      ])
    ).toEqual(['0.7.30', '0.9.1', '0.11.0', '0.45.0'])
  })
})

describe('the agent-server tag in the files of one release', () => {
  it.each([
    ['config.yaml with the option', configYaml('1.41.0-python'), '1.41.0-python'],
    ['config.yaml before the option (siblings have defaults)', configYaml(undefined), undefined],
    ['not YAML', 'spec: [unclosed', undefined],
    ['another KOTS kind', 'apiVersion: kots.io/v1beta1\nkind: Application\nspec:\n  title: OpenHands\n', undefined],
    ['an empty default', configYaml(''), undefined]
  ])('tagFromConfig: %s', (_name, text, expected) => {
    expect(tagFromConfig(text)).toBe(expected)
  })

  it.each([
    ['values.yaml with global.agentServerImage', valuesYaml('1.39.1-python'), '1.39.1-python'],
    ['values.yaml without it (the top-level image.tag is the enterprise server, not this)', valuesYaml(undefined), undefined],
    ['an empty file', '', undefined]
  ])('tagFromValues: %s', (_name, text, expected) => {
    expect(tagFromValues(text)).toBe(expected)
  })

  it.each([
    [
      'both agree: config.yaml answers',
      { config: configYaml('1.41.0-python'), values: valuesYaml('1.41.0-python') },
      { tag: '1.41.0-python', file: 'replicated/config.yaml' }
    ],
    [
      'config.yaml first when they differ',
      { config: configYaml('1.41.0-python'), values: valuesYaml('1.40.0-python') },
      { tag: '1.41.0-python', file: 'replicated/config.yaml' }
    ],
    [
      'values.yaml when config.yaml lacks the option',
      { config: configYaml(undefined), values: valuesYaml('1.42.0-python') },
      { tag: '1.42.0-python', file: 'charts/openhands/values.yaml' }
    ],
    ['only config.yaml (before the chart had the key)', { config: configYaml('1.0.0-python') }, { tag: '1.0.0-python', file: 'replicated/config.yaml' }],
    ['neither names it', { config: configYaml(undefined), values: valuesYaml(undefined) }, undefined],
    ['no files', {}, undefined]
  ])('tagFromFiles: %s', (_name, files, expected) => {
    expect(tagFromFiles(files)).toEqual(expected)
  })
})

describe('parseReleaseMap', () => {
  it('reads a plain mapping; v prefixes and bare versions are accepted', () => {
    const map = parseReleaseMap('# OHE release: agent-server tag\n0.45.0: 1.41.0-python\nv0.50.0: "1.41.0-python"\n"0.23.1": 1.36.0\n', 'ohe/map.yaml')
    expect(map).toEqual(
      new Map([
        ['0.45.0', '1.41.0-python'],
        ['0.50.0', '1.41.0-python'],
        ['0.23.1', '1.36.0']
      ])
    )
  })

  it.each([
    [
      '0.45: 1.41.0-python\n',
      'release-map ohe/map.yaml: \'0.45\' is not an OHE release X.Y.Z. Quote it if YAML read it as a number, e.g. "0.45.0": 1.41.0-python.'
    ],
    ['0.45.0:\n', 'release-map ohe/map.yaml: OHE release 0.45.0 has no agent-server tag. Expected e.g. "0.45.0: 1.41.0-python".'],
    ['- 0.45.0\n', 'release-map ohe/map.yaml is not a mapping. Expected lines such as "0.45.0: 1.41.0-python" (OHE release: agent-server tag).'],
    ['', 'release-map ohe/map.yaml is not a mapping. Expected lines such as "0.45.0: 1.41.0-python" (OHE release: agent-server tag).'],
    ['{}\n', 'release-map ohe/map.yaml is empty. Expected lines such as "0.45.0: 1.41.0-python".']
  ])('refuses %j', (text, message) => {
    expect(parseReleaseMap(text, 'ohe/map.yaml')).toBe(message)
  })

  it('refuses text that is not YAML, quoting the parser', () => {
    expect(parseReleaseMap('0.45.0: [1.41.0\n', 'm.yaml')).toMatch(
      /^release-map m\.yaml is not YAML \(.+\)\. Expected lines such as "0\.45\.0: 1\.41\.0-python"\.$/
    )
  })
})

describe('nearestReleases', () => {
  const releases = ['0.7.30', '0.11.0', '0.16.2', '0.23.1', '0.33.0', '0.45.0', '0.50.0']
  it.each([
    ['0.45.1', ['0.33.0', '0.45.0', '0.50.0']],
    ['0.24.0', ['0.16.2', '0.23.1', '0.33.0']],
    ['0.1.0', ['0.7.30', '0.11.0', '0.16.2']],
    ['0.99.0', ['0.33.0', '0.45.0', '0.50.0']]
  ])('%s', (wanted, expected) => {
    expect(nearestReleases(releases, wanted)).toEqual(expected)
  })
})
