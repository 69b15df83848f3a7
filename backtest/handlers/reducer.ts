import middy from '@middy/core';
import { backtestReducerHandler } from '../../src/backtest/aws/handlers.js';

export const handler = middy().handler(backtestReducerHandler());
