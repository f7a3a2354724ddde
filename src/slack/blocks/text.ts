// The core's structured text (src/domain/text.ts) as Slack mrkdwn: users as `<@U…>`, user
// groups as `<!subteam^S…>`, roles by name (`@Ghabs`). Strings are the bot's own words.
import type { Text } from '../../domain/text.ts';

export function slackText(t: Text | string): string {
  if (typeof t === 'string') return t;
  return t
    .map((p) => {
      if (typeof p === 'string') return p;
      if ('user' in p) return `<@${p.user}>`;
      if ('group' in p) return `<!subteam^${p.group}>`;
      return `@${p.role}`;
    })
    .join('');
}
