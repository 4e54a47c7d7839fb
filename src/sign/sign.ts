/**
 * Runs cosign: whether the runner has it (checked before the build, so a missing one fails in seconds, not after
 * the push), and the signing of the pushed digest with the run's own docker login (its per-run DOCKER_CONFIG).
 */
import * as core from '@actions/core'
import { dockerEnvironment } from '../child-env.js'
import { runTool, SHORT_TIMEOUT_MS, type DockerOptions, type DockerRun } from '../buildx/docker.js'
import { UserError } from '../errors.js'
import { redact } from '../redaction.js'
import { cosignSecrets, cosignSignArgs, verifyCommand, type SignMode, type SignSettings, type SigningFacts } from './cosign.js'

/** Runs `cosign <args>` with the environment given; runTool in the action, a fake in tests. */
export type CosignCommand = (args: string[], options: DockerOptions, env: Record<string, string>) => Promise<DockerRun>

export const runCosign: CosignCommand = (args, options, env) => runTool('cosign', args, options, env)

/** Signing a pushed digest may wait on Fulcio, Rekor and the registry; it does not take longer than this. */
const SIGN_TIMEOUT_MS = 5 * 60_000

export interface SignReport {
  /** `repository@digest`, as signed. */
  imageRef: string
  mode: SignMode['kind']
  tlogUpload: boolean
  /** The command an operator runs to check the signature. */
  verify: string
  signed: boolean
}

/** The report before (or without) a signature: what would be signed and how to verify it. */
export function unsignedReport(settings: SignSettings, mode: SignMode, imageRef: string, facts: SigningFacts): SignReport {
  const tlogUpload = settings['sign-tlog-upload']
  return { imageRef, mode: mode.kind, tlogUpload, verify: verifyCommand(mode, imageRef, facts, tlogUpload), signed: false }
}

/** The runner has cosign; else the error says how to install it. */
export async function checkCosign(run: CosignCommand = runCosign): Promise<void> {
  const probe = await run(['version'], { silent: true, timeoutMs: SHORT_TIMEOUT_MS }, dockerEnvironment())
  if (probe.exitCode !== 0) {
    throw new UserError(
      `sign is true, but cosign ${probe.exitCode === 127 ? 'is not installed on the runner' : `does not run (cosign version: exit code ${probe.exitCode})`}. ` +
        'Install it in a step before this one: - uses: sigstore/cosign-installer@v3'
    )
  }
}

/**
 * Signs `imageRef` (`repository@digest`). The signature goes to the same repository, pushed with the login this
 * run's docker config holds. A failure is a UserError saying that the image is pushed but unsigned.
 */
export async function signImage(
  settings: SignSettings,
  mode: SignMode,
  imageRef: string,
  facts: SigningFacts,
  passThrough: Record<string, string>,
  run: CosignCommand = runCosign
): Promise<SignReport> {
  const report = unsignedReport(settings, mode, imageRef, facts)
  const tlogUpload = report.tlogUpload
  // The docker environment last but one: DOCKER_CONFIG is this run's, whatever the runner's says; the key last.
  const env = { ...passThrough, ...dockerEnvironment(), ...cosignSecrets(mode, settings) }
  const args = cosignSignArgs(mode, imageRef, tlogUpload)
  core.info(`Signing ${imageRef} with cosign (${mode.kind === 'key' ? 'the key from cosign-key' : 'keyless, with the job’s GitHub OIDC token'}).`)
  const signed = await core.group(`Sign ${imageRef}`, () => run(args, { timeoutMs: SIGN_TIMEOUT_MS, redact: text => redact(text) }, env))
  if (signed.exitCode !== 0 || signed.killed) {
    const said = signed.stderr.filter(line => line.trim() !== '').slice(-5)
    const why = signed.killed
      ? `it did not finish within ${SIGN_TIMEOUT_MS / 60_000} min`
      : `${said.length > 0 ? said.join('\n') : `exit code ${signed.exitCode}, no message`}`
    throw new UserError(redact(`${imageRef} is pushed but unsigned: cosign sign failed: ${why}`))
  }
  core.info(`Signed ${imageRef}; verify with: ${report.verify}`)
  return { ...report, signed: true }
}
