import { createServer, type Server } from 'node:http';
import { DescribeInstancesCommand } from '@aws-sdk/client-ec2';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { AwsClients } from '../src/aws-clients.js';

/** A server that takes every request and never answers it. */
let silent: Server;
let endpoint: string;
const held: { destroy(): void }[] = [];

beforeAll(async () => {
  silent = createServer((request) => held.push(request.socket));
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  const address = silent.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  endpoint = `http://127.0.0.1:${address.port}`;
});

afterAll(async () => {
  for (const socket of held) socket.destroy();
  await new Promise((resolve) => silent.close(resolve));
});

describe('AwsClients', () => {
  it('end a call that gets no answer at their request timeout, as a network error', async () => {
    vi.stubEnv('AWS_ENDPOINT_URL_EC2', endpoint);
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'test');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'test');
    try {
      const ec2 = await new AwsClients('us-east-1', 200).ec2();
      const failed = await ec2.send(new DescribeInstancesCommand({})).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(failed).toMatchObject({
        name: 'TimeoutError',
        message: expect.stringMatching(/exceeded the configured 200 ms requestTimeout/),
      });
      expect(held.length).toBeGreaterThan(0);
    } finally {
      vi.unstubAllEnvs();
    }
  });
});
