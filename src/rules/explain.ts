import { boundedJson, defaultJsonBounds } from '../actions/bounded-json.js';
import type { RuleVerdict } from './evaluate.js';

/** One evaluated condition: what it read, how it compared, and what it decided. */
export interface ConditionExplanation {
  fact: string;
  path?: string;
  operator: string;
  expected: unknown;
  /** The fact value the condition saw; absent when it was not evaluated. */
  saw?: unknown;
  /** undefined: not evaluated, because an earlier condition already decided its group. */
  result?: boolean;
}

export interface GroupExplanation {
  kind: 'all' | 'any' | 'not';
  result?: boolean;
  children: (GroupExplanation | ConditionExplanation)[];
}

export interface RuleExplanation {
  rule: string;
  fires: boolean;
  error?: string;
  conditions?: GroupExplanation;
}

type Node = Record<string, unknown>;

function explainNode(node: Node): GroupExplanation | ConditionExplanation {
  for (const kind of ['all', 'any'] as const) {
    if (Array.isArray(node[kind])) {
      const children = (node[kind] as Node[]).map(explainNode);
      const results = children.map((child) => child.result);
      const result =
        kind === 'all'
          ? results.includes(false)
            ? false
            : results.every((value) => value === true)
              ? true
              : undefined
          : results.includes(true)
            ? true
            : results.every((value) => value === false)
              ? false
              : undefined;
      return { kind, result, children };
    }
  }
  if (node.not !== undefined && typeof node.not === 'object') {
    const child = explainNode(node.not as Node);
    return {
      kind: 'not',
      result: child.result === undefined ? undefined : !child.result,
      children: [child],
    };
  }
  const evaluated = 'result' in node;
  return {
    fact: String(node.fact),
    ...(node.path === undefined ? {} : { path: String(node.path) }),
    operator: String(node.operator),
    expected: node.value,
    ...(evaluated ? { saw: node.factResult, result: Boolean(node.result) } : {}),
  };
}

/** The condition-level story of a verdict, from json-rules-engine's evaluated condition tree. */
export function explainVerdict(verdict: RuleVerdict): RuleExplanation {
  return {
    rule: verdict.rule.id,
    fires: verdict.fires,
    ...(verdict.error === undefined ? {} : { error: verdict.error }),
    ...(verdict.conditions === undefined
      ? {}
      : { conditions: explainNode(verdict.conditions as unknown as Node) as GroupExplanation }),
  };
}

/** Values seen are event data: bounded, so a deeply nested or huge one still prints. */
const shownBounds = { ...defaultJsonBounds, maxLength: 120 };

function show(value: unknown): string {
  return value === undefined ? 'nothing' : boundedJson(value, shownBounds);
}

/** Indented lines for people: ✓ held, ✗ did not, · not evaluated. */
export function explanationLines(
  node: GroupExplanation | ConditionExplanation,
  depth = 0,
): string[] {
  const indent = '  '.repeat(depth);
  const mark = node.result === undefined ? '·' : node.result ? '✓' : '✗';
  if ('kind' in node) {
    return [
      `${indent}${mark} ${node.kind}`,
      ...node.children.flatMap((child) => explanationLines(child, depth + 1)),
    ];
  }
  const subject = `${node.fact}${node.path ? ` ${node.path}` : ''}`;
  const outcome = node.result === undefined ? 'not evaluated' : `saw ${show(node.saw)}`;
  return [`${indent}${mark} ${subject} ${node.operator} ${show(node.expected)}: ${outcome}`];
}
