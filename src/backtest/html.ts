import { reportDaySpan } from './html-days.js';
import { bytesText, countOf, countText, listText } from './html-format.js';
import { ruleSection } from './html-rule.js';
import { reportPolicy, reportStyle } from './html-style.js';
import { shownText, uniqueElementIds } from './html-text.js';
import type { BacktestQuery, BacktestReport, BacktestTotals, RuleResult } from './report.js';

function rangeText(query: BacktestQuery): string {
  if (query.since === undefined && query.until === undefined) {
    return '<span class="none">every event of the sources</span>';
  }
  const since = query.since === undefined ? 'the first event' : shownText(query.since);
  const until =
    query.until === undefined ? 'the last event' : `${shownText(query.until)} (excluded)`;
  return `${since} to ${until}`;
}

function queryFacts(query: BacktestQuery): string {
  return [
    '<dl class="facts" id="query">',
    `<dt>Sources</dt><dd>${listText(query.sources, 'none')}</dd>`,
    `<dt>Range</dt><dd>${rangeText(query)}</dd>`,
    `<dt>Accounts</dt><dd>${listText(query.accounts, 'all')}</dd>`,
    `<dt>Regions</dt><dd>${listText(query.regions, 'all')}</dd>`,
    `<dt>Rules</dt><dd>${listText(query.ruleIds, 'the whole pack')}</dd>`,
    `<dt>Lazy facts</dt><dd>${query.facts === undefined ? '<span class="none">not answered: a rule that needs live state says so</span>' : `from <code>${shownText(query.facts)}</code>`}</dd>`,
    '</dl>',
  ].join('\n');
}

function total(label: string, figure: string, warn = false): string {
  return `<div class="total"><span class="figure${warn ? ' warn' : ''}">${figure}</span><span class="label">${label}</span></div>`;
}

function totalsPanel(totals: BacktestTotals, rules: readonly RuleResult[]): string {
  const fired = rules.filter((rule) => rule.matches > 0).length;
  const firstLast =
    totals.firstEvent === undefined || totals.lastEvent === undefined
      ? '<span class="none">no event evaluated</span>'
      : `${shownText(totals.firstEvent)} to ${shownText(totals.lastEvent)}`;
  return [
    '<div class="totals" id="totals">',
    total('log files read', countText(totals.files)),
    total('files unreadable', countText(totals.unreadableFiles), totals.unreadableFiles > 0),
    total('records', countText(totals.records)),
    total('records not decoded', countText(totals.badRecords), totals.badRecords > 0),
    total('left out by the filters', countText(totals.filteredOut)),
    total('events evaluated', countText(totals.events)),
    total('events matched', countText(totals.matchedEvents)),
    total('rules that fired', `${countText(fired)} of ${countText(rules.length)}`),
    '</div>',
    '<dl class="facts" id="volume">',
    `<dt>Bytes read</dt><dd>${bytesText(totals.bytes)}</dd>`,
    `<dt>Events from</dt><dd>${firstLast}</dd>`,
    '</dl>',
  ].join('\n');
}

function plannedTotal(rule: RuleResult): number {
  return Object.values(rule.plannedActions).reduce((sum, times) => sum + times, 0);
}

/** Every rule in one table, each linked to its section or to its row among those that never fired. */
function rulesOverview(rules: readonly RuleResult[], sectionIds: readonly string[]): string {
  if (rules.length === 0) return '<p class="none">The report holds no rule.</p>';
  const rows = rules.map(
    (rule, index) =>
      `<tr><td><a href="#${sectionIds[index]}"><code>${shownText(rule.rule)}</code></a></td>` +
      `<td>${shownText(rule.mode)}</td><td class="number">${countText(rule.matches)}</td>` +
      `<td class="number">${countText(plannedTotal(rule))}</td>` +
      `<td class="number">${countText(rule.needsLiveState)}</td></tr>`,
  );
  return [
    '<table class="overview" id="overview">',
    '<thead><tr><th scope="col">rule</th><th scope="col">mode</th><th scope="col" class="number">matches</th>' +
      '<th scope="col" class="number">planned actions</th><th scope="col" class="number">needs live state</th></tr></thead>',
    `<tbody>${rows.join('\n')}</tbody>`,
    '</table>',
  ].join('\n');
}

function neverFiredSection(rules: readonly RuleResult[], sectionIds: readonly string[]): string {
  const rows = rules.flatMap((rule, index) =>
    rule.matches > 0
      ? []
      : [
          `<tr id="${sectionIds[index]}"><td><code>${shownText(rule.rule)}</code></td><td>${shownText(rule.mode)}</td>` +
            `<td class="number">${countText(rule.needsLiveState)}</td><td>${listText(rule.liveFacts, '')}</td>` +
            `<td class="number">${countText(rule.evaluationErrors)}</td></tr>`,
        ],
  );
  const body =
    rows.length === 0
      ? '<p class="none">Every rule matched at least one event.</p>'
      : [
          '<p>These rules matched no event. One that needs live state may still match when its lazy facts are answered (<code>--facts</code>).</p>',
          '<table><thead><tr><th scope="col">rule</th><th scope="col">mode</th><th scope="col" class="number">needs live state</th>' +
            '<th scope="col">lazy facts</th><th scope="col" class="number">evaluation errors</th></tr></thead>',
          `<tbody>${rows.join('\n')}</tbody></table>`,
        ].join('\n');
  return `<section id="never-fired" aria-labelledby="never-fired-title">\n<h2 id="never-fired-title">Rules that never fired (${countText(rows.length)})</h2>\n${body}\n</section>`;
}

function errorsSection(report: BacktestReport): string {
  const count = report.errors.length + report.moreErrors;
  const rows = report.errors.map(
    (error) =>
      `<tr><td class="value">${shownText(error.where)}</td><td>${shownText(error.message)}</td></tr>`,
  );
  const more =
    report.moreErrors > 0
      ? `<p class="none">and ${countOf(report.moreErrors, 'more error')}, not kept in the report.</p>`
      : '';
  const body =
    count === 0
      ? '<p class="none">No errors: every file was read and every record decoded.</p>'
      : `<table><thead><tr><th scope="col">where</th><th scope="col">error</th></tr></thead><tbody>${rows.join('\n')}</tbody></table>${more}`;
  return `<section id="errors" aria-labelledby="errors-title">\n<h2 id="errors-title">Errors (${countText(count)})</h2>\n${body}\n</section>`;
}

/**
 * A backtest report as one self-contained HTML page, readable on screen and printed: the query
 * and the totals, then a section for each rule that matched (in the report's order) with its
 * figures, a chart of its matches per day over the whole range, its top resources and actors
 * and its sample events with their explanations, then the rules that never fired, then the
 * errors. Nothing on the page loads anything: the style is inline, the charts are inline SVG
 * drawn here, and a Content-Security-Policy forbids every load. Every value from the report is
 * escaped, and long ones are cut.
 *
 * @example
 * await writeFile('backtest.html', renderHtmlReport(report));
 */
export function renderHtmlReport(report: BacktestReport): string {
  const span = reportDaySpan(report);
  const ruleIds = report.rules.map((rule) => rule.rule);
  const sectionIds = uniqueElementIds('rule', ruleIds);
  const chartIds = uniqueElementIds('chart', ruleIds);
  const fired = report.rules.flatMap((rule, index) =>
    rule.matches > 0
      ? [
          ruleSection(
            rule,
            { section: sectionIds[index] ?? '', chart: chartIds[index] ?? '' },
            span,
          ),
        ]
      : [],
  );
  const sources = report.query.sources.join(' ');
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${reportPolicy}">`,
    '<meta name="referrer" content="no-referrer">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>steward backtest: ${shownText(sources, 120)}</title>`,
    `<style>${reportStyle}</style>`,
    '</head>',
    '<body>',
    '<header>',
    '<h1>steward backtest</h1>',
    '<p class="lede">What the rules would have done over these CloudTrail log files: nothing was executed and nothing written to the ledger.</p>',
    queryFacts(report.query),
    totalsPanel(report.totals, report.rules),
    rulesOverview(report.rules, sectionIds),
    '</header>',
    '<main>',
    ...fired,
    neverFiredSection(report.rules, sectionIds),
    errorsSection(report),
    '</main>',
    `<footer class="none">Report version ${shownText(String(report.version))}.</footer>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
