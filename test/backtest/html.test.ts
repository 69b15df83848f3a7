import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { escapeHtml, shownText, uniqueElementIds } from '../../src/backtest/html-text.js';
import { renderHtmlReport } from '../../src/backtest/html.js';
import { emptyReport } from '../../src/backtest/merge.js';
import { days, handMadeReport, hostile } from './html-fixture.js';
import { innerHtml, startTags, textOfHtml, type Tag } from './html-markup.js';

const page = renderHtmlReport(handMadeReport());
const tags = startTags(page);

function tagsNamed(name: string, within: readonly Tag[] = tags): Tag[] {
  return within.filter((tag) => tag.name === name);
}

/** Characters that may move, hide or reorder text: none may reach the page. */
const controls = /(?![\n\t])[\p{Cc}\p{Bidi_Control}\p{Zl}\p{Zp}]/u;

describe('renderHtmlReport: the page', () => {
  it('is well formed, and loads nothing: no script, no external resource, a policy forbidding any load', () => {
    expect(page.startsWith('<!DOCTYPE html>\n<html lang="en">')).toBe(true);
    const names = new Set(tags.map((tag) => tag.name));
    for (const name of [
      'script',
      'img',
      'link',
      'iframe',
      'object',
      'embed',
      'image',
      'use',
      'base',
      'form',
    ]) {
      expect(names.has(name), `<${name}>`).toBe(false);
    }
    const links = tags.flatMap((tag) =>
      Object.entries(tag.attributes).filter(([name]) =>
        /^(src|href|srcset|xlink:href|action|style)$/.test(name),
      ),
    );
    expect(links.every(([name, value]) => name === 'href' && value.startsWith('#'))).toBe(true);
    expect(
      tags.some((tag) => Object.keys(tag.attributes).some((name) => name.startsWith('on'))),
    ).toBe(false);

    const policy = tagsNamed('meta').find(
      (tag) => tag.attributes['http-equiv'] === 'Content-Security-Policy',
    )?.attributes.content;
    const style = /<style>([\s\S]*?)<\/style>/.exec(page)?.[1] ?? '';
    const styleHash = createHash('sha256').update(style).digest('base64');
    expect(policy).toBe(
      `default-src 'none'; style-src 'sha256-${styleHash}'; base-uri 'none'; form-action 'none'`,
    );
    expect(tagsNamed('style')).toHaveLength(1);
  });

  it('heads with the query and the totals, and lists every rule in the report order', () => {
    const header = innerHtml(page, 'query');
    expect(textOfHtml(header)).toContain('s3://trail/AWSLogs/o-a1b2c3d4e5/');
    expect(textOfHtml(header)).toContain('2026-10-01T00:00:00Z to 2026-10-11T00:00:00Z (excluded)');
    expect(textOfHtml(header)).toContain('123456789012');
    expect(textOfHtml(header)).toContain('us-east-1, eu-west-1');
    expect(textOfHtml(header)).toContain('the whole pack');
    const totals = textOfHtml(
      `${innerHtml(page, 'totals')} ${innerHtml(page, 'volume')}`.replace(/</g, ' <'),
    ).replace(/\s+/g, ' ');
    for (const figure of [
      '240 log files read',
      '1 files unreadable',
      '500,000 records',
      '2 records not decoded',
      '1,000 left out by the filters',
      '499,000 events evaluated',
      '30 events matched',
      '2 of 3 rules that fired',
      '55.2 MB (55,200,000 bytes)',
    ]) {
      expect(totals).toContain(figure);
    }
    const overview = innerHtml(page, 'overview');
    const rows = [...overview.matchAll(/<tr><td><a href="#([^"]+)">/g)].map((match) => match[1]);
    expect(rows).toEqual([
      'rule-ec2-security-group-open-to-world',
      'rule-iam-console-login-without-mfa',
      'rule-ec2-running-without-owner',
    ]);
  });

  it('gives each rule that fired a section, in report order, and none to the rule that never did', () => {
    const sections = tagsNamed('section').filter((tag) => tag.attributes.class === 'rule');
    expect(sections.map((tag) => tag.attributes.id)).toEqual([
      'rule-ec2-security-group-open-to-world',
      'rule-iam-console-login-without-mfa',
    ]);
    const first = textOfHtml(innerHtml(page, 'rule-ec2-security-group-open-to-world'));
    expect(first).toContain('Matches19');
    expect(first).toContain(
      'Planned actionsaudit.record × 19, ec2.revoke-security-group-ingress × 19',
    );
    expect(first).toContain('Distinct resources12');
    expect(first).toContain('Distinct actors3');
    expect(first).toContain('First seen2026-10-01T08:15:00Z');
    expect(first).toContain('Last seen2026-10-10T22:40:00Z');
    expect(first).toContain('Needs live statenone');
    const second = textOfHtml(innerHtml(page, 'rule-iam-console-login-without-mfa'));
    expect(second).toContain('Distinct resources≥10,000');
    expect(second).toContain('Needs live state3 events undecided (facts: user)');
    expect(second).toContain('Evaluation errors1 event');
  });

  it('lists the top 10 resources and actors by count, then how many more values and matches', () => {
    const section = innerHtml(page, 'rule-ec2-security-group-open-to-world');
    const resources = section.slice(
      section.indexOf('Top resources'),
      section.indexOf('Top actors'),
    );
    const rows = [
      ...resources.matchAll(
        /<tr><td class="value">([^<]*)<\/td><td class="number">(\d+)<\/td><\/tr>/g,
      ),
    ];
    expect(rows.map((row) => [row[1], row[2]])).toEqual(
      Array.from({ length: 10 }, (_, index) => [
        `sg-0${String(index).padStart(16, '0')}`,
        index < 7 ? '2' : '1',
      ]),
    );
    expect(resources).toContain('<tr class="more"><td>2 more</td><td class="number">2</td></tr>');
    expect(resources).toContain('Top resources (12 distinct)');

    const capped = innerHtml(page, 'rule-iam-console-login-without-mfa');
    expect(capped).toContain('Top resources (≥10,000 distinct)');
    expect(capped).toContain('<tr class="more"><td>≥9,990 more</td><td class="number">1</td></tr>');
  });

  it('draws each rule a chart of every day of the range, zero days included, with labelled axes', () => {
    for (const rule of handMadeReport().rules.filter((each) => each.matches > 0)) {
      const id = `chart-${rule.rule}`;
      const chart = tags.find((tag) => tag.attributes.id === id);
      expect(chart?.name).toBe('svg');
      expect(chart?.attributes.role).toBe('img');
      expect(chart?.attributes['aria-labelledby']).toBe(`${id}-title ${id}-desc`);
      expect(textOfHtml(innerHtml(page, `${id}-title`))).toBe(
        `Matches per day of ${rule.rule}, 2026-10-01 to 2026-10-10`,
      );
      const inner = innerHtml(page, id);
      const bars = tagsNamed('rect', startTags(inner));
      expect(bars.map((bar) => bar.attributes['data-day'])).toEqual(days);
      expect(bars.map((bar) => Number(bar.attributes['data-count']))).toEqual(
        days.map((day) => rule.perDay[day] ?? 0),
      );
      const perMatch = bars.map(
        (bar) => Number(bar.attributes.height) / Number(bar.attributes['data-count']),
      );
      const heights = perMatch.filter((ratio) => Number.isFinite(ratio));
      expect(Math.max(...heights) - Math.min(...heights)).toBeLessThan(0.02);
      expect(
        bars
          .filter((bar) => bar.attributes['data-count'] === '0')
          .map((bar) => bar.attributes.height),
      ).toEqual(Array(days.filter((day) => rule.perDay[day] === undefined).length).fill('0'));
      const texts = [...inner.matchAll(/<text class="(x|y)-label"[^>]*>([^<]*)<\/text>/g)];
      expect(texts.filter((text) => text[1] === 'x').map((text) => text[2])).toEqual(days);
      expect(texts.filter((text) => text[1] === 'y').map((text) => text[2])).toEqual(
        rule.matches === 19 ? ['0', '2', '4', '6', '8'] : ['0', '1', '2', '3', '4'],
      );
    }
    expect(page).not.toContain('id="chart-ec2-running-without-owner"');
    expect(textOfHtml(innerHtml(page, 'chart-ec2-security-group-open-to-world-desc'))).toBe(
      '19 matches over 10 days; the most, 8, on 2026-10-07; 5 days without a match.',
    );
  });

  it('shows the sample events with their explanation lines marked and their planned actions', () => {
    const section = innerHtml(page, 'rule-ec2-security-group-open-to-world');
    expect(section).toContain('Sample events (1 of 19)');
    const explain = /<pre class="explain">([\s\S]*?)<\/pre>/.exec(section)?.[1] ?? '';
    expect([...explain.matchAll(/<span class="(\w+)">/g)].map((match) => match[1])).toEqual([
      'held',
      'held',
      'skipped',
      'failed',
    ]);
    expect(explain).toContain(
      '  ✓ record $.requestParameters.cidrIp worldOpen true: saw &quot;0.0.0.0/0&quot;',
    );
    expect(textOfHtml(section)).toContain(
      'ec2.revoke-security-group-ingress on sg-00000000000000000: tcp 22 from 0.0.0.0/0',
    );
  });

  it('lists the rules that never fired, with the events they could not decide, then the errors', () => {
    const never = textOfHtml(innerHtml(page, 'never-fired'));
    expect(never).toContain('Rules that never fired (1)');
    expect(never).toContain('ec2-running-without-owner');
    expect(innerHtml(page, 'never-fired')).toContain(
      '<td class="number">42</td><td><code>instance</code></td>',
    );
    const errors = innerHtml(page, 'errors');
    expect(textOfHtml(errors)).toContain('Errors (7)');
    expect([...errors.matchAll(/<tr><td class="value">/g)]).toHaveLength(2);
    expect(textOfHtml(errors)).toContain('and 5 more errors, not kept in the report.');
    expect(page.indexOf('id="never-fired"')).toBeGreaterThan(
      page.indexOf('id="rule-iam-console-login-without-mfa"'),
    );
    expect(page.indexOf('id="errors"')).toBeGreaterThan(page.indexOf('id="never-fired"'));
  });
});

describe('renderHtmlReport: hostile event data', () => {
  it('escapes scripts, quotes and the end of the style sheet wherever they appear', () => {
    expect(page).not.toContain(hostile.script);
    expect(page).not.toContain(hostile.endStyle);
    expect(page).not.toContain(hostile.quotes);
    expect(page.match(/<\/style>/g)).toHaveLength(1);
    expect(page.match(/<script/gi)).toBeNull();
    const script = '&lt;script&gt;document.title=&quot;pwned&quot;&lt;/script&gt;';
    expect(page.split(script).length - 1).toBe(6);
    expect(page).toContain('&lt;/style&gt;&lt;img src=&quot;http://127.0.0.1:9/x.png&quot;&gt;');
    expect(page).toContain('&quot;onmouseover=&quot;alert(1)&quot; x=&#39;y&#39;');
    expect(textOfHtml(innerHtml(page, 'rule-iam-console-login-without-mfa'))).toContain(
      `${script} at 2026-10-02T01:00:00Z`,
    );
  });

  it('shows control and bidirectional characters as escapes, never as themselves', () => {
    expect(page).not.toMatch(controls);
    const shown = 'line\\nforged\\u0000\\u001b[2J\\u202egnol';
    expect(innerHtml(page, 'rule-iam-console-login-without-mfa')).toContain(
      `<td class="value">${shown}</td>`,
    );
    expect(innerHtml(page, 'errors')).toContain(`<td>${shown}</td>`);
  });

  it('cuts a huge value and says how much it left out', () => {
    expect(page.length).toBeLessThan(60_000);
    const line = `  ✗ record $.requestParameters.userData equal "": saw ${hostile.huge}`;
    const shown = /<span class="failed">([^<]*)<\/span>/.exec(page)?.[1] ?? '';
    const kept = line.slice(0, 500).replace(/"/g, '&quot;');
    const left = (line.length - 500).toLocaleString('en-US');
    expect(shown).toBe(`${kept}… (${left} more characters)`);
  });
});

describe('renderHtmlReport: edge cases', () => {
  it('renders a report with no rule and no event, saying so, and charts nothing', () => {
    const empty = emptyReport({ sources: ['empty/'] }, []);
    const html = renderHtmlReport(empty);
    startTags(html);
    expect(textOfHtml(html)).toContain('The report holds no rule.');
    expect(textOfHtml(html)).toContain('every event of the sources');
    expect(textOfHtml(html)).toContain('No errors: every file was read and every record decoded.');
    expect(textOfHtml(html)).toContain('Every rule matched at least one event.');
    expect(html).not.toContain('<svg');
  });

  it('charts a long range with a bar for several days, keeping every match', () => {
    const report = handMadeReport();
    report.query.since = '2024-01-01T00:00:00Z';
    report.query.until = '2027-01-01T00:00:00Z';
    const html = renderHtmlReport(report);
    const chart = innerHtml(html, 'chart-ec2-security-group-open-to-world');
    const bars = tagsNamed('rect', startTags(chart));
    expect(bars).toHaveLength(548);
    expect(bars.reduce((sum, bar) => sum + Number(bar.attributes['data-count']), 0)).toBe(19);
    expect(bars[0]?.attributes['data-day']).toBe('2024-01-01');
    expect(textOfHtml(innerHtml(html, 'chart-ec2-security-group-open-to-world-title'))).toBe(
      'Matches per 2 days of ec2-security-group-open-to-world, 2024-01-01 to 2026-12-31',
    );
  });

  it('widens the range to a day a rule matched outside it, and skips keys that are no day', () => {
    const report = handMadeReport();
    const [rule] = report.rules;
    if (!rule) throw new Error('the fixture has rules');
    rule.perDay = { ...rule.perDay, '2026-10-12': 1, '2026-02-30': 5, '<b>': 7 };
    const chart = innerHtml(renderHtmlReport(report), 'chart-ec2-security-group-open-to-world');
    const bars = tagsNamed('rect', startTags(chart));
    expect(bars.map((bar) => bar.attributes['data-day'])).toEqual([
      ...days,
      '2026-10-11',
      '2026-10-12',
    ]);
    expect(bars.at(-1)?.attributes['data-count']).toBe('1');
    expect(chart).not.toContain('<b>');
  });

  it('tops the y axis at the first round step at or above the busiest day', () => {
    const labels = (peak: number) => {
      const report = handMadeReport();
      const [rule] = report.rules;
      if (!rule) throw new Error('the fixture has rules');
      rule.perDay = { '2026-10-05': peak };
      const chart = innerHtml(renderHtmlReport(report), 'chart-ec2-security-group-open-to-world');
      return [...chart.matchAll(/<text class="y-label"[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]);
    };
    expect(labels(1)).toEqual(['0', '1']);
    expect(labels(22)).toEqual(['0', '5', '10', '15', '20', '25']);
    expect(labels(1234)).toEqual(['0', '500', '1,000', '1,500']);
  });

  it('gives rule ids an id safe in HTML, unique even when two differ only in what an id cannot hold', () => {
    expect(uniqueElementIds('chart', ['a.b', 'a:b', 'ok-1', '"><x'])).toEqual([
      'chart-a-b',
      'chart-a-b-2',
      'chart-ok-1',
      'chart----x',
    ]);
  });

  it('never cuts a character in two, and escapes both quotes', () => {
    expect(shownText(`${'x'.repeat(9)}😀tail`, 10)).toBe(`${'x'.repeat(9)}… (6 more characters)`);
    expect(escapeHtml(`<a href='x'>"&"</a>`)).toBe(
      '&lt;a href=&#39;x&#39;&gt;&quot;&amp;&quot;&lt;/a&gt;',
    );
  });
});
