import { describe, expect, it } from 'vitest';
import { DEFAULT_SOURCE_LIMITS, formatBytes, sourceLimits } from '../../src/sources/limits.js';

describe('sourceLimits', () => {
  it('caps whole-payload decodes at an eighth of the function memory in Lambda', () => {
    expect(sourceLimits({ AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '512' })).toEqual({
      ...DEFAULT_SOURCE_LIMITS,
      maxBufferedBytes: 64 * 1024 * 1024,
    });
    expect(sourceLimits({ AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '10240' }).maxBufferedBytes).toBe(
      1280 * 1024 * 1024,
    );
  });

  it.each([undefined, '', 'lots', '-1', '0', '1.5'])(
    'keeps the defaults when the memory size is %j',
    (memory) => {
      const env = memory === undefined ? {} : { AWS_LAMBDA_FUNCTION_MEMORY_SIZE: memory };
      expect(sourceLimits(env)).toEqual(DEFAULT_SOURCE_LIMITS);
    },
  );

  it('gives a fresh object each time, so a caller can change its own', () => {
    const limits = sourceLimits({});
    limits.maxRecordBytes = 1;
    expect(sourceLimits({}).maxRecordBytes).toBe(1024 * 1024);
  });
});

describe('formatBytes', () => {
  it.each([
    [0, '0 bytes'],
    [1023, '1023 bytes'],
    [1024, '1 KiB'],
    [1536, '1.5 KiB'],
    [64 * 1024 * 1024, '64 MiB'],
    [4 * 1024 ** 3, '4 GiB'],
    [5 * 1024 ** 4, '5120 GiB'],
  ])('%i bytes is %s', (bytes, text) => {
    expect(formatBytes(bytes)).toBe(text);
  });
});
