/**
 * The rules directory the CLI reads: `STEWARD_RULES_DIR`, else `rules/` of the working
 * directory. Apart from the runtime, so that reading rules loads no AWS client or ledger code.
 *
 * @example
 * const rules = await loadRules(defaultRulesDir());
 */
export function defaultRulesDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.STEWARD_RULES_DIR ?? 'rules';
}
