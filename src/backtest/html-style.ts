import { createHash } from 'node:crypto';

/**
 * The report page's one style sheet. Colours are chosen to stay apart in print and in grey:
 * bars of an enforced rule are dark orange, of a dry-run rule blue.
 */
export const reportStyle = `
:root { color-scheme: light; --ink: #1b1f24; --muted: #57606a; --line: #d0d7de; --panel: #f6f8fa;
  --enforce: #c2410c; --dry-run: #2563eb; --held: #1a7f37; --failed: #cf222e; }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 1100px; padding: 24px; color: var(--ink); background: #fff;
  font: 14px/1.45 "Liberation Sans", "DejaVu Sans", Arial, Helvetica, sans-serif; }
h1 { font-size: 24px; margin: 0 0 4px; }
h2 { font-size: 19px; margin: 0 0 8px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
h3 { font-size: 15px; margin: 16px 0 6px; }
h4 { font-size: 14px; margin: 0 0 6px; }
a { color: inherit; }
code, pre, .value { font-family: "Liberation Mono", "DejaVu Sans Mono", Menlo, Consolas, monospace;
  font-size: 12.5px; overflow-wrap: anywhere; }
.lede { color: var(--muted); margin: 0 0 16px; }
section { margin: 28px 0; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 4px 16px; margin: 8px 0; }
dl.facts dt { color: var(--muted); }
dl.facts dd { margin: 0; overflow-wrap: anywhere; }
table { border-collapse: collapse; width: 100%; margin: 6px 0; }
th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid var(--line); vertical-align: top;
  overflow-wrap: anywhere; }
th { background: var(--panel); font-weight: 600; }
td.number, th.number { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tr.more td { color: var(--muted); font-style: italic; }
.totals { display: grid; grid-template-columns: repeat(auto-fill, minmax(150px, 1fr)); gap: 8px; margin: 12px 0; }
.total { background: var(--panel); border: 1px solid var(--line); border-radius: 6px; padding: 8px 10px; }
.total .figure { display: block; font-size: 20px; font-weight: 600; font-variant-numeric: tabular-nums; }
.total .label { color: var(--muted); font-size: 12px; }
.rule { border: 1px solid var(--line); border-radius: 8px; padding: 16px; }
.mode { display: inline-block; font-size: 12px; font-weight: 600; border-radius: 10px; padding: 1px 8px;
  vertical-align: middle; color: #fff; }
.mode-enforce { background: var(--enforce); }
.mode-dry-run { background: var(--dry-run); }
.columns { display: grid; grid-template-columns: 1fr 1fr; gap: 16px; }
figure { margin: 12px 0; }
figcaption { color: var(--muted); font-size: 12px; }
svg.chart { display: block; width: 100%; height: auto; max-width: 760px; }
svg.chart text { font: 10px "Liberation Sans", "DejaVu Sans", Arial, sans-serif; fill: var(--muted); }
svg.chart .axis { stroke: var(--ink); stroke-width: 1; }
svg.chart .grid { stroke: var(--line); stroke-width: 1; }
svg.tone-enforce .bar { fill: var(--enforce); }
svg.tone-dry-run .bar { fill: var(--dry-run); }
.sample { border-top: 1px dashed var(--line); padding-top: 10px; margin-top: 10px; }
pre.explain { background: var(--panel); border: 1px solid var(--line); border-radius: 6px; padding: 8px;
  margin: 6px 0; white-space: pre-wrap; }
.held { color: var(--held); }
.failed { color: var(--failed); }
.skipped { color: var(--muted); }
.warn { color: var(--failed); font-weight: 600; }
.none { color: var(--muted); }
@media print {
  body { max-width: none; padding: 0; font-size: 11pt; }
  figure, .sample, .totals, tr { break-inside: avoid; }
  h2, h3, h4 { break-after: avoid; }
  section { margin: 16px 0; }
  * { print-color-adjust: exact; -webkit-print-color-adjust: exact; }
  a { text-decoration: none; }
}
@media (max-width: 700px) { .columns { grid-template-columns: 1fr; } }
`;

/**
 * The Content-Security-Policy of the report page: nothing may load (no script, style sheet,
 * font, image, frame or connection) and only this page's own style sheet applies, named by its
 * hash, so even markup that slipped past escaping could neither run nor fetch anything.
 *
 * @example
 * `<meta http-equiv="Content-Security-Policy" content="${reportPolicy}">`
 */
export const reportPolicy = [
  "default-src 'none'",
  `style-src 'sha256-${createHash('sha256').update(reportStyle).digest('base64')}'`,
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');
