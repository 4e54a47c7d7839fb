/**
 * The entry of a scan pool's worker thread (scan-pool.ts): scans each file of a batch with the engine and posts
 * the results back, file by file in the batch's order. Bundled on its own (dist/scan-worker.js).
 */
import { parentPort } from 'node:worker_threads'
import { BUFFER_SIZE } from './engine.js'
import { scanPooled } from './pooled-file.js'
import type { ScanBatch, ScanBatchResult } from './scan-pool.js'

const buffer = Buffer.allocUnsafe(BUFFER_SIZE)

parentPort?.on('message', (batch: ScanBatch) => {
  const data = Buffer.from(batch.data)
  let reply: ScanBatchResult
  try {
    const scans = batch.files.map(file => scanPooled([data.subarray(file.offset, file.offset + file.length)], file.length, file, buffer))
    reply = { id: batch.id, data: batch.data, scans }
  } catch (error) {
    reply = { id: batch.id, data: batch.data, error: error instanceof Error ? error.message : String(error) }
  }
  parentPort?.postMessage(reply, [batch.data])
})
