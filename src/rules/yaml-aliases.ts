import {
  isAlias,
  isCollection,
  isPair,
  isScalar,
  visit,
  type Alias,
  type Document,
  type Node,
} from 'yaml';

/**
 * How many nodes the aliases of one YAML file may add when expanded: far more than any rule
 * or lists file needs, far fewer than a "billion laughs" file, whose few lines expand to 10^9.
 */
export const maxAliasedNodes = 10_000;

/** What is wrong with a file's aliases, at the offset of the alias where it shows. */
export interface AliasProblem {
  offset: number;
  message: string;
}

/**
 * The first problem with the aliases of a parsed YAML document: an alias without an anchor
 * before it, an alias inside the node it names (a cycle), or aliases that expand the document
 * past `limit` nodes. The yaml package finds these only while converting the document, and
 * says neither where nor which alias; checking first lets every loader report them as
 * `file:line:col`, and lets the conversion run without its own alias limit.
 *
 * @example
 * const problem = aliasProblem(parseDocument(text));
 * if (problem) console.log(lines.linePos(problem.offset), problem.message);
 */
export function aliasProblem(
  document: Document,
  limit: number = maxAliasedNodes,
): AliasProblem | undefined {
  const anchors = new Map<string, Node>();
  const targets = new Map<Alias, Node>();
  const sizes = new Map<Node, number>();
  let added = 0;
  let problem: AliasProblem | undefined;

  // A node's size once its aliases are expanded, capped just past the limit; every alias in it
  // was met (and resolved) before it, since an anchor comes before its aliases.
  const sizeOf = (node: unknown): number => {
    if (isAlias(node)) {
      const target = targets.get(node);
      return target === undefined ? 1 : sizeOf(target);
    }
    if (!isCollection(node)) return 1;
    const known = sizes.get(node);
    if (known !== undefined) return known;
    let size = 1;
    for (const item of node.items as unknown[]) {
      size += isPair(item) ? sizeOf(item.key) + sizeOf(item.value) : sizeOf(item);
      if (size > limit) break;
    }
    const capped = Math.min(size, limit + 1);
    sizes.set(node, capped);
    return capped;
  };

  visit(document, {
    Node: (_key, node, path) => {
      if (isAlias(node)) {
        const where = node.range?.[0] ?? 0;
        const target = anchors.get(node.source);
        if (target === undefined) {
          problem = {
            offset: where,
            message: `YAML: alias *${node.source} has no anchor &${node.source} before it`,
          };
        } else if (path.includes(target)) {
          problem = {
            offset: where,
            message: `YAML: alias *${node.source} is inside the node it names`,
          };
        } else {
          targets.set(node, target);
          added += sizeOf(target);
          if (added > limit) {
            problem = {
              offset: where,
              message: `YAML: the aliases up to *${node.source} expand to more than ${limit} nodes; this looks like an alias bomb ("billion laughs")`,
            };
          }
        }
        return problem ? visit.BREAK : undefined;
      }
      if ((isScalar(node) || isCollection(node)) && node.anchor) anchors.set(node.anchor, node);
      return undefined;
    },
  });
  return problem;
}
