import { inflateSync } from 'node:zlib';

/** The pixels of a PNG image, as RGBA bytes row by row. */
export interface PngImage {
  width: number;
  height: number;
  /** The red, green, blue and alpha of the pixel at (x, y). */
  pixel(x: number, y: number): [number, number, number, number];
}

const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
/** Channels per pixel of each colour type: grey, RGB, grey + alpha, RGBA (no palettes). */
const channelsOf: Readonly<Record<number, number>> = { 0: 1, 2: 3, 4: 2, 6: 4 };

function paeth(left: number, up: number, upLeft: number): number {
  const estimate = left + up - upLeft;
  const toLeft = Math.abs(estimate - left);
  const toUp = Math.abs(estimate - up);
  const toUpLeft = Math.abs(estimate - upLeft);
  if (toLeft <= toUp && toLeft <= toUpLeft) return left;
  return toUp <= toUpLeft ? up : upLeft;
}

/**
 * A PNG decoded with `node:zlib` alone: 8-bit grey, RGB, grey + alpha or RGBA, not interlaced
 * (what Chromium's screenshots are), every row's filter undone. Anything else is an error
 * saying what.
 *
 * @example
 * const image = decodePng(await readFile('shot.png'));
 * image.pixel(0, 0); // [255, 255, 255, 255]
 */
export function decodePng(png: Buffer): PngImage {
  if (!png.subarray(0, 8).equals(signature)) throw new Error('not a PNG: wrong signature');
  let header: Buffer | undefined;
  const data: Buffer[] = [];
  for (let offset = 8; offset + 8 <= png.length;) {
    const length = png.readUInt32BE(offset);
    const type = png.toString('latin1', offset + 4, offset + 8);
    const body = png.subarray(offset + 8, offset + 8 + length);
    if (type === 'IHDR') header = body;
    if (type === 'IDAT') data.push(body);
    if (type === 'IEND') break;
    offset += 12 + length;
  }
  if (!header) throw new Error('not a PNG: no IHDR chunk');
  const width = header.readUInt32BE(0);
  const height = header.readUInt32BE(4);
  const [bitDepth, colourType, , , interlace] = header.subarray(8, 13);
  const channels = channelsOf[colourType ?? -1];
  if (bitDepth !== 8 || channels === undefined || interlace !== 0) {
    throw new Error(
      `unsupported PNG: bit depth ${bitDepth}, colour type ${colourType}, interlace ${interlace}`,
    );
  }
  const raw = inflateSync(Buffer.concat(data));
  const stride = width * channels;
  if (raw.length < height * (stride + 1)) throw new Error('PNG image data is cut short');
  const pixels = Buffer.alloc(height * stride);
  for (let y = 0; y < height; y += 1) {
    const filter = raw[y * (stride + 1)];
    const row = y * stride;
    for (let i = 0; i < stride; i += 1) {
      const value = raw[y * (stride + 1) + 1 + i] ?? 0;
      const left = i >= channels ? (pixels[row + i - channels] ?? 0) : 0;
      const up = y > 0 ? (pixels[row - stride + i] ?? 0) : 0;
      const upLeft = y > 0 && i >= channels ? (pixels[row - stride + i - channels] ?? 0) : 0;
      const predicted =
        filter === 0
          ? 0
          : filter === 1
            ? left
            : filter === 2
              ? up
              : filter === 3
                ? (left + up) >> 1
                : filter === 4
                  ? paeth(left, up, upLeft)
                  : Number.NaN;
      if (Number.isNaN(predicted)) throw new Error(`PNG row ${y} has unknown filter ${filter}`);
      pixels[row + i] = (value + predicted) & 0xff;
    }
  }
  return {
    width,
    height,
    pixel(x, y) {
      const at = y * stride + x * channels;
      const get = (index: number) => pixels[at + index] ?? 0;
      if (channels === 1) return [get(0), get(0), get(0), 255];
      if (channels === 2) return [get(0), get(0), get(0), get(1)];
      return [get(0), get(1), get(2), channels === 4 ? get(3) : 255];
    },
  };
}
