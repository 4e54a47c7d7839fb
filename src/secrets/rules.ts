// Every rule the scanner reports, with the description shown in annotations and SARIF, gathered from the
// provider family files in rules/. `rank` decides which of two findings on the same bytes is kept: the more
// specific one (lower rank).
import { FAMILIES } from './rules/index.js'

export type { RuleId } from './rules/types.js'

export interface RuleInfo {
  id: string
  description: string
  /** The provider's page for revoking or rotating it, when the family names one. */
  revoke?: string
}

const ALL = FAMILIES.flatMap(family => family.rules.map(rule => ({ ...rule, revoke: family.revoke })))

export const RULES: ReadonlyArray<RuleInfo> = ALL.map(({ id, description, revoke }) =>
  revoke === undefined ? { id, description } : { id, description, revoke }
)
const REVOKE = new Map<string, string | undefined>(ALL.map(rule => [rule.id, rule.revoke]))

const RANK = new Map<string, number>(ALL.map(rule => [rule.id, rule.rank ?? 0]))
const DESCRIPTION = new Map<string, string>(ALL.map(rule => [rule.id, rule.description]))

export function ruleRank(id: string): number {
  return RANK.get(id) ?? 9
}

export function ruleRevokeLink(id: string): string | undefined {
  return REVOKE.get(id)
}

export function ruleDescription(id: string): string {
  return DESCRIPTION.get(id) ?? id
}
