// Writes the rule pack (backtest/dist/rule-pack.json) from the repository's rules/ before
// serverless-esbuild bundles and copies package patterns: the worker reads the same checked pack
// the steward service's handlers read, so a backtest on AWS evaluates exactly the shipped rules.
const { join } = require('node:path');

class BacktestRulePack {
  constructor(serverless, options, { log }) {
    this.serviceDir = serverless.serviceDir ?? serverless.config.servicePath;
    this.log = log;
    this.hooks = { 'before:package:createDeploymentArtifacts': () => this.write() };
  }

  async write() {
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
    const { tsImport } = await import('tsx/esm/api');
    const { defaultRulePackFile, writeRulePack } = await tsImport(
      '../../src/rules/pack-build.ts',
      __filename,
    );
    const file = join(this.serviceDir, defaultRulePackFile);
    const count = await writeRulePack(join(this.serviceDir, '..', 'rules'), file);
    this.log.verbose(`steward backtest: ${count} rules packed into ${file}`);
  }
}

module.exports = BacktestRulePack;
