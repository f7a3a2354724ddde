// The HTTP receiver's checks, pure: signature and timestamp window, body shapes.
import { describe, expect, it } from 'vitest';
import { parseSlackBody, verifySlackSignature } from '../../src/slack/receiver-http.ts';
import { signSlackRequest } from '../support/slack-driver.ts';

const SECRET = 's3cret';
const NOW = Date.UTC(2026, 10, 2, 9, 0, 0);
const ts = String(NOW / 1000);

describe('verifySlackSignature', () => {
  it('when signed with the secret within 5 minutes either way, then it passes', () => {
    for (const skew of [0, -300, 300]) {
      const t = String(NOW / 1000 + skew);
      expect(
        verifySlackSignature(
          SECRET,
          { signature: signSlackRequest(SECRET, t, 'a=b'), timestamp: t },
          'a=b',
          NOW,
        ),
      ).toEqual({ ok: true });
    }
  });

  it.each([
    [
      'a signature from another secret',
      { signature: signSlackRequest('other', ts, 'a=b'), timestamp: ts },
      'a=b',
    ],
    [
      'a body changed after signing',
      { signature: signSlackRequest(SECRET, ts, 'a=b'), timestamp: ts },
      'a=c',
    ],
    ['no signature', { timestamp: ts }, 'a=b'],
    ['no timestamp', { signature: signSlackRequest(SECRET, ts, 'a=b') }, 'a=b'],
    [
      'a timestamp 301 s old',
      { signature: signSlackRequest(SECRET, NOW / 1000 - 301, 'a=b'), timestamp: String(NOW / 1000 - 301) },
      'a=b',
    ],
    [
      'a timestamp 301 s ahead',
      { signature: signSlackRequest(SECRET, NOW / 1000 + 301, 'a=b'), timestamp: String(NOW / 1000 + 301) },
      'a=b',
    ],
    ['a timestamp that is not a number', { signature: 'v0=00', timestamp: '12abc' }, 'a=b'],
  ])('when it has %s, then 401', (_what, headers, body) => {
    expect(verifySlackSignature(SECRET, headers, body, NOW)).toMatchObject({ ok: false, status: 401 });
  });
});

describe('parseSlackBody', () => {
  const form = 'application/x-www-form-urlencoded';
  it('reads slash commands, interaction payloads and event callbacks', () => {
    expect(parseSlackBody(form, 'command=%2Flead&text=help&user_id=U1&channel_id=C1')).toMatchObject({
      kind: 'request',
      body: { command: '/lead' },
    });
    const payload = encodeURIComponent(
      JSON.stringify({ type: 'block_actions', user: { id: 'U1' }, actions: [] }),
    );
    expect(parseSlackBody(`${form}; charset=utf-8`, `payload=${payload}`)).toMatchObject({
      kind: 'request',
      body: { type: 'block_actions' },
    });
    expect(
      parseSlackBody('application/json', '{"type":"event_callback","event":{"type":"app_mention"}}'),
    ).toMatchObject({ kind: 'request' });
    expect(parseSlackBody('application/json', '{"type":"url_verification","challenge":"c"}')).toEqual({
      kind: 'url_verification',
      challenge: 'c',
    });
  });

  it.each([
    ['application/json', '{"type":"event_callback","event":"x"}'],
    ['application/json', 'null'],
    [form, 'command=%2Flead'],
    [form, `payload=${encodeURIComponent('{"type":"view_submission","user":{"id":"U1"}}')}`],
    [form, `payload=${encodeURIComponent('{"type":"something_else","user":{"id":"U1"}}')}`],
    [undefined, 'x'],
    ['application/json', '{"command":"/lead","text":"help","user_id":"U1","channel_id":"C1"}'],
    ['application/json', '{"type":"block_actions","user":{"id":"U1"},"actions":[]}'],
    [form, `payload=${encodeURIComponent('{"type":"event_callback","event":{"type":"app_mention"}}')}`],
    [form, 'type=url_verification&challenge=c'],
  ])('when the body is %s %s, then it is malformed', (type, raw) => {
    expect(parseSlackBody(type, raw).kind).toBe('malformed');
  });
});
