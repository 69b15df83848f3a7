import { messageOf, StewardError } from '../errors.js';
import { MAX_BATCH, type DeadLetterQueue, type ReceivedMessage } from './dead-letter-queue.js';
import type { Replayer, ReplayOutcome } from './replayer.js';

/**
 * How long a message stays hidden from other receivers: from its receive, long enough for its
 * batch of ten, and again from when its own replay starts, long enough for a log file that the
 * `cloudtrailLogs` function is given 300 s for. A message kept after a failure comes back when
 * it ends.
 */
const VISIBILITY_SECONDS = 900;

/** A queue message's outcome: the replay's, and whether the message was deleted. */
export interface QueueOutcome extends ReplayOutcome {
  deleted: boolean;
}

export interface ReplayQueueOptions {
  /** Replay at most this many messages. */
  max?: number;
  /** How long a receive waits for a message (long polling); an empty receive ends the run. */
  waitSeconds: number;
  /** How long a received message stays hidden (default 900 s). */
  visibilitySeconds?: number;
  /** Told of each message as its outcome is known. */
  onMessage?: (outcome: QueueOutcome) => void;
}

/**
 * Replays the messages of a dead-letter queue until a receive brings none that this run has
 * not seen (or `max` were replayed). A message is deleted only once its replay recorded
 * everything (`replayed`); any other stays in the queue and comes back when its visibility
 * timeout ends. On a dry run nothing is deleted and every message received is made visible
 * again as the run ends, even when it ends by an error.
 *
 * @example
 * const outcomes = await replayQueue(queue, new Replayer({ context: runtime }), { waitSeconds: 20 });
 */
export async function replayQueue(
  queue: DeadLetterQueue,
  replayer: Replayer,
  options: ReplayQueueOptions,
): Promise<QueueOutcome[]> {
  const outcomes: QueueOutcome[] = [];
  // The latest receipt of every message received, to release them all after a dry run.
  const received = new Map<string, ReceivedMessage>();
  let failure: unknown;
  try {
    while (options.max === undefined || outcomes.length < options.max) {
      const batch = await queue.receive({
        max:
          options.max === undefined
            ? MAX_BATCH
            : Math.min(MAX_BATCH, options.max - outcomes.length),
        waitSeconds: options.waitSeconds,
        visibilitySeconds: options.visibilitySeconds ?? VISIBILITY_SECONDS,
      });
      // A message seen before came back after its visibility timeout: the run has gone round.
      const fresh = batch.filter((message) => !received.has(message.messageId));
      for (const message of batch) received.set(message.messageId, message);
      if (fresh.length === 0) break;
      for (const message of fresh) {
        const outcome = await replayMessage(
          queue,
          replayer,
          message,
          options.visibilitySeconds ?? VISIBILITY_SECONDS,
        );
        outcomes.push(outcome);
        options.onMessage?.(outcome);
      }
    }
  } catch (error) {
    failure = error;
  }
  if (replayer.dryRun && received.size > 0) {
    try {
      await queue.release([...received.values()]);
    } catch (error) {
      failure ??= error;
    }
  }
  if (failure !== undefined) throw new ReplayStoppedError(outcomes, failure);
  return outcomes;
}

async function replayMessage(
  queue: DeadLetterQueue,
  replayer: Replayer,
  message: ReceivedMessage,
  visibilitySeconds: number,
): Promise<QueueOutcome> {
  try {
    // Its batch's time may be spent on the messages before it: its own starts now.
    await queue.hide(message, visibilitySeconds);
  } catch (error) {
    return {
      where: `message ${message.messageId}`,
      messageId: message.messageId,
      events: 0,
      status: 'failed',
      reason: `not replayed: its visibility could not be extended (${messageOf(error)}), so another receiver may have it; a later replay takes it up`,
      deleted: false,
    };
  }
  const outcome = await replayer.replay({
    where: `message ${message.messageId}`,
    messageId: message.messageId,
    body: { text: message.body },
  });
  if (replayer.dryRun || outcome.status !== 'replayed') return { ...outcome, deleted: false };
  try {
    await queue.delete(message);
    return { ...outcome, deleted: true };
  } catch (error) {
    return {
      ...outcome,
      deleted: false,
      reason: `replayed, but not deleted (${messageOf(error)}); a later replay finds its actions recorded`,
    };
  }
}

/**
 * A queue replay that stopped part way (SQS failed a receive, or the release after a dry run):
 * the outcomes of the messages replayed before it stopped, and the cause.
 *
 * @example
 * catch (error) { if (error instanceof ReplayStoppedError) print(error.outcomes); }
 */
export class ReplayStoppedError extends StewardError {
  constructor(
    readonly outcomes: QueueOutcome[],
    cause: unknown,
  ) {
    super(messageOf(cause), { cause });
    this.name = 'ReplayStoppedError';
  }
}
