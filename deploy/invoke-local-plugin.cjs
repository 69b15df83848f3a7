// `sls invoke local -f <function> -p <event file>`: tells the handler which file the event came
// from (STEWARD_EVENT_FILE), so that without AWS credentials the lazy facts come from the file's
// sidecar (events/ec2-running.json → events/ec2-running.facts.json, see src/facts/sidecar.ts).
// A gzipped CloudTrail log file is what S3 holds, never a Lambda payload: it is refused with the
// way to run it instead of failing inside the handler.
const { isAbsolute, join } = require('node:path');

class StewardInvokeLocal {
  constructor(serverless, options) {
    this.serviceDir = serverless.serviceDir ?? serverless.config.servicePath;
    this.options = options;
    this.ServerlessError = serverless.classes.Error;
    this.hooks = { 'before:invoke:local:loadEnvVars': () => this.nameEventFile() };
  }

  nameEventFile() {
    const given = this.options.path;
    if (given === undefined) return;
    if (String(given).endsWith('.gz'))
      throw new this.ServerlessError(
        `${given} is a CloudTrail log file as S3 holds it, not a Lambda event: invoke ` +
          'cloudtrailLogs with the S3 notification that names it ' +
          '(-p events/s3-cloudtrail-object-created.json), or read it with `steward run ' +
          `${given}\``,
      );
    process.env.STEWARD_EVENT_FILE = isAbsolute(given) ? given : join(this.serviceDir, given);
  }
}

module.exports = StewardInvokeLocal;
