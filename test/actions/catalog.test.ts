import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { actionCatalog } from '../../src/actions/catalog.js';
import { actionPermissions } from '../../src/actions/origin-state.js';

describe('the action catalog', () => {
  it('holds every action under its own name, each with a closed, compilable schema', () => {
    const ajv = new Ajv({ allErrors: true, strict: false });
    for (const [name, action] of actionCatalog) {
      expect(action.name).toBe(name);
      expect(action.paramsSchema).toMatchObject({ type: 'object', additionalProperties: false });
      expect(() => ajv.compile(action.paramsSchema)).not.toThrow();
      for (const permission of actionPermissions(action, {}))
        expect(permission).toMatch(/^[a-z0-9-]+:[A-Z]\w+$/);
    }
    expect([...actionCatalog.keys()].sort()).toEqual([
      'audit.record',
      'cloudtrail.start-logging',
      'ec2.create-snapshots',
      'ec2.create-tags',
      'ec2.delete-tags',
      'ec2.isolate-instance',
      'ec2.modify-instance-metadata-options',
      'ec2.restore-instance-security-groups',
      'ec2.revoke-security-group-ingress',
      'ec2.start-instances',
      'ec2.stop-instances',
      'ec2.terminate-instances',
      'events.emit',
      'logs.put-retention-policy',
      'notify.sns',
    ]);
  });

  it('marks only terminate as destructive', () => {
    const destructive = [...actionCatalog.values()].filter((action) => action.destructive);
    expect(destructive.map((action) => action.name)).toEqual(['ec2.terminate-instances']);
  });
});
