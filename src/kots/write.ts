/**
 * Writes the ConfigValues file for an image that is in the registry and says how an administrator applies it. The
 * file goes under RUNNER_TEMP unless config-values-file names a path; it holds no credentials.
 */
import { mkdir, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { describeError, UserError } from '../errors.js'
import { configValuesDocument, kotsCommand, type AdminConsoleImage, type AdminConsoleOptions } from './config-values.js'

/** The settings it reads, named as in action.yml. */
export interface ConfigValuesSettings {
  /** Absolute path, or empty for RUNNER_TEMP. */
  'config-values-file': string
  'kots-app': string
  'kots-namespace': string
}

export interface ConfigValuesReport {
  /** Where the file was written. */
  file: string
  /** `kubectl kots set config …` with the file's name, as the administrator runs it beside the downloaded file. */
  command: string
  /** Where the option names came from. */
  from: string
}

/** The default file, one per tag, so two images of one job do not share it. */
export function defaultConfigValuesFile(tempDir: string, tag: string): string {
  return path.join(tempDir, `ohe-config-values-${tag}.yaml`)
}

export async function writeConfigValues(
  settings: ConfigValuesSettings,
  adminConsole: AdminConsoleOptions,
  image: AdminConsoleImage,
  tempDir: string
): Promise<ConfigValuesReport> {
  if ('missing' in adminConsole) {
    throw new UserError(
      `${adminConsole.from} lacks the Admin Console option(s) ${adminConsole.missing}, so no KOTS ConfigValues file was written for ${image.repository}:${image.tag} ` +
        '(the image is pushed): enter its repository and tag in the Admin Console by hand, and report the changed options to this action.'
    )
  }
  const file = settings['config-values-file'] || defaultConfigValuesFile(tempDir, image.tag)
  try {
    await mkdir(path.dirname(file), { recursive: true })
    await writeFile(file, configValuesDocument(adminConsole.options, image), { mode: 0o644 })
  } catch (thrown) {
    throw new UserError(`Could not write the KOTS ConfigValues file ${file} (${describeError(thrown)}): set config-values-file to a writable path.`)
  }
  return { file, command: kotsCommand(path.basename(file), settings['kots-app'], settings['kots-namespace']), from: adminConsole.from }
}
