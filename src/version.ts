/** The action's version, as in package.json (a test keeps them equal); SARIF names the tool with it. */
export const ACTION_VERSION = '0.1.0'
