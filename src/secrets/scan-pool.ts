/**
 * Runs the secret engine on worker threads, so that a reader (the verify phase's gunzip, sha256 and tar parse on
 * the main thread, the context scan's reads) and the engine use two cores at once. Files are copied into batches of
 * about BATCH_BYTES and sent without a copy (the batch's memory is transferred); each file's scan comes back in its
 * own promise. The
 * bytes in flight are bounded: a reader awaits ready() and so slows to the engine's pace instead of queueing a
 * whole layer. The workers start with the first full batch (an input smaller than one is scanned on the caller's
 * thread), and each is referenced only while it has work, so an idle pool never holds the process open.
 */
import { existsSync } from 'node:fs'
import { availableParallelism } from 'node:os'
import { fileURLToPath } from 'node:url'
import { Worker } from 'node:worker_threads'
import { sharedScanBuffer, type FileKind } from './engine.js'
import { scanPooled, type PooledFile, type PooledScan, type ScanExtras } from './pooled-file.js'

export interface ScanBatch {
  id: number
  data: ArrayBuffer
  files: Array<PooledFile & { offset: number; length: number }>
}

/** The batch's memory comes back with the results (transferred again), to be filled anew. */
export type ScanBatchResult = { id: number; data: ArrayBuffer } & ({ scans: PooledScan[] } | { error: string })

/** Files are sent in batches of about this many bytes (a bigger file goes alone). */
export const BATCH_BYTES = 1 << 20
/** Bytes sent and not yet scanned, above which ready() makes the reader wait. */
export const IN_FLIGHT_BYTES = 32 << 20
/** Batch buffers kept for reuse: about what can be in flight, so that a long read allocates none after its start. */
const SPARE_BATCHES = IN_FLIGHT_BYTES / BATCH_BYTES + 2

/** Where the bundle puts the worker's entry: next to the module that runs (dist/index.js, a bench's bundle). */
const DEFAULT_WORKER = new URL('./scan-worker.js', import.meta.url)

interface Waiter {
  resolve(scan: PooledScan): void
  reject(error: Error): void
}

interface Lane {
  worker: Worker
  bytes: number
  batches: Map<number, { bytes: number; waiters: Waiter[] }>
}

interface OpenBatch {
  data: Uint8Array<ArrayBuffer>
  used: number
  files: ScanBatch['files']
  waiters: Waiter[]
}

export class ScanPool {
  private readonly lanes: Lane[] = []
  private open: OpenBatch | undefined
  private nextId = 0
  private inFlight = 0
  private broken: Error | undefined
  private drained: Array<() => void> = []
  /** Batch buffers back from the workers: reused rather than left to the garbage collector. */
  private readonly spare: ArrayBuffer[] = []

  constructor(
    private readonly workerUrl: URL,
    private readonly size: number
  ) {}

  /** Worker threads started: none until the input fills a batch. */
  get threads(): number {
    return this.lanes.length
  }

  /** Scans one file's bytes (its chunks in order, `size` bytes in all), as scanFile does. */
  scan(chunks: readonly Buffer[], size: number, kind: FileKind, extras: ScanExtras = {}): Promise<PooledScan> {
    if (this.broken) return Promise.reject(this.broken)
    if (this.open && this.open.used + size > this.open.data.length) this.send()
    const batch = (this.open ??= { data: this.buffer(size), used: 0, files: [], waiters: [] })
    const offset = batch.used
    for (const chunk of chunks) {
      batch.data.set(chunk, batch.used)
      batch.used += chunk.length
    }
    batch.files.push({ offset, length: size, kind, ...extras })
    const found = new Promise<PooledScan>((resolve, reject) => batch.waiters.push({ resolve, reject }))
    if (batch.used >= BATCH_BYTES) this.send()
    return found
  }

  /**
   * Scans the batch being filled: on the workers once they run; on this thread while the whole input has stayed
   * under one batch, so that a small context or image starts no thread.
   */
  flush(): void {
    const batch = this.open
    if (!batch || batch.files.length === 0) return
    if (this.lanes.length > 0) return this.send()
    this.open = undefined
    batch.files.forEach((file, index) => {
      const waiter = batch.waiters[index]
      try {
        const bytes = Buffer.from(batch.data.buffer, file.offset, file.length)
        waiter?.resolve(scanPooled([bytes], file.length, file, sharedScanBuffer()))
      } catch (error) {
        waiter?.reject(error instanceof Error ? error : new Error(String(error)))
      }
    })
    this.recycle(batch.data.buffer)
  }

  /** A batch's memory: a spare one when the file fits, else new (without zero-filling: every byte sent is written). */
  private buffer(size: number): Uint8Array<ArrayBuffer> {
    const spare = size <= BATCH_BYTES ? this.spare.pop() : undefined
    return new Uint8Array(spare ?? Buffer.allocUnsafeSlow(Math.max(BATCH_BYTES, size)).buffer)
  }

  private recycle(data: ArrayBuffer): void {
    if (data.byteLength === BATCH_BYTES && this.spare.length < SPARE_BATCHES) this.spare.push(data)
  }

  /** Sends the batch being filled to the least busy worker, starting the workers first if need be. */
  private send(): void {
    const batch = this.open
    if (!batch || batch.files.length === 0) return
    this.open = undefined
    if (this.lanes.length === 0) for (let started = 0; started < this.size; started++) this.lanes.push(this.lane(new Worker(this.workerUrl)))
    const lane = this.lanes.reduce((least, lane) => (lane.bytes < least.bytes ? lane : least))
    const id = this.nextId++
    if (lane.batches.size === 0) lane.worker.ref()
    lane.batches.set(id, { bytes: batch.used, waiters: batch.waiters })
    lane.bytes += batch.used
    this.inFlight += batch.used
    const data = batch.data.buffer
    const message: ScanBatch = { id, data, files: batch.files }
    lane.worker.postMessage(message, [data])
  }

  /** Undefined while the bytes in flight are under IN_FLIGHT_BYTES; else resolves once they are. */
  ready(): Promise<void> | undefined {
    if (this.inFlight < IN_FLIGHT_BYTES || this.broken) return undefined
    return new Promise(resolve => this.drained.push(resolve))
  }

  async close(): Promise<void> {
    this.fail(new Error('the scan pool was closed'))
    await Promise.all(this.lanes.map(lane => lane.worker.terminate()))
  }

  private lane(worker: Worker): Lane {
    const lane: Lane = { worker, bytes: 0, batches: new Map() }
    worker.unref()
    worker.on('message', (reply: ScanBatchResult) => {
      const batch = lane.batches.get(reply.id)
      if (!batch) return
      lane.batches.delete(reply.id)
      lane.bytes -= batch.bytes
      this.inFlight -= batch.bytes
      if (lane.batches.size === 0) worker.unref()
      this.recycle(reply.data)
      if ('error' in reply) for (const waiter of batch.waiters) waiter.reject(new Error(`the secret scan failed: ${reply.error}`))
      else batch.waiters.forEach((waiter, index) => waiter.resolve(reply.scans[index] ?? { findings: [], bytes: 0, binary: false }))
      if (this.inFlight < IN_FLIGHT_BYTES) this.wake()
    })
    worker.on('error', error => this.fail(new Error(`a secret scan worker failed: ${error.message}`)))
    worker.on('exit', code => {
      if (lane.batches.size > 0) this.fail(new Error(`a secret scan worker stopped (exit code ${code}) with files unscanned`))
    })
    return lane
  }

  /** Every file waiting now fails with `error`, and so does every later scan. */
  private fail(error: Error): void {
    this.broken ??= error
    for (const lane of this.lanes) {
      for (const batch of lane.batches.values()) for (const waiter of batch.waiters) waiter.reject(this.broken)
      lane.batches.clear()
      lane.worker.unref()
    }
    for (const waiter of this.open?.waiters ?? []) waiter.reject(this.broken)
    this.open = undefined
    this.wake()
  }

  private wake(): void {
    const drained = this.drained
    this.drained = []
    for (const resolve of drained) resolve()
  }
}

/** Workers beside the main thread: one per core but the reader's, at least one, at most four. */
export function poolSize(cores = availableParallelism()): number {
  return Math.max(1, Math.min(4, cores - 1))
}

/**
 * A pool on the bundled worker, or undefined where there is none (the sources run under a test runner): the caller
 * then scans on its own thread, with the same engine and results.
 */
export function openScanPool(workerUrl: URL = DEFAULT_WORKER, size = poolSize()): ScanPool | undefined {
  if (!existsSync(fileURLToPath(workerUrl))) return undefined
  return new ScanPool(workerUrl, size)
}
