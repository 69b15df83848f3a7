// The steward service's template cleaning (../../deploy/template-plugin.cjs), which the framework
// only loads from inside the service's directory: drops the DependsOn it writes next to each
// function role's Fn::GetAtt (cfn-lint W3005).
module.exports = require('../../deploy/template-plugin.cjs');
