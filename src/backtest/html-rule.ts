import { dayChart } from './html-chart.js';
import type { DaySpan } from './html-days.js';
import { countOf, countText, listText } from './html-format.js';
import { shownText } from './html-text.js';
import type { CountedValues, RuleResult, SampleEvent } from './report.js';

/** How many of a rule's resources and actors the page lists. */
export const topShown = 10;
/** How many of a sample's resources, planned actions and explanation lines the page lists. */
const sampleItemsShown = 20;
const explanationLinesShown = 100;
/** An explanation line holds a fact's value as seen: room for a small JSON document. */
const explanationLineLength = 500;

/** The page's ids of one rule's elements. */
export interface RuleElementIds {
  section: string;
  chart: string;
}

/** `≥` before a number that is only a lower bound. */
function atLeast(capped: boolean): string {
  return capped ? '≥' : '';
}

/** A record's entries, the largest count first, ties in name order (the same on every render). */
function mostFirst(counts: Readonly<Record<string, number>>): [string, number][] {
  return Object.entries(counts).sort(
    ([a, countA], [b, countB]) => countB - countA || (a < b ? -1 : a > b ? 1 : 0),
  );
}

/**
 * The most frequent values first (ties in value order), then a row for the rest: how many
 * other values, and how often they were seen, those past the report's cap included.
 */
function topValuesTable(title: string, column: string, values: CountedValues): string {
  const entries = mostFirst(values.counts);
  const shown = entries.slice(0, topShown);
  const restCount =
    entries.slice(topShown).reduce((sum, [, seen]) => sum + seen, 0) + values.otherCount;
  const restDistinct = Math.max(0, values.distinct - shown.length);
  const rows = shown.map(
    ([value, seen]) =>
      `<tr><td class="value">${shownText(value)}</td><td class="number">${countText(seen)}</td></tr>`,
  );
  if (restDistinct > 0 || restCount > 0) {
    rows.push(
      `<tr class="more"><td>${atLeast(values.capped)}${countText(restDistinct)} more</td><td class="number">${countText(restCount)}</td></tr>`,
    );
  }
  const body =
    rows.length === 0 ? '<tr><td class="none" colspan="2">none</td></tr>' : rows.join('\n');
  return [
    '<div>',
    `<h3>${title} (${atLeast(values.capped)}${countText(values.distinct)} distinct)</h3>`,
    `<table><thead><tr><th scope="col">${column}</th><th scope="col" class="number">matches</th></tr></thead>`,
    `<tbody>${body}</tbody></table>`,
    '</div>',
  ].join('\n');
}

function plannedActionsText(planned: Readonly<Record<string, number>>): string {
  const entries = mostFirst(planned);
  if (entries.length === 0) return '<span class="none">none</span>';
  return entries
    .map(([action, times]) => `<code>${shownText(action)}</code> × ${countText(times)}`)
    .join(', ');
}

function needsLiveStateText(rule: RuleResult): string {
  if (rule.needsLiveState === 0) return '<span class="none">none</span>';
  const facts = rule.liveFacts.length > 0 ? ` (facts: ${listText(rule.liveFacts, '')})` : '';
  return `<span class="warn">${countOf(rule.needsLiveState, 'event')} undecided</span>${facts}: answer them with <code>--facts</code>`;
}

/** A list cut to `limit` items, saying how many were left out. */
function cut<T>(items: readonly T[], limit: number, show: (item: T) => string): string[] {
  const shown = items.slice(0, limit).map(show);
  if (items.length > limit)
    shown.push(`<li class="none">and ${countText(items.length - limit)} more</li>`);
  return shown;
}

const marks: Readonly<Record<string, string>> = { '✓': 'held', '✗': 'failed', '·': 'skipped' };

/** One explanation line, coloured by its mark: ✓ held, ✗ did not, · not evaluated. */
function explanationLine(line: string): string {
  const mark = line.trimStart().charAt(0);
  const shown = shownText(line, explanationLineLength);
  const kind = marks[mark];
  return kind === undefined ? shown : `<span class="${kind}">${shown}</span>`;
}

function sampleArticle(sample: SampleEvent): string {
  const lines = sample.explanation.slice(0, explanationLinesShown).map(explanationLine);
  if (sample.explanation.length > explanationLinesShown) {
    lines.push(
      `<span class="none">and ${countOf(sample.explanation.length - explanationLinesShown, 'more line')}</span>`,
    );
  }
  const where = [sample.account, sample.region].filter((part) => part !== undefined);
  const planned = cut(
    sample.planned,
    sampleItemsShown,
    (item) =>
      `<li><code>${shownText(item.action)}</code> on <code>${shownText(item.resource)}</code>` +
      `${item.detail === undefined ? '' : `: ${shownText(item.detail)}`}</li>`,
  );
  return [
    '<article class="sample">',
    `<h4><code>${shownText(sample.name)}</code> at ${shownText(sample.time)}</h4>`,
    '<dl class="facts">',
    `<dt>Event</dt><dd><code>${shownText(sample.id)}</code></dd>`,
    `<dt>Account, region</dt><dd>${listText(where, 'not given')}</dd>`,
    `<dt>Actor</dt><dd>${sample.actor === undefined ? '<span class="none">none</span>' : `<code>${shownText(sample.actor)}</code>`}</dd>`,
    `<dt>Resources</dt><dd>${sample.resources.length === 0 ? '<span class="none">none</span>' : `<ul>${cut(sample.resources, sampleItemsShown, (resource) => `<li><code>${shownText(resource)}</code></li>`).join('')}</ul>`}</dd>`,
    `<dt>Read from</dt><dd><code>${shownText(sample.where)}</code></dd>`,
    '</dl>',
    `<pre class="explain">${lines.join('\n')}</pre>`,
    planned.length === 0
      ? '<p class="none">No action planned.</p>'
      : `<ul class="planned">${planned.join('')}</ul>`,
    '</article>',
  ].join('\n');
}

/**
 * The section of one rule that matched: its figures (matches, planned actions by type, distinct
 * resources and actors, first and last seen, events it could not decide without live state),
 * its chart of matches per day over the report's days, its top resources and actors, and its
 * sample events with the explanation of each verdict and the actions it would have planned.
 *
 * @example
 * const html = ruleSection(rule, { section: 'rule-r1', chart: 'chart-r1' }, reportDaySpan(report));
 */
export function ruleSection(
  rule: RuleResult,
  ids: RuleElementIds,
  span: DaySpan | undefined,
): string {
  const mode = rule.mode === 'enforce' ? 'enforce' : 'dry-run';
  const chart =
    span === undefined
      ? '<p class="none">No day to chart: the report holds no event time.</p>'
      : dayChart({ id: ids.chart, rule: rule.rule, mode: rule.mode, span, perDay: rule.perDay });
  const samples =
    rule.samples.length === 0
      ? '<p class="none">No sample kept.</p>'
      : rule.samples.map(sampleArticle).join('\n');
  return [
    `<section class="rule" id="${ids.section}" aria-labelledby="${ids.section}-name">`,
    `<h2 id="${ids.section}-name"><code>${shownText(rule.rule)}</code> <span class="mode mode-${mode}">${shownText(rule.mode)}</span></h2>`,
    '<dl class="facts">',
    `<dt>Matches</dt><dd>${countText(rule.matches)}</dd>`,
    `<dt>Planned actions</dt><dd>${plannedActionsText(rule.plannedActions)}</dd>`,
    `<dt>Distinct resources</dt><dd>${atLeast(rule.resources.capped)}${countText(rule.resources.distinct)}</dd>`,
    `<dt>Distinct actors</dt><dd>${atLeast(rule.actors.capped)}${countText(rule.actors.distinct)}</dd>`,
    `<dt>First seen</dt><dd>${rule.firstSeen === undefined ? '<span class="none">never</span>' : shownText(rule.firstSeen)}</dd>`,
    `<dt>Last seen</dt><dd>${rule.lastSeen === undefined ? '<span class="none">never</span>' : shownText(rule.lastSeen)}</dd>`,
    `<dt>Needs live state</dt><dd>${needsLiveStateText(rule)}</dd>`,
    ...(rule.evaluationErrors > 0
      ? [
          `<dt>Evaluation errors</dt><dd class="warn">${countOf(rule.evaluationErrors, 'event')}</dd>`,
        ]
      : []),
    '</dl>',
    `<figure>${chart}<figcaption>Matches per UTC day; hover a bar for its count.</figcaption></figure>`,
    '<div class="columns">',
    topValuesTable('Top resources', 'resource', rule.resources),
    topValuesTable('Top actors', 'actor', rule.actors),
    '</div>',
    `<h3>Sample events (${countText(rule.samples.length)} of ${countText(rule.matches)})</h3>`,
    samples,
    '</section>',
  ].join('\n');
}
