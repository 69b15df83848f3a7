// Bridges serverless.yml to the rule pack: `${file(./deploy/serverless-rules.cjs):events.ec2State}`
// and the like are computed from rules/ at package time, so adding a rule never needs an edit here.
// Deploy parameters come from `--param="cloudTrailBucket=..."`, `--param="logGroups=a,b"` and
// `--param="alarmTopicArn=..."`.
const { join } = require('node:path');

let config;

function cliParams(options) {
  const params = {};
  for (const entry of [options.param ?? []].flat()) {
    const at = String(entry).indexOf('=');
    if (at > 0) params[String(entry).slice(0, at)] = String(entry).slice(at + 1);
  }
  return params;
}

module.exports = async ({ options }) => {
  config ??= (async () => {
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
    const { tsImport } = await import('tsx/esm/api');
    const { serverlessRuleConfigFor } = await tsImport('../src/deploy/serverless.ts', __filename);
    const params = cliParams(options);
    return serverlessRuleConfigFor(join(__dirname, '..', 'rules'), {
      cloudTrailBucket: params.cloudTrailBucket ?? '',
      logGroups: params.logGroups ?? '',
      alarmTopicArn: params.alarmTopicArn ?? '',
      service: 'steward',
      stage: options.stage ?? 'dev',
    });
  })();
  return config;
};
