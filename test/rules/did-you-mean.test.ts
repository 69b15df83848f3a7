import { describe, expect, it } from 'vitest';
import { didYouMean, editDistance } from '../../src/rules/did-you-mean.js';

describe('editDistance', () => {
  it('counts insertions, deletions and substitutions, ignoring case', () => {
    expect(editDistance('DeleteLogGrup', 'DeleteLogGroup', 3)).toBe(1);
    expect(editDistance('consolelogin', 'ConsoleLogin', 3)).toBe(0);
    expect(editDistance('kitten', 'sitting', 3)).toBe(3);
    expect(editDistance('', 'abc', 3)).toBe(3);
  });

  it('gives up past the limit', () => {
    expect(editDistance('kitten', 'sitting', 2)).toBeUndefined();
    expect(editDistance('StopLogging', 'CreateTrail', 3)).toBeUndefined();
    expect(editDistance('a', 'abcdef', 2)).toBeUndefined();
  });
});

describe('didYouMean', () => {
  it('suggests the nearest candidate', () => {
    expect(didYouMean('log.amazonaws.com', ['lambda.amazonaws.com', 'logs.amazonaws.com'])).toBe(
      'logs.amazonaws.com',
    );
    expect(didYouMean('StopLoging', ['StartLogging', 'StopLogging', 'DeleteTrail'])).toBe(
      'StopLogging',
    );
  });

  it('prefers a candidate that differs only in case', () => {
    expect(didYouMean('createuser', ['CreateUsers', 'CreateUser'])).toBe('CreateUser');
  });

  it('breaks ties by the candidate that sorts first, whatever their order', () => {
    expect(didYouMean('GetBat', ['GetCat', 'GetBar'])).toBe('GetBar');
    expect(didYouMean('GetBat', ['GetBar', 'GetCat'])).toBe('GetBar');
  });

  it('suggests nothing when no candidate is near', () => {
    expect(didYouMean('Zzzzzzzzzz', ['ConsoleLogin', 'CreateUser'])).toBeUndefined();
    expect(didYouMean('abc', [])).toBeUndefined();
  });
});
