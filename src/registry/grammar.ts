/** distribution/reference's grammar, as the registry client checks names before sending them. */

/** Lower-case path components, e.g. openhands/agent-server. */
export const REPOSITORY = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/
/** Word characters, dots and dashes, up to 128. */
export const TAG = /^\w[\w.-]{0,127}$/
/** A digest with its hex, for the algorithms the client can verify. */
export const DIGEST = /^(?:sha256:[a-f0-9]{64}|sha384:[a-f0-9]{96}|sha512:[a-f0-9]{128})$/
/** host[:port], an IPv6 literal in brackets allowed. */
export const HOST = /^(?:\[[0-9a-f:.]+\]|[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?)(?::\d{1,5})?$/
export const DOCKER_HUB_NAMES: ReadonlySet<string> = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io'])
