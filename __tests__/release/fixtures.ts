/**
 * replicated/config.yaml and charts/openhands/values.yaml in the shapes of OpenHands/OpenHands-Cloud (read there with
 * the search tools, cut down): the KOTS Config's `custom_sandbox_image_tag` option under spec.groups[].items[] with a
 * quoted `default`, between sibling options that have defaults of their own; the chart's `global.agentServerImage`
 * at the end of values.yaml, after an unrelated top-level `image.tag` (the enterprise server's) that a careless
 * reader would pick.
 */

/** config.yaml at a release; `tag` undefined: a release from before the option existed. */
export function configYaml(tag: string | undefined): string {
  const option =
    tag === undefined
      ? ''
      : `        - name: custom_sandbox_image_tag
          title: Sandbox Image Tag
          help_text: Image tag, e.g. ${tag}
          type: text
          default: "${tag}"
          when: 'repl{{ ConfigOptionEquals "custom_sandbox_image_enabled" "1" }}'
          required: true
`
  return `apiVersion: kots.io/v1beta1
kind: Config
metadata:
  name: openhands-config
spec:
  groups:
    - name: domain_configuration
      title: Domain Configuration
      items:
        - name: base_domain
          title: Base Domain
          type: text
          when: 'repl{{ ne (ConfigOption "hostname_mode") "custom" }}'
          required: true
        - name: computed_app_hostname
          title: Computed Application Hostname
          type: text
          hidden: true
          default: '{{repl if ConfigOptionEquals "hostname_mode" "custom" }}{{repl ConfigOption "app_hostname" }}{{repl else }}app.{{repl ConfigOption "base_domain" }}{{repl end }}'
    - name: sandbox_configuration
      title: Sandbox Configuration
      description: OpenHands conversations run in isolated sandboxes.
      items:
        - name: sandbox_warm_runtime_count
          title: Warm Runtime Count
          type: text
          default: "1"
        - name: custom_sandbox_image_enabled
          title: Use a Custom Sandbox Image
          help_text: Use this if you bundle a custom agent-server image.
          type: bool
          default: "0"
        - name: custom_sandbox_image_repository
          title: Sandbox Image Repository
          help_text: 'Full repository path with no tag, e.g. my-registry.example.com/openhands/agent-server'
          type: text
          when: 'repl{{ ConfigOptionEquals "custom_sandbox_image_enabled" "1" }}'
          required: true
${option}        - name: custom_sandbox_image_registry_server
          title: Registry Server
          help_text: |
            Host (and optional port) of the registry, e.g. my-registry.example.com.
          type: text
          default: "9.9.9-other"
          when: 'repl{{ ConfigOptionEquals "custom_sandbox_image_enabled" "1" }}'
          required: false
    - name: troubleshooting
      title: Troubleshooting
      items:
        - name: log_level
          title: Log Level
          type: select_one
          default: "INFO"
`
}

/** charts/openhands/values.yaml at a release; `tag` undefined: the chart has no global.agentServerImage yet. */
export function valuesYaml(tag: string | undefined): string {
  const global =
    tag === undefined
      ? `global:
  security:
    allowInsecureImages: true
`
      : `global:
  # Canonical agent-server image. Defaults the runtime image (runtime.image).
  agentServerImage:
    repository: ghcr.io/openhands/agent-server
    tag: ${tag}
  security:
    allowInsecureImages: true
  agentServerEnv: {}
`
  return `allowedUsers: null
enabled: true

image:
  repository: ghcr.io/openhands/enterprise-server
  # You must use a stable, semver tag. Do not use sha-based tags.
  tag: 1.49.1

runtime:
  # repository/tag fall back to .Values.global.agentServerImage when left empty.
  image:
    repository: ""
    tag: ""

${global}
caBundle:
  enabled: false
`
}

const CONFIG = 'replicated/config.yaml'
const VALUES = 'charts/openhands/values.yaml'

/**
 * A release history shaped like OpenHands-Cloud's: 0.7.29 predates the option (config.yaml without it, no
 * values.yaml key); 0.7.30 has the option but the chart does not exist yet (one file only); from 0.11.0 both files
 * name the tag; 0.16.2 to 0.33.0 all ship 1.36.0; 0.51.0's config.yaml lost the option, so values.yaml answers.
 */
export const HISTORY: Record<string, string | undefined> = {
  '0.7.29': undefined,
  '0.7.30': '1.0.0-python',
  '0.11.0': '1.0.0-python',
  '0.16.1': '1.35.0-python',
  '0.16.2': '1.36.0-python',
  '0.20.0': '1.36.0-python',
  '0.23.1': '1.36.0-python',
  '0.30.0': '1.36.0-python',
  '0.33.0': '1.36.0-python',
  '0.34.0': '1.38.0-python',
  '0.45.0': '1.41.0-python',
  '0.50.0': '1.41.0-python',
  '0.51.0': '1.42.0-python'
}

/** The files of each release of HISTORY, as the stand-in API serves them. */
export function historyFiles(history: Record<string, string | undefined> = HISTORY): Record<string, Record<string, string>> {
  const files: Record<string, Record<string, string>> = {}
  for (const [release, tag] of Object.entries(history)) {
    if (release === '0.7.29') files[release] = { [CONFIG]: configYaml(undefined) }
    else if (release === '0.7.30') files[release] = { [CONFIG]: configYaml(tag) }
    else if (release === '0.51.0') files[release] = { [CONFIG]: configYaml(undefined), [VALUES]: valuesYaml(tag) }
    else files[release] = { [CONFIG]: configYaml(tag), [VALUES]: valuesYaml(tag) }
  }
  return files
}
