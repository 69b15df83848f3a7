import { deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { decodePng } from './png.js';

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  // decodePng does not check CRCs: any four bytes do.
  return Buffer.concat([length, Buffer.from(type, 'latin1'), data, Buffer.alloc(4)]);
}

function paeth(left: number, up: number, upLeft: number): number {
  const estimate = left + up - upLeft;
  const [a, b, c] = [left, up, upLeft].map((value) => Math.abs(estimate - value));
  if ((a ?? 0) <= (b ?? 0) && (a ?? 0) <= (c ?? 0)) return left;
  return (b ?? 0) <= (c ?? 0) ? up : upLeft;
}

/** A PNG of `rows` (bytes per row: width × channels), row y filtered with filter y mod 5. */
function encode(width: number, channels: 3 | 4, rows: number[][]): Buffer {
  const stride = width * channels;
  const filtered = rows.flatMap((row, y) => {
    const filter = y % 5;
    const above = rows[y - 1];
    return [
      filter,
      ...row.map((value, i) => {
        const left = i >= channels ? (row[i - channels] ?? 0) : 0;
        const up = above?.[i] ?? 0;
        const upLeft = i >= channels ? (above?.[i - channels] ?? 0) : 0;
        const predicted = [0, left, up, (left + up) >> 1, paeth(left, up, upLeft)][filter] ?? 0;
        return (value - predicted) & 0xff;
      }),
    ];
  });
  expect(filtered).toHaveLength(rows.length * (stride + 1));
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(rows.length, 4);
  header.set([8, channels === 4 ? 6 : 2, 0, 0, 0], 8);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(Buffer.from(filtered))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

describe('decodePng', () => {
  it('undoes each of the five row filters, for RGB and RGBA', () => {
    for (const channels of [3, 4] as const) {
      const width = 7;
      const rows = Array.from({ length: 10 }, (_, y) =>
        Array.from(
          { length: width * channels },
          (_, i) => (y * 37 + i * 53 + ((y * i) % 11)) & 0xff,
        ),
      );
      const image = decodePng(encode(width, channels, rows));
      expect([image.width, image.height]).toEqual([width, 10]);
      for (let y = 0; y < 10; y += 1) {
        for (let x = 0; x < width; x += 1) {
          const expected = rows[y]?.slice(x * channels, x * channels + channels) ?? [];
          expect(image.pixel(x, y)).toEqual(channels === 4 ? expected : [...expected, 255]);
        }
      }
    }
  });

  it('refuses what is not a PNG it reads, saying why', () => {
    expect(() => decodePng(Buffer.from('GIF89a not a png'))).toThrow('not a PNG: wrong signature');
    const interlaced = encode(1, 3, [[1, 2, 3]]);
    interlaced[8 + 8 + 12] = 1;
    expect(() => decodePng(interlaced)).toThrow(
      'unsupported PNG: bit depth 8, colour type 2, interlace 1',
    );
  });
});
