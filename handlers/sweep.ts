import middy from '@middy/core';
import { lambdaHandler } from '../src/lambda.js';

export const handler = middy().handler(lambdaHandler('sweep'));
