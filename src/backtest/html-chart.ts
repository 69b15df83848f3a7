import { dayName, dayNumber, type DaySpan } from './html-days.js';
import { countOf, countText } from './html-format.js';
import { escapeHtml, shownText } from './html-text.js';

/** The most bars a chart draws: two years of days; a longer range gets a bar per few days. */
export const maxBars = 731;

/** The chart's frame in SVG user units; it scales to the page's width. */
const width = 760;
const height = 210;
const margin = { left: 52, right: 36, top: 14, bottom: 44 };
const plotWidth = width - margin.left - margin.right;
const plotHeight = height - margin.top - margin.bottom;
/** The widest a bar is drawn, whatever room its day has. */
const maxBarWidth = 48;
/** Room one x-axis label (`2026-10-01` at the chart's font size) needs. */
const labelWidth = 64;

/** What one chart draws: a rule's matches per day over the report's days. */
export interface DayChartOptions {
  /** The SVG's element id (`chart-<rule id>`). */
  id: string;
  /** The rule the chart is of, as the report names it. */
  rule: string;
  span: DaySpan;
  perDay: Readonly<Record<string, number>>;
  /** Colours the bars by what the rule's actions would do: act (`enforce`) or only report. */
  mode: string;
}

/** One bar: the days it stands for and the matches on them. */
interface Bar {
  first: number;
  last: number;
  matches: number;
}

/**
 * The y axis for a tallest bar of `peak`: ticks a round step apart (1, 2 or 5 × 10ⁿ, at most
 * five of them above 0) and the first tick at or above the peak as its top.
 */
function yAxis(peak: number): { top: number; step: number } {
  for (let power = 1; ; power *= 10) {
    for (const step of [power, 2 * power, 5 * power]) {
      if (peak / step <= 5) return { top: Math.max(1, Math.ceil(peak / step)) * step, step };
    }
  }
}

function rounded(value: number): number {
  return Math.round(value * 100) / 100;
}

function barsOf(
  span: DaySpan,
  daysPerBar: number,
  perDay: Readonly<Record<string, number>>,
): Bar[] {
  const days = span.last - span.first + 1;
  const bars = Array.from({ length: Math.ceil(days / daysPerBar) }, (_, index) => {
    const first = span.first + index * daysPerBar;
    return { first, last: Math.min(span.last, first + daysPerBar - 1), matches: 0 };
  });
  for (const [key, matches] of Object.entries(perDay)) {
    const day = dayNumber(key);
    if (day === undefined || day < span.first || day > span.last) continue;
    if (!Number.isFinite(matches) || matches <= 0) continue;
    const bar = bars[Math.floor((day - span.first) / daysPerBar)];
    if (bar) bar.matches += matches;
  }
  return bars;
}

function barDays(bar: Bar): string {
  return bar.first === bar.last
    ? dayName(bar.first)
    : `${dayName(bar.first)} to ${dayName(bar.last)}`;
}

function summary(bars: readonly Bar[], span: DaySpan, daysPerBar: number): string {
  const days = span.last - span.first + 1;
  const total = bars.reduce((sum, bar) => sum + bar.matches, 0);
  if (total === 0) return `No match in these ${countText(days)} days.`;
  const peak = bars.reduce((most, bar) => (bar.matches > most.matches ? bar : most));
  const quiet = bars.filter((bar) => bar.matches === 0).length;
  const unit = daysPerBar === 1 ? 'days' : 'bars';
  return (
    `${countOf(total, 'match', 'matches')} over ${countText(days)} days; ` +
    `the most, ${countText(peak.matches)}, on ${barDays(peak)}; ` +
    `${countText(quiet)} ${unit} without a match.`
  );
}

/**
 * A bar chart of a rule's matches per UTC day, as inline SVG: one bar for every day of the
 * span (a day without a match is a bar of height 0, so gaps show as gaps; any other is at least
 * one unit high), a y axis from 0 to a round number with its labels, days along the x axis, and a `<title>` and `<desc>` that say
 * what it shows for readers that cannot see it. Each bar carries its day and count
 * (`data-day`, `data-count`) and a tooltip. Past `maxBars` days, a bar stands for several.
 *
 * @example
 * const svg = dayChart({ id: 'chart-r1', rule: 'r1', mode: 'enforce', span, perDay: { '2026-10-02': 3 } });
 */
export function dayChart(options: DayChartOptions): string {
  const { id, span } = options;
  const daysPerBar = Math.ceil((span.last - span.first + 1) / maxBars);
  const bars = barsOf(span, daysPerBar, options.perDay);
  const { top, step } = yAxis(Math.max(...bars.map((bar) => bar.matches)));
  const ticks = Array.from({ length: top / step + 1 }, (_, index) => index * step);
  const slot = plotWidth / bars.length;
  // A short range keeps bars slim rather than filling the width with one block.
  const barWidth = Math.min(maxBarWidth, slot >= 3 ? slot - Math.max(1, slot * 0.2) : slot);
  const labelEvery = Math.max(1, Math.ceil(labelWidth / slot));
  const baseline = margin.top + plotHeight;
  const tone = options.mode === 'enforce' ? 'enforce' : 'dry-run';
  const days =
    span.first === span.last
      ? dayName(span.first)
      : `${dayName(span.first)} to ${dayName(span.last)}`;

  const grid = ticks.map((tick) => {
    const y = rounded(baseline - (tick / top) * plotHeight);
    return (
      `<line class="grid" x1="${margin.left}" x2="${width - margin.right}" y1="${y}" y2="${y}"/>` +
      `<text class="y-label" x="${margin.left - 6}" y="${y}" text-anchor="end" dominant-baseline="middle">${countText(tick)}</text>`
    );
  });
  const rects = bars.map((bar, index) => {
    // A day of one match among thousands still shows: at least one unit high.
    const barHeight =
      bar.matches === 0 ? 0 : Math.max(1, rounded((bar.matches / top) * plotHeight));
    const x = rounded(margin.left + index * slot + (slot - barWidth) / 2);
    return (
      `<rect class="bar" x="${x}" y="${rounded(baseline - barHeight)}" width="${rounded(barWidth)}" height="${barHeight}" ` +
      `data-day="${dayName(bar.first)}" data-count="${bar.matches}">` +
      `<title>${barDays(bar)}: ${countOf(bar.matches, 'match', 'matches')}</title></rect>`
    );
  });
  const labels = bars.flatMap((bar, index) =>
    index % labelEvery === 0
      ? [
          `<text class="x-label" x="${rounded(margin.left + (index + 0.5) * slot)}" y="${baseline + 16}" text-anchor="middle">${dayName(bar.first)}</text>`,
        ]
      : [],
  );
  const title = `Matches per ${daysPerBar === 1 ? 'day' : `${daysPerBar} days`} of ${shownText(options.rule)}, ${days}`;
  return [
    `<svg id="${escapeHtml(id)}" class="chart tone-${tone}" viewBox="0 0 ${width} ${height}" role="img" aria-labelledby="${escapeHtml(id)}-title ${escapeHtml(id)}-desc">`,
    `<title id="${escapeHtml(id)}-title">${title}</title>`,
    `<desc id="${escapeHtml(id)}-desc">${summary(bars, span, daysPerBar)}</desc>`,
    ...grid,
    `<g class="bars">${rects.join('')}</g>`,
    `<line class="axis" x1="${margin.left}" x2="${width - margin.right}" y1="${baseline}" y2="${baseline}"/>`,
    ...labels,
    `<text class="axis-title" x="${margin.left + plotWidth / 2}" y="${height - 6}" text-anchor="middle">UTC day${daysPerBar === 1 ? '' : ' (first of each bar)'}</text>`,
    `<text class="axis-title" x="12" y="${margin.top + plotHeight / 2}" text-anchor="middle" transform="rotate(-90 12 ${margin.top + plotHeight / 2})">matches</text>`,
    '</svg>',
  ].join('\n');
}
