// Cleans the compiled CloudFormation template just before the framework validates and writes it
// (for `sls package` and `sls deploy` alike): the framework puts a DependsOn on each function's
// role next to the Fn::GetAtt of the same role, which cfn-lint reports (W3005) and moto's
// CloudFormation rejects. The change itself is src/deploy/template.ts.
class StewardTemplate {
  constructor(serverless, options, { log }) {
    this.serverless = serverless;
    this.log = log;
    this.hooks = {
      'before:aws:package:finalize:saveServiceState': () => this.clean(),
    };
  }

  async clean() {
    const { tsImport } = await import('tsx/esm/api');
    const { dropRedundantDependsOn } = await tsImport('../src/deploy/template.ts', __filename);
    const template = this.serverless.service.provider.compiledCloudFormationTemplate;
    const dropped = dropRedundantDependsOn(template);
    this.log.verbose(`steward: ${dropped} redundant DependsOn entries dropped from the template`);
  }
}

module.exports = StewardTemplate;
