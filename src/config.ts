// Configuration: the only reader of process.env and of the `.env` file. Parsed once with zod at
// start; a missing or malformed variable stops the bot with one line naming the variable and what
// is wrong.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse as parseDotenv } from 'dotenv';
import { z } from 'zod';
import { ConfigError } from './errors.ts';

const slackId = (prefix: string) =>
  z
    .string()
    .regex(
      new RegExp(`^[${prefix}][A-Z0-9]{2,}$`),
      `a Slack ID starting with ${prefix.split('').join(' or ')}`,
    );

const csvIds = z
  .string()
  .default('')
  .transform((s) =>
    s
      .split(',')
      .map((x) => x.trim())
      .filter(Boolean),
  )
  .pipe(z.array(slackId('UW')));

const cronExpr = z
  .string()
  .regex(/^(\S+\s+){4,5}\S+$/, 'a cron expression of 5 or 6 fields, e.g. "0 9 * * 1-5"');

const timeZone = z.string().refine((tz) => {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}, 'an IANA time zone such as Europe/Paris');

export const coreEnvSchema = z.object({
  DATABASE_URL: z
    .string()
    .min(1, 'a file path, a file: URL or a postgres:// URL')
    .default('./data/projectlead.sqlite'),
  PLAYBOOKS_DIR: z.string().min(1).optional(),
  ROLES_FILE: z.string().min(1).optional(),
  ADMIN_USER_IDS: csvIds,
  DIGEST_CHANNEL: slackId('CGD').optional(),
  /** Where incidents opened from monitoring alerts are posted; unset: alert intake answers 503. */
  INCIDENT_CHANNEL: slackId('CGD').optional(),
  /** The severity proposed for an alert's incident (routing/alert-severity.yml when unset). */
  ALERT_SEVERITY_FILE: z.string().min(1).optional(),
  /** PagerDuty's webhook signing secret: when set, X-PagerDuty-Signature is verified. */
  PAGERDUTY_WEBHOOK_SECRET: z.string().min(1).optional(),
  /** The Sentry integration's client secret: when set, Sentry-Hook-Signature is verified. */
  SENTRY_CLIENT_SECRET: z.string().min(1).optional(),
  DIGEST_DAILY_CRON: cronExpr.default('0 9 * * 1-5'),
  DIGEST_WEEKLY_CRON: cronExpr.default('0 9 * * 1'),
  DIGEST_TIMEZONE: timeZone.default('UTC'),
  /** The quarterly Compliance Review's schedule (cron, in the work time zone). */
  AUDIT_QUARTERLY_CRON: cronExpr.default('0 9 1 1,4,7,10 *'),
  /** Where scheduled Compliance Reviews are posted; unset: DIGEST_CHANNEL; neither: none start. */
  AUDIT_CHANNEL: slackId('CGD').optional(),
  /** Working hours and "next business day" for deadlines. */
  WORK_TIMEZONE: timeZone.optional(),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
});

export const botEnvSchema = coreEnvSchema
  .extend({
    SLACK_BOT_TOKEN: z.string().regex(/^xoxb-/, 'a bot token starting with xoxb-'),
    SLACK_SIGNING_SECRET: z.string().min(1, 'must not be empty').optional(),
    SLACK_APP_TOKEN: z
      .string()
      .regex(/^xapp-/, 'an app-level token starting with xapp-')
      .optional(),
    PORT: z.coerce
      .number({ error: 'a port number' })
      .int('a whole port number')
      .min(0)
      .max(65535)
      .default(3000),
    SLACK_API_URL: z.url('an http(s) URL').optional(),
    /** Requests a minute each API or MCP token may make (bursts up to as many). */
    API_RATE_LIMIT: z.coerce
      .number({ error: 'a number of requests a minute' })
      .int('a whole number of requests a minute')
      .min(1)
      .max(1_000_000)
      .default(600),
  })
  .superRefine((env, ctx) => {
    if (!env.SLACK_APP_TOKEN && !env.SLACK_SIGNING_SECRET) {
      ctx.addIssue({
        code: 'custom',
        path: ['SLACK_SIGNING_SECRET'],
        message: 'set in HTTP mode (or set SLACK_APP_TOKEN for Socket Mode)',
      });
    }
  });

export type CoreConfig = z.infer<typeof coreEnvSchema>;
export type BotConfig = z.infer<typeof botEnvSchema>;

type Env = Record<string, string | undefined>;

/** Every variable the bot reads (`.env.example` lists exactly these). */
export const CONFIG_VARIABLES: readonly string[] = Object.keys(botEnvSchema.shape);

/** Where the bot and the CLI look for a `.env` file: the working directory. */
export const DOTENV_FILE = '.env';

/**
 * The environment the bot and the CLI read: the variables of the `.env` file (parsed by dotenv),
 * when there is one, under the real environment, which wins (a variable set, even empty, in the
 * environment is never replaced by the file's).
 */
export function readEnvironment(options: { env?: Env; file?: string } = {}): Env {
  const env = options.env ?? process.env;
  const file = resolve(options.file ?? DOTENV_FILE);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { ...env };
    throw new ConfigError('config_invalid', `${file}: cannot be read (${(err as Error).message})`);
  }
  return { ...parseDotenv(text), ...env };
}

function clean(env: Env): Env {
  // An empty variable counts as unset, as in most deployment tools.
  return Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
}

function parseWith<S extends z.ZodType>(schema: S, env: Env): z.infer<S> {
  const cleaned = clean(env);
  const parsed = schema.safeParse(cleaned);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const name = String(issue.path[0] ?? 'configuration');
  const message =
    cleaned[name] === undefined && issue.code === 'invalid_type' ? 'is required' : `must be ${issue.message}`;
  throw new ConfigError('config_invalid', `${name}: ${message}`, { variable: name });
}

export const loadCoreConfig = (env: Env = process.env): CoreConfig => parseWith(coreEnvSchema, env);
export const loadBotConfig = (env: Env = process.env): BotConfig => parseWith(botEnvSchema, env);
