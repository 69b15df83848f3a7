// Writes the rule pack (dist/rule-pack.json) from rules/ before serverless-esbuild bundles and
// copies package patterns, for `sls package`, `sls deploy`, `sls deploy function` and
// `sls invoke local`: the handlers read the pack, already checked, instead of parsing YAML.
// Listed before serverless-esbuild in serverless.yml, so its hooks run first.
const { join } = require('node:path');

class StewardRulePack {
  constructor(serverless, options, { log }) {
    this.serviceDir = serverless.serviceDir ?? serverless.config.servicePath;
    this.log = log;
    const write = () => this.write();
    this.hooks = {
      'before:package:createDeploymentArtifacts': write,
      'before:deploy:function:packageFunction': write,
      'before:invoke:local:invoke': write,
    };
  }

  async write() {
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
    const { tsImport } = await import('tsx/esm/api');
    const { defaultRulePackFile, writeRulePack } = await tsImport(
      '../src/rules/pack-build.ts',
      __filename,
    );
    const file = join(this.serviceDir, defaultRulePackFile);
    const count = await writeRulePack(join(this.serviceDir, 'rules'), file);
    this.log.verbose(`steward: ${count} rules packed into ${file}`);
  }
}

module.exports = StewardRulePack;
