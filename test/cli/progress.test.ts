import { describe, expect, it } from 'vitest';
import { formatEta, Progress, type ProgressSink } from '../../src/cli/progress.js';

/** A clock the test moves, a timer the test fires, and the lines or redraws the progress made. */
function harness(kind: 'lines' | 'redraw', delayMs = 1_000) {
  let now = 0;
  const shown: string[] = [];
  let timer: (() => void) | undefined;
  let stopped = false;
  const sink: ProgressSink =
    kind === 'lines'
      ? { kind, line: (text) => shown.push(text) }
      : { kind, draw: (text) => shown.push(`draw ${text}`), clear: () => shown.push('clear') };
  const make = (inputs: { name: string; bytes?: number }[]) =>
    new Progress(inputs, {
      sink,
      now: () => now,
      delayMs,
      intervalMs: 250,
      every: (_ms, update) => {
        timer = update;
        return () => {
          stopped = true;
        };
      },
    });
  return {
    make,
    shown,
    advance: (ms: number) => (now += ms),
    fire: () => timer?.(),
    stopped: () => stopped,
  };
}

describe('Progress', () => {
  it('stays silent for a run shorter than its delay', () => {
    const h = harness('lines');
    const progress = h.make([{ name: 'trail.json.gz', bytes: 1_000 }]);
    progress.startInput(0);
    progress.setTotal(10);
    for (let i = 0; i < 10; i++) {
      h.advance(50);
      progress.tick();
    }
    progress.end();
    expect(h.shown).toEqual([]);
    expect(h.stopped()).toBe(true);
  });

  it('shows records of the total, the rate and the ETA once the run is past its delay, at most once an interval', () => {
    const h = harness('lines');
    const progress = h.make([{ name: 'trail.json.gz', bytes: 1_000 }]);
    progress.startInput(0);
    progress.setTotal(20_000);
    h.advance(999);
    for (let i = 0; i < 5_000; i++) progress.tick();
    expect(h.shown).toEqual([]);
    h.advance(1);
    progress.tick();
    // 5,001 of 20,000 in 1 s: the rest at the same pace takes 3 s more.
    expect(h.shown).toEqual(['trail.json.gz: 5,001 of 20,000 records, 5,001 records/s, ETA 3s']);
    h.advance(100);
    progress.tick();
    expect(h.shown).toHaveLength(1);
    h.advance(1_000);
    h.fire();
    expect(h.shown[1]).toBe('trail.json.gz: 5,002 of 20,000 records, 2,382 records/s, ETA 6s');
    progress.end();
    expect(h.shown).toHaveLength(3);
    expect(h.shown[2]).toBe(h.shown[1]);
  });

  it('says which input it reads, and gives no ETA while the size of one is unknown (stdin)', () => {
    const h = harness('lines', 0);
    const progress = h.make([{ name: 'a.json', bytes: 100 }, { name: 'stdin' }]);
    progress.startInput(0);
    expect(h.shown).toEqual(['1/2 a.json: reading']);
    progress.setTotal(4);
    h.advance(1_000);
    progress.tick();
    expect(h.shown[1]).toBe('1/2 a.json: 1 of 4 records, 1 records/s');
    h.advance(1_000);
    progress.startInput(1);
    progress.setTotal(2, 100);
    h.advance(1_000);
    progress.tick();
    // a.json's 100 bytes and half of stdin's 100 in 3 s: 50 bytes left take 1 s.
    expect(h.shown.at(-1)).toBe('2/2 stdin: 1 of 2 records, 1 records/s, ETA 1s');
  });

  it('redraws one line on a terminal and clears it before other output and at the end', () => {
    const h = harness('redraw', 0);
    const progress = h.make([{ name: 'x.json\u001b[2J', bytes: 10 }]);
    progress.startInput(0);
    progress.pause();
    progress.pause();
    progress.end();
    // The name's escape sequence is shown, not sent to the terminal.
    expect(h.shown).toEqual(['draw x.json\\u001b[2J: reading', 'clear']);
  });

  it('writes ETAs as people read them', () => {
    expect([formatEta(0), formatEta(59.4), formatEta(185), formatEta(3_720)]).toEqual([
      '0s',
      '59s',
      '3m05s',
      '1h02m',
    ]);
  });
});
