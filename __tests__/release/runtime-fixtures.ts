/**
 * The three files the runtime spec is read from, in the shapes of OpenHands/OpenHands-Cloud (read there, cut down and
 * rewritten): the runtime-api chart's warm-runtime defaults with their comments and the legacy `configs` list, the
 * Replicated HelmChart with Replicated templates, YAML anchors and global.agentServerEnv, and the KOTS Config's
 * sandbox limits among sibling options with defaults of their own.
 */

/** charts/openhands/charts/runtime-api/values.yaml; `warm: false` is an old release without warm runtimes. */
export function runtimeValuesYaml(options: { warm?: boolean; workingDir?: string; legacyList?: boolean } = {}): string {
  const entry = `      working_dir: "${options.workingDir ?? '/workspace/project'}"
      environment:
        LMNR_BASE_URL: ""
        LOG_JSON: "1"
        OH_ALLOW_CORS_ORIGINS_0: ""
        OH_CONVERSATIONS_PATH: "/workspace/conversations"
        OH_ENABLE_VNC: "0"
        WORKER_1: "12000"
      command:
        - /usr/local/bin/openhands-agent-server
        - "--port"
        - "60000"
      run_as_user: 10001
      run_as_group: 10001
      fs_group: 10001
`
  const warm =
    options.warm === false
      ? ''
      : `warmRuntimes:
  enabled: false
  count: 0
  # Legacy list form: when non-empty it takes precedence over configsByName.
  configs: ${options.legacyList ? `\n    - name: default\n      working_dir: "/legacy"\n      command: [/usr/local/bin/openhands-agent-server, --port, "61000"]` : '[]'}
  configsByName:
    default:
      # image omitted -> defaults to global.agentServerImage (repo:tag).
${entry}`
  return `replicaCount: 1
image:
  repository: ghcr.io/openhands/runtime-api
  tag: sha-1234567
env:
  PERSISTENT_STORAGE_SIZE: 10Gi
  STORAGE_CLASS: standard
${warm}
global:
  agentServerImage:
    repository: ghcr.io/openhands/agent-server
    tag: 1.41.0-python
`
}

/** replicated/openhands.yaml; `ca: false` leaves out global.agentServerEnv and the CA variables. */
export function replicatedChartYaml(options: { ca?: boolean } = {}): string {
  const ca = options.ca !== false
  const path = '/etc/openhands/ca-bundle/ca-bundle.crt'
  return `apiVersion: kots.io/v1beta2
kind: HelmChart
metadata:
  name: openhands
spec:
  chart:
    name: openhands
  values:
    global:
      imagePullSecrets:
        - '{{repl ImagePullSecretName }}'
${ca ? `      agentServerEnv:\n        SSL_CERT_FILE: ${path}\n        NODE_EXTRA_CA_CERTS: ${path}\n` : ''}    env:
      LOG_LEVEL: 'repl{{ ConfigOption "log_level" }}'
    runtime-api:
      env:
        SANDBOX_KVM_ENABLED: 'repl{{ ConfigOptionEquals "sandbox_kvm_enabled" "1" }}'
      warmRuntimes:
        enabled: true
        count: repl{{ ConfigOption "sandbox_warm_runtime_count" }}
        configsByName:
          default:
            working_dir: "/workspace/project"
            environment:
              LOG_JSON: "1"
              OH_ALLOW_CORS_ORIGINS_0: 'https://{{repl ConfigOption "computed_app_hostname" }}'
              OH_WEBHOOKS_0_BASE_URL: 'https://{{repl ConfigOption "computed_app_hostname" }}/api/v1/webhooks'
              OH_BASH_EVENTS_DIR: "/workspace/bash_events"
              OH_VSCODE_PORT: "60001"
${ca ? `              CURL_CA_BUNDLE: "${path}"\n              REQUESTS_CA_BUNDLE: "${path}"\n` : ''}              LMNR_BASE_URL: &lmnr_base_url '{{repl if ConfigOptionEquals "analytics_enabled" "1" }}http://laminar-app-server-service{{repl end }}'
              LMNR_PROJECT_API_KEY: '{{repl ConfigOption "laminar_project_api_key"}}'
            command:
              - /usr/local/bin/openhands-agent-server
              - "--port"
              - "60000"
            run_as_user: 10001
            run_as_group: 10001
            fs_group: 10001
    sandbox:
      lmnrBaseUrl: *lmnr_base_url
`
}

/** replicated/config.yaml with the sandbox limits; undefined limits leave the options out. */
export function limitsConfigYaml(memory: string | undefined, cpu: string | undefined): string {
  const item = (name: string, value: string | undefined, pattern: string): string =>
    value === undefined
      ? ''
      : `        - name: ${name}
          title: Limit
          type: text
          default: "${value}"
          validation:
            regex:
              pattern: ${pattern}
`
  return `apiVersion: kots.io/v1beta1
kind: Config
spec:
  groups:
    - name: sandbox_configuration
      items:
        - name: sandbox_memory_request
          type: text
          default: "100Mi"
${item('sandbox_memory_limit', memory, '^[1-9][0-9]*Mi$')}        - name: sandbox_cpu_request
          type: text
          default: "100m"
${item('sandbox_cpu_limit', cpu, '^[1-9][0-9]*m$')}`
}
