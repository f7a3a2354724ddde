/**
 * Weighted signal patterns. Every pattern runs on the flat token string made by
 * `toTokens` (lowercase, apostrophes dropped, one space between tokens), so "doesn't work"
 * is written `doesnt work`. A pattern is wrapped as `\b(?:…)\b`. A negative weight counts
 * against a chain (e.g. "price alerts" is a feature, not a monitoring alert).
 *
 * Weights: 4–5 a phrase that alone names the chain (the SOP's own signal phrases),
 * 2.5–3.5 a strong hint, 1–2 a word that leans one way.
 */

import { SCOPE_ROWS } from './lexicon-scope.ts';
import { type RuleRow, W } from './lexicon-words.ts';
import { WORK_ROWS } from './lexicon-work.ts';
import type { ChainId, ChangeType, Flag, Project, ReleaseType } from './types.ts';

export interface Rule<K extends string> {
  key: K;
  weight: number;
  re: RegExp;
}

function compile<K extends string>(rows: readonly RuleRow<K>[]): Rule<K>[] {
  return rows.map(([key, weight, source]) => ({ key, weight, re: new RegExp(`\\b(?:${source})\\b`) }));
}

/** Chain signals, in the order they are written. */
export const CHAIN_RULES: Rule<ChainId>[] = compile<ChainId>([...WORK_ROWS, ...SCOPE_ROWS]);

/** Emoji that lean a request one way. */
export const EMOJI_SIGNALS: ReadonlyMap<string, readonly [ChainId, number]> = new Map([
  ['rotating_light', ['incident', 3]],
  ['fire', ['incident', 2]],
  ['sos', ['incident', 3]],
  ['red_circle', ['incident', 1.5]],
  ['rotating_light_red', ['incident', 3]],
  ['alert', ['incident', 2.5]],
  ['boom', ['incident', 1.5]],
  ['bug', ['bug', 3]],
  ['beetle', ['bug', 2.5]],
  ['ladybug', ['bug', 2.5]],
  ['lady_beetle', ['bug', 2.5]],
  ['rocket', ['release', 2]],
  ['ship', ['release', 2.5]],
  ['shipit', ['release', 3]],
  ['package', ['release', 1.5]],
  ['tada', ['release', 1]],
  ['sparkles', ['feature', 2]],
  ['bulb', ['feature', 2]],
  ['star', ['feature', 1]],
  ['pray', ['feature', 0.5]],
  ['mag', ['compliance', 1]],
  ['scales', ['compliance', 2]],
  ['lock', ['compliance', 1]],
  ['clipboard', ['compliance', 1]],
] as const);

/** Flags, matched anywhere in the token string. */
export const FLAG_RULES: Rule<Flag>[] = compile<Flag>([
  [
    'user_data',
    1,
    `personal data|personal information|pii|user data|customer data|users? (?:data|records|profile|profiles|table|model|details|info)|users table|user.?id|customer (?:emails?|pii|records|data|bank details|information)|(?:customer|user)s? emails|email addresses|emails? of|other (?:users?|peoples?|tenants?)|another users?|someone elses|their data|gdpr|ccpa|dsar|consent|retention|privacy|location|account (?:history|activity)|profile|profiles|address|addresses|names?|id documents|kyc documents|bank details|contacts|phone numbers?|date of birth|exposed|dpia|kyc|identity documents|id documents|delete (?:their|my|your|the) account|account deletion|impersonat\\w*|ip addresses|device ids?|voice|recordings?|another customers?|login history|devices? (?:that )?(?:have|has) access|tax (?:residency|id)|data (?:export|sharing|share|flow|subject|exposure|protection)|processing activities|share with partners|passports?|passport scans|full name|pseudonymi[sz]\\w*|avatars?|applicants|personal|what (?:data|we collect)`,
  ],
  [
    'payments',
    1,
    `pay|pays|paid|payment|payments|paying|payout|payouts|checkout|billing|invoice|invoices|refund|refunds|charge|charged|charges|charging|double.?charg\\w*|card|cards|stripe|paypal|apple pay|google pay|subscription|subscriptions|coupon|coupons|discount|deposits?|withdrawals?|revenue|psd2|pci(?:.?dss)?|sca|wallet|bonus|bank details|transfers?|fees?|card numbers|cardholder|money`,
  ],
  [
    'analytics',
    1,
    `analytics|tracking|track|tracked|event tracking|events? for|mixpanel|amplitude|segment|google analytics|ga4|posthog|heap|funnel (?:chart|numbers|report)|cohort|metrics|measure|a/?b test|ab test|experiment|trackers|an event|log an event|metric|utm|attribut\\w*|heatmaps?|session replay|pixels?|looker|warehouse|events? (?:to|in) (?:mixpanel|amplitude|segment)|count how many|how many (?:people|users)`,
  ],
  [
    'security',
    1,
    `security|secure|2fa|mfa|two.?factor|sso|saml|oauth|passkeys?|password|passwords|auth|authentication|authenticator|login attempts|session tokens?|tokens? (?:leak|expos)|xss|csrf|idor|injection|breach|hacked|leak(?:ed)?|compromised|exposed|ddos(?:ed)?|unauthori[sz]ed|suspicious|vulnerab\\w*|vuln|cves?|exploit|secrets?|keys|api keys|aws keys|iam|permissions?|access review|admin access|access to production|role.based|read.only|cors|csp|encryption|encrypted|soc ?2|iso ?27001|pen ?test|penetration|pci(?:.?dss)?|authorization|credential stuffing|brute.?force|magic.link|login|tokens? never expire|phone number|biometric|face id|touch id|impersonat\\w*|credentials|card numbers|2fa code|another customers?|other tenants|another users?|someone elses|who has access|privilege|lock (?:their|my|the|his|her) account|captcha|audit trail|revoked|log out everywhere|logs? out (?:other|all) (?:devices|sessions)|other devices|by changing the (?:url|id)|publicly|public (?:url|link|bucket|repo|gist)|attackers?|botnet|ransomware|malicious|phishing|account takeovers?|tls|mtls|openssl|signing keys?|session cookie|cookie domain|without confirming|people with access|who can (?:read|see|approve|access)|four.eyes|firewall|open ports|least privilege`,
  ],
  [
    'growth',
    1,
    `growth|growthlead|referral|referrals|referal|refer a friend|invite (?:friends|a friend)|viral|leaderboard|retention (?:&|and) sharing|retention|reward|rewards|gamif\\w*|activation|acquisition|signups|sign ups|upsell|a/?b test|ab test|lift|engagement|badges|sharing|campaign|onboarding checklist|cohort|invite (?:\\w+ )?friends|churn|convert more|more (?:signups|users|visitors|conversions)|boost|increase (?:${W}{0,2})(?:signups|conversion|retention|revenue)`,
  ],
  [
    'funnel',
    1,
    `funnel|landing page|landing|signup|sign up|signups|signing up|sign.?up (?:form|flow)|conversion|conversions|pricing page|onboarding|checkout page|trial|seo|marketing site|drop.?off|activation`,
  ],
  [
    'backend_only',
    1,
    `backend only|backend.only|api side only|api.side only|server.side|no ui|server side only|server.side only|no frontend|api only|headless|cron job|batch endpoint|an endpoint|endpoint that|webhooks?|(?:get|post|put|patch|delete) (?:api )?v\\d|api returns|returns 500|internal (?:api|endpoint|job|admin api)|workers?|queues?|consumer|crons?|grpc|prometheus|read replica|dead letter|health check|index on|idempotency key|/internal|retries|server side|backend work`,
  ],
]);

/** Projects a request touches. */
export const PROJECT_RULES: Rule<Project>[] = compile<Project>([
  [
    'web',
    1,
    `web|website|web app|webapp|site|browser|browsers|safari|chrome|firefox|edge|frontend|front.end|landing page|pricing page|dashboard|ssr|next.?js|css|web forms`,
  ],
  [
    'backend',
    1,
    `backend|back.end|api|apis|endpoint|endpoints|server|servers|service|services|database|db|postgres|redis|queue|worker|workers|webhook|webhooks|cron|batch|grpc|graphql|schema|table|tables|functions|quant|microservice|lambda|kafka|s3`,
  ],
  [
    'mobile',
    1,
    `mobile|ios|android|iphone|ipad|app store|play store|testflight|react native|expo|samsung|phone|phones|tablet|push notifications`,
  ],
  [
    'content',
    1,
    `content|blog|help center|copy|newsletter|docs|documentation|articles?|announcement|email templates?|content hub|seo|marketing site|app store notes|release notes`,
  ],
]);

/** Release types, when the text says so. */
export const RELEASE_TYPE_RULES: Rule<ReleaseType>[] = compile<ReleaseType>([
  ['hotfix', 3, 'hotfix|hot fix|patch release|emergency release|bugfix release'],
  ['major', 2, 'major|breaking|new major'],
  ['minor', 2, 'minor|small improvements|non.?breaking|no breaking changes'],
]);

/** Cross-project change types. */
export const CHANGE_TYPE_RULES: Rule<ChangeType>[] = compile<ChangeType>([
  [
    'api_contract',
    3,
    `api|apis|endpoint|endpoints|contract|response|payload|openapi|swagger|graphql|grpc|rest|header|headers|error codes|pagination|serialized|webhook`,
  ],
  [
    'design_tokens',
    4,
    `tokens?|design system|palette|colou?rs?|typography|font|fonts|spacing|radius|elevation|shadows?|icon set|icons|ui kit|brand`,
  ],
  [
    'data_model',
    3,
    `data model|schema|table|tables|column|columns|model|migration|migrate|database|db|precision|field in|records|event schema`,
  ],
  [
    'dependency_upgrade',
    3,
    `upgrade|upgrading|bump|bumping|dependency|dependencies|library|libraries|sdk|framework|version|replace|swap|react native|typescript|python|node|expo|postgres|next\\.?js|lodash|axios|eslint|prettier|moment|date.fns`,
  ],
]);
