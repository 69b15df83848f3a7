import { describe, expect, it } from 'vitest';
import { motoEndpoint } from './harness.js';

// Without moto every e2e file fails in its setup; this test fails by name too, with the
// reason (pip could not install moto, moto_server did not start), so the count shows it.
describe('moto', () => {
  it('was installed and started for this run, and answers', async () => {
    const endpoint = motoEndpoint();
    expect(endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const response = await fetch(`${endpoint}/moto-api/data.json`);
    expect(response.status).toBe(200);
    await response.body?.cancel();
  });
});
