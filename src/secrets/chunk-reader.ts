import type { ReadFn } from './engine.js'

/** A ReadFn over chunks read in order (scanFile reads sequentially). */
export function chunkReader(chunks: readonly Buffer[]): ReadFn {
  let index = 0
  let offset = 0
  return (buf, at, length) => {
    let copied = 0
    while (copied < length && index < chunks.length) {
      const chunk = chunks[index] as Buffer
      const take = Math.min(length - copied, chunk.length - offset)
      chunk.copy(buf, at + copied, offset, offset + take)
      copied += take
      offset += take
      if (offset === chunk.length) {
        index++
        offset = 0
      }
    }
    return copied
  }
}
