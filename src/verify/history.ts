/**
 * Which Dockerfile instruction made each layer, from the image config's history: every history entry without
 * `empty_layer` made one layer, in order. Pure: the layers' bytes, and where they came from, play no part.
 */

export interface HistoryEntry {
  created_by?: string
  empty_layer?: boolean
  comment?: string
}

/** The history entry that made a layer. */
export interface LayerOrigin {
  /** Index of the entry in the config's history; absent when the history does not reach back to this layer. */
  step?: number
  /** The entry as showInstruction shows it; `(unknown)` without one. */
  instruction: string
}

/**
 * The origin of each layer (index = layer index in rootfs.diff_ids): the same for every way the layers were read
 * (any `docker save` layout, a registry), as it depends on the config's history and the number of layers only.
 * Entries with `empty_layer` (ENV, USER, ...) made none and are passed over; a history with fewer of the others than
 * there are layers (an image squashed or imported) is aligned at the top: the last entries made the last layers.
 */
export function layerOrigins(history: readonly HistoryEntry[] | null | undefined, layerCount: number): LayerOrigin[] {
  const made: number[] = []
  ;(history ?? []).forEach((entry, step) => {
    if (entry.empty_layer !== true) made.push(step)
  })
  const offset = layerCount - made.length
  const result: LayerOrigin[] = []
  for (let i = 0; i < layerCount; i++) {
    const step = made[i - offset]
    const entry = step === undefined ? undefined : history?.[step]
    result.push(step === undefined || entry === undefined ? { instruction: '(unknown)' } : { step, instruction: showInstruction(entry.created_by ?? '') })
  }
  return result
}

/** The instruction of each layer, as layerOrigins finds it. */
export function layerInstructions(history: readonly HistoryEntry[] | null | undefined, layerCount: number): string[] {
  return layerOrigins(history, layerCount).map(origin => origin.instruction)
}

const MAX = 160

/**
 * A history `created_by` as a Dockerfile line, without the build-arg values BuildKit records before a RUN
 * (`RUN |2 NPM_TOKEN=… A=b /bin/sh -c …`: those values are often the secret), shortened to 160 characters.
 *   `/bin/sh -c #(nop)  ENV A=b`      -> `ENV A=b`            (the classic builder)
 *   `/bin/sh -c echo hi`              -> `RUN echo hi`
 *   `RUN |1 TOKEN=x /bin/sh -c npm ci` -> `RUN npm ci` (with build args TOKEN)
 *   `COPY file /x # buildkit`         -> `COPY file /x`
 */
export function showInstruction(createdBy: string): string {
  let text = createdBy.trim()
  const nop = /^\/bin\/sh -c #\(nop\)\s*/.exec(text)
  if (nop) text = text.slice(nop[0].length)
  else if (text.startsWith('/bin/sh -c ')) text = `RUN ${text.slice('/bin/sh -c '.length)}`
  text = text.replace(/\s+# buildkit$/, '')
  let args = ''
  const withArgs = /^RUN \|(\d+) /.exec(text)
  if (withArgs) {
    const { names, rest } = dropBuildArgs(text.slice(withArgs[0].length), Number(withArgs[1]))
    text = `RUN ${rest.replace(/^\/bin\/sh -c /, '')}`
    args = names.length > 0 ? ` (with build args ${names.join(', ')})` : ''
  } else if (text.startsWith('RUN /bin/sh -c ')) {
    text = `RUN ${text.slice('RUN /bin/sh -c '.length)}`
  }
  text = text.replace(/\s+/g, ' ')
  // ENV and ARG values are often the secret itself.
  if (/^(?:ENV|ARG) /.test(text)) text = text.replace(/=("[^"]*"|'[^']*'|\S*)/g, '=…')
  if (text.length > MAX) text = `${text.slice(0, MAX - 1)}…`
  return text + args
}

/** Skips `count` `NAME=value` words (a value may be quoted or contain `=`); returns the names and what follows. */
function dropBuildArgs(text: string, count: number): { names: string[]; rest: string } {
  const names: string[] = []
  let rest = text
  for (let i = 0; i < count; i++) {
    const name = /^([A-Za-z_][A-Za-z0-9_]*)=/.exec(rest)
    if (!name) break
    names.push(name[1] ?? '')
    rest = rest.slice(name[0].length)
    if (rest.startsWith('"') || rest.startsWith("'")) {
      const close = rest.indexOf(rest[0] ?? '', 1)
      rest = close < 0 ? '' : rest.slice(close + 1)
    }
    const space = rest.indexOf(' ')
    // A value cannot hold a space unquoted; when several args follow, the next name starts after the next space.
    rest = space < 0 ? '' : rest.slice(space + 1)
  }
  return { names, rest }
}
