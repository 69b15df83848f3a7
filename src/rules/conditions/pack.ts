import type { NamedLists } from '../lists.js';
import type { MemoCounts } from '../memo.js';
import { RuleEngine } from '../engine.js';
import type { RuleVerdict } from '../evaluate.js';
import type { CompiledRule } from '../rule.js';
import { ConditionCompiler, type CompiledCondition } from './compile.js';
import { Operators } from './operators.js';

/** What a rule pack works out once per rule. */
export interface RuleConditions {
  /** The conditions as a closure; undefined when only json-rules-engine can evaluate them. */
  compiled?: CompiledCondition;
  /** The rule's verdicts without an error or an explanation, the same for every event. */
  fires: RuleVerdict;
  quiet: RuleVerdict;
}

/**
 * The compiled state of a set of rules, owned by whoever evaluates them (a `RuleIndex`, one
 * `evaluateRules` call): each rule's compiled conditions and verdicts, the compilers of its
 * named lists with their memos, and json-rules-engine for what does not compile. Nothing is
 * written onto the rules, and nothing outlives the pack.
 *
 * @example
 * const pack = new ConditionPack();
 * pack.of(rule).compiled?.evaluate(new FactValues(event));
 * pack.memos(); // [{ name: 'conditions', hits: 9_870, misses: 130, size: 130 }, …]
 */
export class ConditionPack {
  readonly engine = new RuleEngine((rule) => this.compiler(rule.lists).operators);
  private readonly compilers = new Map<NamedLists, ConditionCompiler>();
  private readonly rules = new Map<CompiledRule, RuleConditions>();

  /** The rule's compiled conditions and verdicts, worked out the first time. */
  of(rule: CompiledRule): RuleConditions {
    let conditions = this.rules.get(rule);
    if (!conditions) {
      const compiled = this.compiler(rule.lists).compile(rule.document.conditions ?? { all: [] });
      conditions = {
        ...(compiled ? { compiled } : {}),
        fires: Object.freeze({ rule, fires: true }),
        quiet: Object.freeze({ rule, fires: false }),
      };
      this.rules.set(rule, conditions);
    }
    return conditions;
  }

  /** The compiler of conditions that consult `lists`. */
  compiler(lists: NamedLists): ConditionCompiler {
    let compiler = this.compilers.get(lists);
    if (!compiler) {
      compiler = new ConditionCompiler(new Operators(lists));
      this.compilers.set(lists, compiler);
    }
    return compiler;
  }

  /** Every memo's counts, summed by name over the pack's named lists. */
  memos(): MemoCounts[] {
    const byName = new Map<string, MemoCounts>();
    const counts = [...this.compilers.values()].flatMap((compiler) => [
      compiler.reads.counts(),
      compiler.leaves.counts(),
      compiler.groups.counts(),
      compiler.operators.patterns.compiled.counts(),
      compiler.operators.patterns.resultCounts(),
    ]);
    for (const count of [...counts, ...this.engine.memos()]) {
      const sum = byName.get(count.name);
      byName.set(
        count.name,
        sum
          ? {
              ...sum,
              hits: sum.hits + count.hits,
              misses: sum.misses + count.misses,
              size: sum.size + count.size,
            }
          : count,
      );
    }
    return [...byName.values()];
  }
}
