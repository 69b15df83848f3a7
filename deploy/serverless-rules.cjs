// Bridges serverless.yml to the rule pack: `${file(./deploy/serverless-rules.cjs):events.ec2State}`
// and the like are computed from rules/ at package time, so adding a rule never needs an edit here.
// Deploy parameters come from `--param="name=value"` (serverless.yml lists them) and are checked
// in src/deploy/parameters.ts.
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

// serverless.yml's `params:` for the stage (its own, else the defaults), which a --param overrides.
// A file function cannot resolve `param:` variables, so they are read from the configuration.
function stageParams(declared, stage) {
  const values = { ...declared?.default, ...declared?.[stage] };
  return Object.fromEntries(Object.entries(values).map(([name, value]) => [name, String(value)]));
}

// The AWS SDK clients come from the Lambda runtime (as AWS CDK's NodejsFunction does by default),
// which keeps each bundle small and its cold start short; `--param="bundleAwsSdk=true"` bundles
// the versions pinned in package-lock.json instead. The X-Ray SDK (138 KB of every bundle) is
// bundled only with `--param="tracing=true"`: without it no function ever loads it.
function esbuildExclude(params) {
  const exclude = ['dynalite'];
  if (params.bundleAwsSdk !== 'true') exclude.push('@aws-sdk/client-*');
  if (params.tracing !== 'true') exclude.push('@aws-lambda-powertools/tracer', 'aws-xray-sdk-core');
  return exclude;
}

// A bad parameter or rule is the user's to fix. The framework would report a failed file function
// once for every variable that uses it (most of serverless.yml's), each with its stack: the
// problems are printed once, as their message alone, and the command stops there.
const userErrors = new Set([
  'DeployParameterError',
  'RuleLoadError',
  'ScheduleExpressionError',
  'SweepTargetError',
]);
function stopOnUserError(error) {
  if (!userErrors.has(error?.name)) throw error;
  process.stderr.write(`\n${error.message}\n`);
  process.exit(1);
}

module.exports = async ({ options, resolveVariable }) => {
  config ??= (async () => {
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
    const { tsImport } = await import('tsx/esm/api');
    const { serverlessRuleConfigFor } = await tsImport('../src/deploy/serverless.ts', __filename);
    const { deployParameters } = await tsImport('../src/deploy/parameters.ts', __filename);
    const stage = await resolveVariable('sls:stage');
    const params = {
      ...stageParams(await resolveVariable('self:params'), stage),
      ...cliParams(options),
    };
    const parameters = deployParameters(params, {
      service: await resolveVariable('self:service'),
      stage,
      region: await resolveVariable('self:provider.region'),
    });
    const computed = await serverlessRuleConfigFor(join(__dirname, '..', 'rules'), parameters);
    return { ...computed, esbuild: { exclude: esbuildExclude(params) } };
  })().catch(stopOnUserError);
  return config;
};
