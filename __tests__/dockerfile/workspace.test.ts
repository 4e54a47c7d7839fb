import { GOOD, check } from './support.js'

/** [line, first words of the message] of each workspace finding. */
function workspaceErrors(text: string, buildArgs: Record<string, string> = {}): Array<[number, string]> {
  return check(text, { buildArgs })
    .findings.filter(finding => finding.check === 'workspace')
    .map(finding => {
      expect(finding.severity).toBe('error')
      return [finding.line ?? 0, finding.message.split(':')[0] ?? '']
    })
}

describe('workspaceFindings: what the sandbox volume would hide, before the build', () => {
  it.each<[string, string, Array<[number, string]>, Record<string, string>]>([
    ['COPY into /workspace/project', `FROM ${GOOD}\nCOPY repo /workspace/project/repo\n`, [[2, 'COPY into /workspace/project/repo']], {}],
    ['ADD into /workspace itself', `FROM ${GOOD}\nADD https://example.com/a.tgz /workspace/\n`, [[2, 'ADD into /workspace']], {}],
    ['COPY --chown with flags, JSON form', `FROM ${GOOD}\nCOPY --chown=openhands ["a b", "/workspace/x"]\n`, [[2, 'COPY into /workspace/x']], {}],
    [
      'a relative COPY after WORKDIR /workspace/project',
      `FROM ${GOOD}\nWORKDIR /workspace/project\nCOPY . .\n`,
      [[3, 'COPY into /workspace/project (. in WORKDIR /workspace/project)']],
      {}
    ],
    [
      'a relative WORKDIR under an absolute one',
      `FROM ${GOOD}\nWORKDIR /workspace\nWORKDIR app\nCOPY x ./\n`,
      [[4, 'COPY into /workspace/app (./ in WORKDIR /workspace/app)']],
      {}
    ],
    ['a variable destination', `FROM ${GOOD}\nARG DEST=/workspace/seed\nCOPY x $DEST\n`, [[3, 'COPY into /workspace/seed']], {}],
    ['a build-arg overrides the default', `FROM ${GOOD}\nARG DEST=/workspace/seed\nCOPY x $DEST\n`, [], { DEST: '/opt/seed' }],
    [
      'ENV from an earlier stage the final one is built on',
      `FROM ${GOOD} AS base\nENV WS=/workspace\nFROM base\nCOPY x \${WS}/x\n`,
      [[4, 'COPY into /workspace/x']],
      {}
    ],
    ['a heredoc COPY', `FROM ${GOOD}\nCOPY <<EOF /workspace/notes.txt\nhello\nEOF\n`, [[2, 'COPY into /workspace/notes.txt']], {}],
    [
      'VOLUME /workspace',
      `FROM ${GOOD}\nVOLUME /workspace\n`,
      [[2, "VOLUME /workspace covers /workspace, which OHE mounts the sandbox's own volume on. Remove it"]],
      {}
    ],
    [
      'VOLUME ["/"] covers it too',
      `FROM ${GOOD}\nVOLUME ["/"]\n`,
      [[2, "VOLUME / covers /workspace, which OHE mounts the sandbox's own volume on. Remove it"]],
      {}
    ],
    // Fine: WORKDIR alone, seeds under /opt, a relative COPY before any WORKDIR (the base's decides; the image check sees it),
    // a similar name, a VOLUME beside it, and a stage off the chain.
    ['WORKDIR /workspace/project alone', `FROM ${GOOD}\nWORKDIR /workspace/project\nRUN true\n`, [], {}],
    ['the /opt seed', `FROM ${GOOD}\nCOPY repo /opt/repo-seed\nCOPY prepare-repo /usr/local/bin/\n`, [], {}],
    ['a relative COPY with no WORKDIR set', `FROM ${GOOD}\nCOPY x y\n`, [], {}],
    ['/workspaces is another folder', `FROM ${GOOD}\nCOPY x /workspaces/x\n`, [], {}],
    ['VOLUME /data', `FROM ${GOOD}\nVOLUME /data /workspace2\n`, [], {}],
    ['a builder stage off the chain', `FROM ${GOOD} AS builder\nCOPY x /workspace/x\nFROM ${GOOD}\nCOPY --from=builder /workspace/x /opt/x\n`, [], {}]
  ])('%s', (_name, text, expected, buildArgs) => {
    expect(workspaceErrors(text, buildArgs)).toEqual(expected)
  })

  it('says why and what to do instead', () => {
    const finding = check(`FROM ${GOOD}\nCOPY repo /workspace/project/repo\n`).findings.find(f => f.check === 'workspace')
    expect(finding?.message).toBe(
      "COPY into /workspace/project/repo: in OHE /workspace is the sandbox's own volume, mounted over the image's, so the sandbox starts with an empty " +
        '/workspace and never sees these files. Copy them under e.g. /opt/<name>-seed instead, and link or copy them into /workspace in a prepare-* helper that runs in the sandbox.'
    )
  })
})
