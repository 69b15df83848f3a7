/** The session name lazy facts read member accounts with: shared by every event of a container. */
export const FACTS_SESSION = 'steward-facts';

const sessionNameLimit = 64;
const notInSessionName = /[^\w+=,.@-]/g;

/**
 * The STS session name an action acts under: its rule and its event (`<rule>@<event>`), cut to
 * STS's 64 characters (the rule to 32 at most) and to the characters STS allows.
 *
 * @example
 * sessionName('ec2-security-group-open-to-world', '3a1c…'); // 'ec2-security-group-open-to-world@3a1c…'
 */
export function sessionName(ruleId: string, eventId: string): string {
  const rule = ruleId.replace(notInSessionName, '-').slice(0, 32);
  const event = eventId.replace(notInSessionName, '-');
  return `${rule}@${event}`.slice(0, sessionNameLimit);
}
