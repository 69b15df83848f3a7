/** One thing wrong with a rule file, at a place an editor can jump to. */
export interface RuleProblem {
  file: string;
  /** 1-based. */
  line: number;
  /** 1-based. */
  column: number;
  message: string;
}

export function formatProblem(problem: RuleProblem): string {
  return `${problem.file}:${problem.line}:${problem.column}: ${problem.message}`;
}

/**
 * A warning (something suspect that does not stop the rule loading) as editors and compilers
 * print one.
 *
 * @example
 * formatWarning({ file: 'rules/x.yaml', line: 9, column: 13, message: 'path …' });
 * // 'rules/x.yaml:9:13: warning: path …'
 */
export function formatWarning(warning: RuleProblem): string {
  return `${warning.file}:${warning.line}:${warning.column}: warning: ${warning.message}`;
}

/** Raised at start-up when the rule pack does not load; carries every problem found. */
export class RuleLoadError extends Error {
  constructor(readonly problems: RuleProblem[]) {
    super(
      `${problems.length} problem${problems.length === 1 ? '' : 's'} in the rules:\n` +
        problems.map(formatProblem).join('\n'),
    );
    this.name = 'RuleLoadError';
  }
}
