import middy from '@middy/core';
import { sweepHandler } from '../src/sweep/lambda.js';

export const handler = middy().handler(sweepHandler);
