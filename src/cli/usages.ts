/**
 * What each command takes, as `steward --help`, `steward <command> --help` and the completion
 * scripts show it. Kept apart from the commands, and free of imports, so that printing help
 * loads none of them (nor the AWS SDK, dynalite or the rule checker they load).
 *
 * @example
 * output.out(`usage: ${usages.validate}`);
 */
export const usages = {
  run: 'steward run <file|dir|->... [--rules DIR] [--facts FILE] [--live] [--what-if] [--quiet | --matches-only | --json] [--progress]',
  sweep:
    'steward sweep RULE [--live] [--rules DIR] [--regions R,...] [--accounts ID,...] [--json]\n' +
    "    describes what RULE's schedule triggers sweep (default: the current account and region) and\n" +
    '    plans each action without acting or touching the ledger; --live acts as the sweep function does',
  backtest:
    'steward backtest <file|dir|s3://bucket/prefix>... [--since TIME] [--until TIME] [--rules DIR]\n' +
    '    [--accounts ID,...] [--regions R,...] [--rule ID]... [--facts FILE] [--json FILE|-] [--html FILE]\n' +
    '    [--workers N] [--checkpoint FILE | --resume FILE] [--progress]\n' +
    '       steward backtest --on-aws s3://BUCKET/PREFIX [--since TIME] [--until TIME] [--accounts ID,...]\n' +
    '    [--regions R,...] [--rule ID]... [--max-concurrency N] [--stage S] [--region R] [--json FILE] [--html FILE]',
  ledger:
    'steward ledger list [--rule ID] [--resource ID] [--account ID] [--region R] [--since TIME] [--status STATUS] [--limit N] [--wide | --json]\n' +
    '       steward ledger show <key> [--json]\n' +
    '       steward ledger stats [--rule ID] [--resource ID] [--account ID] [--region R] [--since TIME] [--json]\n' +
    '       steward ledger export [--format jsonl|csv] [--out FILE] [--rule ID] [--resource ID] [--account ID] [--region R] [--since TIME] [--status STATUS] [--limit N]\n' +
    '       steward ledger reset [--yes]\n' +
    '       steward ledger check [--repair]',
  validate: 'steward validate [FILE|DIR]...',
  test: 'steward test [FILE|DIR]... [--rule ID]... [--verbose]',
  explain: 'steward explain <event-file> [--rule ID] [--rules DIR] [--facts FILE] [--json]',
  patterns: 'steward patterns [DIR]',
  pack: 'steward pack [DIR] [--out FILE]',
  'member-template':
    'steward member-template [--central-account ID] [--organization-id o-...] [--stage S]\n' +
    '    [--region R] [--member-role-name N] [--out FILE] [DIR]',
  completion: 'steward completion bash|zsh',
  actions: 'steward actions [NAME] [--json]',
  operators: 'steward operators [NAME] [--json]',
  facts: 'steward facts [NAME] [--json]',
  replay:
    'steward replay --dlq QUEUE_URL [--dry-run] [--max N] [--wait SECONDS] [--rules DIR] [--json]\n' +
    '       steward replay <file>... [--dry-run] [--rules DIR] [--json]',
  trace:
    'steward trace EVENT_ID [--stage S] [--region R] [--since 24h] [--json]\n' +
    "    what the ledger and a deployed stage's logs hold about one event: its rules, each action's\n" +
    '    entry and log lines; locally, the embedded ledger alone',
  status:
    'steward status [--stage S] [--region R] [--since 1h] [--namespace NS] [--json]\n' +
    "    a deployed stage on one screen: its metrics' events, matches and actions, the last failed\n" +
    '    actions in its ledger, its dead-letter queue and its alarms in ALARM',
} as const satisfies Record<string, string>;

/** A command's name, as `steward <name>` takes it. */
export type CommandName = keyof typeof usages;

/** The exit statuses every command keeps to, as `steward --help` and README list them. */
export const exitCodes = `exit status:
  0  done, nothing found
  1  findings: invalid rules, failed tests, events or actions that failed
  2  usage: unknown command or option, a missing or unreadable file, an unknown rule id`;
