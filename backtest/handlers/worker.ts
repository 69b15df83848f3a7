import middy from '@middy/core';
import { backtestWorkerHandler } from '../../src/backtest/aws/handlers.js';

export const handler = middy().handler(backtestWorkerHandler());
