import { mkdtemp, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { renderHtmlReport } from '../../src/backtest/html.js';
import { findChromium, HeadlessChromium, type Clip } from '../support/chromium.js';
import { decodePng, type PngImage } from '../support/png.js';
import { days, handMadeReport } from './html-fixture.js';

/** The bar colours of the style sheet: an enforced rule's, a dry-run rule's. */
const barColour: Readonly<Record<string, readonly [number, number, number]>> = {
  enforce: [0xc2, 0x41, 0x0c],
  'dry-run': [0x25, 0x63, 0xeb],
};

function isColour(image: PngImage, x: number, y: number, colour: readonly number[]): boolean {
  const pixel = image.pixel(x, y);
  return colour.every((channel, index) => Math.abs((pixel[index] ?? 0) - channel) <= 8);
}

function pixelsOf(image: PngImage, colour: readonly number[]): number {
  let count = 0;
  for (let y = 0; y < image.height; y += 1) {
    for (let x = 0; x < image.width; x += 1) if (isColour(image, x, y, colour)) count += 1;
  }
  return count;
}

/** A rule's chart as laid out: where it is on the page, and each bar's box and count. */
interface ChartLayout {
  box: Clip;
  bars: { count: number; box: Clip }[];
}

function chartLayout(chromium: HeadlessChromium, id: string): Promise<ChartLayout | null> {
  return chromium.evaluate<ChartLayout | null>(`(() => {
    const chart = document.getElementById(${JSON.stringify(id)});
    if (!chart) return null;
    const box = (element) => {
      const rect = element.getBoundingClientRect();
      return { x: rect.x + scrollX, y: rect.y + scrollY, width: rect.width, height: rect.height };
    };
    return {
      box: box(chart),
      bars: [...chart.querySelectorAll('rect.bar')].map((bar) => ({ count: Number(bar.dataset.count), box: box(bar) })),
    };
  })()`);
}

const report = handMadeReport();
let opened: Promise<{ chromium: HeadlessChromium; pageUrl: string }> | undefined;

/**
 * The report open in Chromium, started by the first test that needs it: each test awaits it, so
 * without Chromium every one of them fails with the reason (never skipped).
 */
function reportPage(): Promise<{ chromium: HeadlessChromium; pageUrl: string }> {
  opened ??= (async () => {
    const dir = await mkdtemp(join(tmpdir(), 'steward-html-report-'));
    const file = join(dir, 'backtest.html');
    await writeFile(file, renderHtmlReport(report));
    const pageUrl = pathToFileURL(file).href;
    const chromium = await HeadlessChromium.launch(1200, 900);
    await chromium.open(pageUrl);
    return { chromium, pageUrl };
  })();
  return opened;
}

describe('the HTML report in headless Chromium', () => {
  afterAll(async () => {
    const page = await opened?.catch(() => undefined);
    await page?.chromium.close();
  });

  it('loads nothing but itself, runs nothing, and titles itself with the sources as text', async () => {
    const { chromium, pageUrl } = await reportPage();
    expect(chromium.requests).toEqual([pageUrl]);
    expect(await chromium.evaluate<string>('document.title')).toBe(
      'steward backtest: s3://trail/AWSLogs/o-a1b2c3d4e5/ local-logs/<script>document.title="pwned"</script>',
    );
    expect(await chromium.evaluate<number>('document.scripts.length')).toBe(0);
  });

  it("renders a page that is not blank: text, panels and both rules' bar colours", async () => {
    const { chromium } = await reportPage();
    const image = decodePng(await chromium.screenshot());
    expect(image.width).toBe(1200);
    expect(image.height).toBeGreaterThan(2000);
    const colours = new Set<number>();
    let inked = 0;
    for (let y = 0; y < image.height; y += 1) {
      for (let x = 0; x < image.width; x += 1) {
        const [r, g, b] = image.pixel(x, y);
        if (r < 250 || g < 250 || b < 250) inked += 1;
        colours.add(((r >> 4) << 8) | ((g >> 4) << 4) | (b >> 4));
      }
    }
    expect(inked / (image.width * image.height)).toBeGreaterThan(0.05);
    expect(colours.size).toBeGreaterThan(30);
    expect(pixelsOf(image, barColour.enforce ?? [])).toBeGreaterThan(2_000);
    expect(pixelsOf(image, barColour['dry-run'] ?? [])).toBeGreaterThan(2_000);
  });

  it("shows each rule's chart with a painted bar of the right height for every day", async () => {
    const { chromium } = await reportPage();
    for (const rule of report.rules) {
      const layout = await chartLayout(chromium, `chart-${rule.rule}`);
      if (rule.matches === 0) {
        expect(layout, rule.rule).toBeNull();
        continue;
      }
      if (!layout) throw new Error(`no chart-${rule.rule} on the page`);
      expect(layout.box.width).toBeGreaterThan(500);
      expect(layout.box.height).toBeGreaterThan(100);
      expect(layout.bars.map((bar) => bar.count)).toEqual(days.map((day) => rule.perDay[day] ?? 0));
      const perMatch = layout.bars
        .filter((bar) => bar.count > 0)
        .map((bar) => bar.box.height / bar.count);
      expect(Math.max(...perMatch) - Math.min(...perMatch)).toBeLessThan(0.1);
      expect(
        layout.bars.filter((bar) => bar.count === 0).every((bar) => bar.box.height === 0),
      ).toBe(true);

      const clip = {
        x: Math.floor(layout.box.x),
        y: Math.floor(layout.box.y),
        width: Math.ceil(layout.box.width),
        height: Math.ceil(layout.box.height),
      };
      const image = decodePng(await chromium.screenshot(clip));
      const colour = barColour[rule.mode] ?? [];
      for (const bar of layout.bars.filter((each) => each.count > 0)) {
        const centreX = Math.round(bar.box.x + bar.box.width / 2 - clip.x);
        const centreY = Math.round(bar.box.y + bar.box.height / 2 - clip.y);
        expect(isColour(image, centreX, centreY, colour), `${rule.rule} bar of ${bar.count}`).toBe(
          true,
        );
      }
      const barArea = layout.bars.reduce((sum, bar) => sum + bar.box.width * bar.box.height, 0);
      const painted = pixelsOf(image, colour);
      expect(painted / barArea).toBeGreaterThan(0.85);
      expect(painted / barArea).toBeLessThan(1.15);
    }
  });

  it('refuses any load the page might be made to try: image, script, style sheet, fetch', async () => {
    const { chromium } = await reportPage();
    let hits = 0;
    const server: Server = createServer((_request, response) => {
      hits += 1;
      response.end('x');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const refused = await chromium.evaluate<string[]>(`new Promise((resolve) => {
        const seen = new Set();
        document.addEventListener('securitypolicyviolation', (event) => {
          seen.add(event.effectiveDirective);
          if (seen.size === 4) resolve([...seen].sort());
        });
        setTimeout(() => resolve([...seen].sort()), 5000);
        const image = document.createElement('img');
        image.src = '${origin}/image.png';
        const script = document.createElement('script');
        script.src = '${origin}/script.js';
        const sheet = document.createElement('link');
        sheet.rel = 'stylesheet';
        sheet.href = '${origin}/style.css';
        document.body.append(image, script, sheet);
        fetch('${origin}/data').catch(() => {});
      })`);
      expect(refused).toEqual(['connect-src', 'img-src', 'script-src-elem', 'style-src-elem']);
      expect(hits).toBe(0);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe('findChromium', () => {
  it('fails, saying how to install it, when no Chromium is on PATH', async () => {
    await expect(findChromium('/nonexistent')).rejects.toThrow(
      'headless Chromium is needed to render the HTML report, and neither chromium nor chromium-browser is on PATH: apt-get install chromium',
    );
  });
});
