/**
 * Weighted signal patterns. Every pattern runs on the flat token string made by
 * `toTokens` (lowercase, apostrophes dropped, one space between tokens), so "doesn't work"
 * is written `doesnt work`. A pattern is wrapped as `\b(?:…)\b`. A negative weight counts
 * against a chain (e.g. "price alerts" is a feature, not a monitoring alert).
 *
 * Weights: 4–5 a phrase that alone names the chain (the SOP's own signal phrases),
 * 2.5–3.5 a strong hint, 1–2 a word that leans one way.
 */
import type { ChainId, ChangeType, Flag, Project, ReleaseType } from './types.ts';

export interface Rule<K extends string> {
  key: K;
  weight: number;
  re: RegExp;
}

type RuleRow<K extends string> = readonly [K, number, string];

function compile<K extends string>(rows: readonly RuleRow<K>[]): Rule<K>[] {
  return rows.map(([key, weight, source]) => ({ key, weight, re: new RegExp(`\\b(?:${source})\\b`) }));
}

const W = '(?:[a-z0-9.%]+ )'; // one token and its space, for "up to n words between"

/** A version or release named as the subject of what follows ("release 7.2 changed …"). */
const NAMED_VERSION = `(?:release|version|build|update|hotfix|patch|v?\\d+(?:\\.\\d+)+) (?:${W}{0,4})`;
/** Something noticed after shipping ("since we deployed", "shipped 6.1 and now …"). */
const SHIPPED_AND_NOW = `(?:since|after) (?:we )?(?:shipped|released|deployed|updated|upgraded)|(?:shipped|released|deployed) (?:${W}{0,3})(?:and|but) now`;

/** Chain signals. */
export const CHAIN_RULES: Rule<ChainId>[] = compile<ChainId>([
  // ── New Feature ──────────────────────────────────────────────────────────
  ['feature', 4, 'feature requests?|feature ask|feature idea|new feature|new capability|product ask'],
  ['feature', 4, `(?:build|add|implement|create) (?:this|a new|the new) (?:feature|capability)`],
  ['feature', 3, 'capability|capabilities|enhancement|wish ?list|epic|killer feature|upsell'],
  ['feature', 2.5, 'add|adding|build|building|implement|implementing|introduce|prototype|develop'],
  ['feature', 1.5, 'create|creating|make it possible|integration|feature'],
  [
    'feature',
    2,
    `(?:can|could|would|should) (?:we|you|u|i|the ${W}?) ?(?:add|have|get|build|support|allow|offer|show|let|make|see|do)`,
  ],
  [
    'feature',
    3,
    `(?:it ?d|it would|would|that ?d) (?:be )?(?:really |so |super )?(?:nice|great|cool|handy|awesome|helpful|useful|amazing)`,
  ],
  [
    'feature',
    3,
    'i ?d (?:really )?love|would love|love to (?:have|see)|nice to have|i ?d like|we ?d like|i would like|we would like|wish we|it would help',
  ],
  [
    'feature',
    2.5,
    `(?:users?|customers?|people|clients?|partners?|admins?|teams?|power users) (?:${W}{0,2})(?:want|wants|asked|asking|ask for|requested|requesting|would like|need|needs|keep asking)`,
  ],
  [
    'feature',
    2,
    '(?:ability|option|a way|possibility|opportunity) to|support (?:for|uploading|exporting|importing|scheduling)|no way to',
  ],
  [
    'feature',
    2,
    `(?:allow|allowing|let|enable|lets) (?:${W}{0,1})(?:users?|people|customers?|admins?|teams?|partners|them|owners?|us|someone)`,
  ],
  [
    'feature',
    1.5,
    'idea|proposal|suggestion|would be|we should have|we need an?|new (?:page|screen|view|widget|report|option|setting|endpoint|tab|section)',
  ],
  [
    'feature',
    1.5,
    '(?:dark|light|offline|compact) mode|dark ?light|toggle|shortcuts?|widget|leaderboard|badges?|tooltips?',
  ],
  [
    'feature',
    1.5,
    'export (?:to|as)|import|schedule (?:exports?|posts?|reports?)|reminders?|notifications? (?:when|for)|alerts? (?:when|via)',
  ],
  ['feature', 1.5, '(?:price|email|sms|push|telegram) alerts?'],
  [
    'incident',
    -3,
    '(?:price|email|sms|push|telegram|custom|target) alerts?|alerts? (?:when|via|for (?:users|price))',
  ],
  ['incident', -2, 'status page|public api|(?:an?|new) endpoint'],
  ['feature', 1, 'status page'],

  [
    'feature',
    2.5,
    `we should (?:offer|add|have|build|support|allow|let|make|show|provide|create)|expose an? (?:${W}{0,2})(?:api|endpoint|feed|setting|option)|(?:make|making) (?:${W}{0,5})(?:friendlier|better|clearer|easier|faster|nicer|simpler|smarter|more \\w+|less \\w+)|improve|improving|improvement`,
  ],

  [
    'feature',
    2,
    `(?:add|build|implement|create|introduce) (?:${W}{0,3})(?:checkbox|toggle|banner|button|page|screen|option|setting|form|field|report|endpoint|flag|modal|widget|tab|filter|view|tool|job|integration)`,
  ],
  [
    'feature',
    2,
    `we want (?:${W}{0,2})to|want (?:users|partners|customers|people|admins|teams) to|would save|save (?:people|users|us|them|a lot of) (?:time|clicks)|(?:an? |the )(?:\\w+ )?action (?:to|that|would)`,
  ],

  // Request frames: a wish or a question about what the product could do, with no symptom.
  [
    'feature',
    2,
    `any chance|is it possible|would it be possible|(?:could|can) (?:the|our) (?:${W}{0,2})(?:remember|show|let|support|have|include|send|remind|display|offer)|please make|lets (?:support|offer|add|have|build|allow|let|introduce)|(?:wants?|asked for|asking for) (?:a|an|some) |request from|(?:sortable|filterable|searchable|configurable|customi[sz]able|editable|exportable) by|remind (?:me|people|users)|(?:for|on) (?:the|our|next) (?:\\w+ )?roadmap`,
  ],

  // ── Bug Fix ──────────────────────────────────────────────────────────────
  [
    'bug',
    4,
    'this is broken|(?:users?|customers?|people) (?:are )?report(?:s|ed|ing)? (?:that|they|the|a|an|it|this|seeing)?|bug ?report|bugs?',
  ],
  [
    'bug',
    3.5,
    'broken|doesnt (?:work|do anything|do a thing|save|load|open|show|update|respond|work anymore|look right|apply|remove|autoplay|announce|unsubscribe|let)|does nothing|not working|isnt working|arent working|stopped working|no longer (?:works?|loads?|shows?)|dont work',
  ],
  [
    'bug',
    3,
    'typos?|misspell(?:ing|ed|ings)?|spelling (?:mistake|error)|regression|glitch(?:es|y)?|buggy|wrong|incorrect(?:ly)?|inverted',
  ],
  [
    'bug',
    2.5,
    `crash(?:es|ed|ing)? (?:when|on|after|if|while|whenever|every|for)|crashes|(?:app|page|screen|it) crash(?:es|ed)?|freezes|freezing|hangs|spins forever|loops? back|stuck on`,
  ],
  [
    'bug',
    2.5,
    `(?:users?|customers?|someone|people|a customer|a user|clients?) (?:${W}{0,2})(?:say|says|saying|complain|complaining|mention|noticed|see|seeing|getting|get|got|are getting)|got a report|reports? from|report from`,
  ],
  [
    'bug',
    2.5,
    'instead of|off by|different (?:totals?|balances?|numbers|values|results)|mismatch|inconsistent|shows? (?:the )?(?:wrong|old|another|someone|nan|undefined|null)|nan|undefined|twice|duplicated?|double|second time|stale|corrupt(?:ed)?|garbled|stretched|overflows?|overlap(?:s|ping)?|misaligned|alignment|unreadable|truncated|cut off|blank (?:pdf|page|file|image|screen)|is blank|are blank',
  ],
  [
    'bug',
    2.5,
    `fails? (?:to|for|when|with|on|if|silently)|fail(?:s|ed)? to|error (?:when|while|on|saving|loading)|throws?|throwing|exception|stack ?trace|typeerror|traceback|console error`,
  ],
  [
    'bug',
    2,
    `returns? (?:a |an )?(?:500|404|4\\d\\d|error|null|nothing|wrong|empty|the wrong|zero|an error)|(?:got|getting|get) (?:a |an )?(?:404|500|error)|404|page not found`,
  ],
  [
    'bug',
    2,
    `(?:when|whenever|if|after) (?:i|you|a user|users|someone|the user|we|they|clicking|pressing|opening|saving|switching|hitting|deleting)|steps to reproduce|repro|expected|actual(?:ly)?`,
  ],
  [
    'bug',
    2,
    `(?:cant|cannot|can not|unable to|wont let|doesnt let) (?:${W}{0,1})(?:upload|save|log ?in|login|sign ?in|find|open|add|see|finish|verify|click|change|edit|delete|reset|pay|download|connect)|(?:is|are|keeps?|kept) (?:being )?(?:logged|logging) (?:me |them |us |users )?out|log(?:s|ged)? (?:me|them|us|users|people) out`,
  ],
  [
    'bug',
    2,
    'not (?:loading|showing|saving|updating|applied|invalidated|shown|displayed|removed|sent|correct|right)|doesnt|isnt|arent|wont|silently|missing|disappear(?:s|ed)?|resets?|reverts?',
  ],
  [
    'bug',
    2,
    `(?:since|after) (?:the |this |our )?(?:last |latest |recent )?(?:update|upgrade|version|app update|ios update|android update)|started (?:with|in) ${W}`,
  ],
  [
    'bug',
    2.5,
    `xss|idor|csrf|sql injection|injection|security (?:bug|hole|issue|flaw)|lets? (?:you|anyone|users?) (?:download|see|access|view|read) (?:${W}{0,2})(?:other|another|someone)|(?:other|another) (?:users?|tenants?|peoples?|customers?)(?: s)? (?:data|statements?|workspaces?|records?)|someone elses`,
  ],
  [
    'bug',
    2,
    'charged (?:twice|a second time|double)|double.?charg\\w*|overcharg\\w*|charged but|accepts? expired',
  ],
  [
    'bug',
    1.5,
    'fix|fixing|needs? fixing|issue|problem|weird|strange|odd|looks off|is off|does not|dont|cant|not|error|errors|fails|failed',
  ],
  ['bug', -3, `not (?:a|really a) bug|more of a (?:wish|feature|request)|isnt a bug|rather than a bug`],
  ['feature', 3, `not (?:a|really a) bug|more of a (?:wish|feature|request)|isnt a bug`],

  [
    'bug',
    2.5,
    `(?:is|are) (?:still )?(?:showing|saying|missing|empty|outdated|out of date|gone)|still (?:says|shows|showing|visible|appears|there)|never (?:arrives?|loads?|shows?|works?|finish(?:es)?|completes?|gets?|sends?|updates?|saves?)|forever|ignores?|ignoring|skips?|skipping|even though|supposed to|flicker\\w*|rotated|out of date|outdated|(?:take|takes|taking) \\d+\\+? ?(?:minutes|mins|seconds|secs|hours)|anyone else (?:seeing|getting|having)|complained|please remove|blank|since (?:yesterday|monday|tuesday|wednesday|thursday|friday|saturday|sunday|last week|the weekend|this morning)|(?:is|are) calculated|rounded`,
  ],
  [
    'bug',
    2,
    `(?:keeps?|kept) (?:${W}{0,1})\\w+ing|over and over|every (?:time|launch|login|reload)|(?:a |the )?(?:different|another|other) (?:card|account|user|item|row|one|page|file)|displays?|displayed|hides?|hidden behind|covers?|covering|reloads?|adds? up to|jumps? to|goes to (?:the )?(?:wrong|home)|even (?:for|when|though|if|after)|confusing|rejects?|rejected|encod(?:es|ing|ed)|(?:is|are) (?:being )?(?:ignored|dropped|lost|doubled|cut)`,
  ],
  ['release', 3, `(?:ship|deploy|push|release|get out) (?:a |the |this |our )?(?:hot ?)?fix(?:es)?`],
  ['bug', -2, `(?:ship|deploy|push|release|get out) (?:a |the |this |our )?(?:hot ?)?fix(?:es)?`],
  [
    'release',
    -3,
    `(?:cant|cannot|nobody can|no one can|unable to|blocked from) (?:${W}{0,1})(?:ship|deploy|release|merge)`,
  ],
  [
    'incident',
    2,
    `(?:cant|cannot|nobody can|no one can|unable to|blocked from) (?:${W}{0,1})(?:ship|deploy|release|merge)|(?:deploy|ci|build|release|ci.?cd) pipeline`,
  ],

  // ── Release ──────────────────────────────────────────────────────────────
  [
    'release',
    4,
    'prepare (?:the )?release|prep (?:the )?release|lets ship|ship it|shipit|cut (?:a |the |an )?(?:release|rc|v?\\d[\\d.]*|new version)|code freeze|go.?no.?go|release (?:branch|candidate|train|checklist|process|notes|scope|plan|date|day|of)',
  ],
  [
    'release',
    4.5,
    '(?:hotfix|patch|minor|major|point|maintenance|mobile|web|backend|ios|android|sdk|q[1-4]) release|release (?:v?\\d[\\d.]*|it|this|them|the (?:web|mobile|new|app|ios|android|backend|sdk)\\b)',
  ],
  [
    'release',
    3.5,
    'release|releases|releasing|ship|shipping|shipped|get (?:it|this|them) out|out the door|go live|going live|rc|changelog',
  ],
  [
    'release',
    3.5,
    `(?:deploy|deploying|push|pushing|promote|promoting|roll ?out|rolling out|move|get) (?:${W}{0,5})(?:to|into|in|on) (?:prod|production|staging|the app store|the play store|app store|play store|100%|everyone|all users|npm|pypi)|(?:prod|production) deploy(?:ment)?|deploy (?:to|in) prod`,
  ],
  [
    'release',
    3,
    `sprint (?:\\d+ )?(?:is )?(?:done|complete|completed|finished|over|closed)|end of (?:the )?sprint|milestone(?: is)? (?:reached|hit|done)|milestone|app store|play store|testflight|store (?:submission|review)|submit (?:${W}{0,3})(?:to|for) (?:app store|review)|smoke tests?`,
  ],
  [
    'release',
    2.5,
    'launch|launching|publish|publishing|new version|bump (?:the )?version|version bump|tag (?:and|&) release|tag|(?:v\\d+(?:\\.\\d+)+|\\d+\\.\\d+\\.\\d+|\\d+\\.\\d+) (?:is )?(?:ready|out|on|this|next|to|for|of|please)|staging|qa sign.?off|sign.?off|final approval|announce|announcement',
  ],
  [
    'release',
    2,
    'deploy|deploying|deployment|hotfix|freeze|merged|qa pass|full qa|version \\d|roll ?out|rollout',
  ],
  [
    'release',
    1.5,
    'v\\d+(?:\\.\\d+)+|\\d+\\.\\d+\\.\\d+|\\d+\\.\\d+|to (?:prod|production)|maintenance window|go ahead',
  ],

  [
    'release',
    3.5,
    `(?:get|go|goes|going|make|put) (?:${W}{0,4})live|roll (?:${W}{0,4})out|send (?:${W}{0,2})to (?:the )?stores?|(?:good|ready) to go|drive the release`,
  ],
  [
    'incident',
    -2.5,
    `(?:roll|rolling|release|releasing|ship|shipping|launch|launching|live) (?:${W}{0,5})(?:to|for) (?:everyone|all users|100%)`,
  ],

  // ── Incident Response ───────────────────────────────────────────────────
  [
    'incident',
    5,
    'monitoring alert|service down|outage|outages|(?:is|are|went|goes|going|been|be|all|completely|totally|everything|site|app|api|service|server|servers|website|prod|production|systems?|login|checkout|search|db|database|cluster) (?:is |are |seems |looks )?down|down (?:for|since|in|on|again)|we are down|were down|down!*$|incident response',
  ],
  [
    'incident',
    4,
    `\\[?(?:firing|triggered|alerting|alarm)\\]?|pagerduty|pager ?duty|opsgenie|on.?call|paged|sev ?[123]|sev.?[123]|incident`,
  ],
  [
    'incident',
    3,
    `alert|alerts|alarm|monitor|monitoring|datadog|grafana|sentry|new ?relic|prometheus|uptime|health ?checks?|status ?page (?:says|shows)|error rate|error budget|burn rate|5xx|50[234]s?|500s|p9[59]|p50|latency|degraded|degradation|degrading|crash ?loop(?:ing)?|crashlooping|oom|out of memory|replication lag|consumer lag|(?:queue|message) (?:backlog|lag)|backlog|disk (?:full|usage)|(?:cpu|memory|disk|mem) (?:usage )?(?:at |over |above |is |>)?\\d+%?|\\d+% (?:cpu|memory|disk)`,
  ],
  [
    'incident',
    3.5,
    `unavailable|unreachable|inaccessible|cant (?:reach|connect|access|load)|not (?:resolving|responding|reachable|being (?:delivered|processed|confirmed|sent))|wont open|timing out|times out|timeouts?|timed out|erroring|(?:spike|surge|jump|jumped|spiked|spiking|burst)(?: of| in)?|elevated|super slow|very slow|slow for|slow since|slowness|response times?`,
  ],
  [
    'incident',
    3.5,
    `everyone|everybody|all (?:users|customers|clients|requests|pages|regions|systems|services|logins?|trades|payments|traffic|endpoints)|nobody|no one|noone|every (?:request|page|call|user|region)|100% of|across the board|whole (?:site|app|platform|system)|entire (?:site|app|platform|system)|completely|multiple services|(?:many|lots of|a lot of|tons of|a ton of) (?:users|people|customers)|flooding|for all users`,
  ],
  [
    'incident',
    4,
    `breach|breached|leak|leaked|leaking|hacked|hack|compromised|exposed|ddos(?:ed)?|under attack|attack|intrusion|unauthori[sz]ed access|suspicious (?:logins?|activity|traffic|requests)|public (?:s3|bucket|repo)`,
  ],
  [
    'incident',
    3.5,
    `(?:cert|certificate|ssl|tls)(?: ${W}{0,3})?expired|expired (?:cert|certificate|ssl)|dns`,
  ],
  [
    'incident',
    3,
    `(?:roll|rolling|rolled) ?back|rollback|mitigate|mitigation|failover|fail over|restore service|postmortem|post.?mortem`,
  ],
  [
    'incident',
    2,
    `right now|rn|since \\d{1,2}(?:[.:]\\d\\d)?(?: ?(?:am|pm|utc|cet|et))?|in the last \\d+|for the last \\d+|last \\d+ ?(?:min|mins|minutes|m|hours?|h)|\\d+ ?(?:min|mins|minutes) ago|an hour ago|ongoing|currently|immediately|asap|urgent(?:ly)?|since (?:the |this )?(?:\\w+ )?deploy|after the (?:\\w+ )?deploy`,
  ],
  [
    'incident',
    3,
    `(?:payments?|trades?|logins?|requests|emails?|orders|messages|webhooks?|notifications|sessions|connections|jobs?|workers|signups|prices|deliveries) (?:${W}{0,1})(?:are |is |being |have been )?(?:not being|arent being|failing|declined|dropped|dropping|delayed|stuck|not updated|havent updated|not arriving|not delivered|not processed)`,
  ],
  [
    'incident',
    3,
    `(?:feed|service|services|api|server|db|database|cluster|workers?|queue|cdn|provider|job|batch|cron|pods?|node|nodes|load balancer|lb|gateway|redis|postgres|kafka|worker ?pool) (?:${W}{0,1})(?:is |are |seems |looks |has )?(?:dead|down|stuck|failed|failing|erroring|struggling|overloaded|unhealthy|crashing|restarting|saturated)`,
  ],
  [
    'incident',
    2.5,
    'production|prod|region|regions|us.?east.?\\d|eu.?west.?\\d|eu region|apac|service|services|worker|workers|pods?|infra|cdn|load balancer|traffic|requests',
  ],

  ['incident', 2.5, 'slow'],
  [
    'incident',
    4,
    `(?:password|passwords|secret|secrets|keys?|token|tokens|credentials?)s? (?:${W}{0,4})(?:in (?:a |the )?public|leaked|exposed|posted)|(?:posted|pushed|committed|shared|pasted) (?:${W}{0,3})(?:password|secret|keys?|token|credentials)|rotate (?:it|them|the \\w+|all \\w+) (?:now|asap|immediately)`,
  ],

  [
    'incident',
    3,
    `(?:at all|for (?:me or )?anyone|anyone (?:else )?(?:in|at|on)|none of (?:our|the) \\w+ (?:are|is)|dropped to (?:zero|0)|down to (?:zero|0)|credential stuffing|brute.?force|hammering|thousands of (?:attempts|requests|errors)|backing up|piling up|so far|failover|lost (?:its |the |our )?(?:primary|leader|master|node|connection)|memory leak|restarting|kick in|stopped (?:processing|responding|working) (?:for|across))`,
  ],

  // Scope: one user, one account, "everyone else is fine" is a bug, not an incident.
  [
    'bug',
    2.5,
    `(?:only |just )?(?:one|a single|a specific|a particular|this one|one specific) (?:customer|user|client|account|person|partner|merchant|tenant)s?|one of (?:our|the|my) (?:users|customers|clients)|(?:only|just) (?:me|for me|my account|this account|one)|(?:everyone|everybody|all the) (?:else|others)|(?:others|other users|other customers|the rest) (?:${W}{0,1})(?:are|is|seem|work|works) (?:fine|ok|okay)|works for (?:others|everyone else)`,
  ],
  [
    'incident',
    -4,
    `(?:only |just )?(?:one|a single|a specific|a particular|one specific) (?:customer|user|client|account|person|merchant|tenant)s?|one of (?:our|the|my) (?:users|customers|clients)|(?:only|just) (?:me|for me|my account|this account)|(?:everyone|everybody) else|(?:others|other users|other customers|the rest) (?:${W}{0,1})(?:are|is|seem|work|works) (?:fine|ok|okay)|works for (?:others|everyone else)`,
  ],

  // "the percentages add up to 101%": arithmetic, not a request to add something.
  ['feature', -2.5, 'adds? up to'],
  // Everything of one kind at once is the scope of an outage ("all android users", "all quotes show …").
  [
    'incident',
    3,
    `all (?:${W}{0,1})(?:users|customers|clients)|all (?:the )?(?:balances|quotes|prices|dashboards|portfolios|orders|accounts|transactions) (?:are|show|say|look|were|have)`,
  ],
  // A session timeout is a product setting, not a service timing out.
  ['incident', -3.5, 'session timeouts?'],
  // "how many users open X": a count to measure, not the scope of an outage.
  ['incident', -3.5, `how many (?:${W}{0,1})(?:users|people|customers|clients)`],

  // Everyday symptom phrasing with no bug word: a state that is not what it should be.
  [
    'bug',
    2,
    `(?:wasnt|werent|hasnt|havent|didnt|never got|never been) (?:${W}{0,1})(?:paid|credited|applied|sent|delivered|updated|saved|refunded|charged|executed|processed|shown|counted|included|arrive|work|load|show|update|save|apply|fire|trigger|go through)|stopped (?:arriving|showing|loading|updating|syncing|saving|sending|triggering|firing)|for no reason|says (?:${W}{0,2})(?:success|successful|done|sent|completed|expired|invalid|error) (?:but|even)|(?:comes?|came|pops?) (?:back|up) (?:on|every|after|again|even)|greyed out|grayed out|blurry|pixelated|(?:an? |the )?empty (?:file|list|pdf|csv|screen|page|response|body|email)|leaves? (?:${W}{0,3})behind|(?:is|are|was|were) (?:${W}{0,1})(?:off|wrong|missing|empty|gone|blank|stuck)|(?:shows?|says|displays?|lists?|reads|opens|returns) (?:${W}{0,3})(?:wrong|another|other users|yesterdays|old|the old|english|the same)`,
  ],

  // ── Cross-Project Change ────────────────────────────────────────────────
  [
    'cross_project',
    5,
    `change (?:the |our )?api|api contract|update (?:the )?shared (?:design )?tokens|shared (?:design )?tokens|design tokens?|breaking (?:api )?changes?|cross.?project|data model (?:change|migration)|schema (?:change|migration)|shared dependency|dependency upgrade`,
  ],
  [
    'cross_project',
    3.5,
    `contract|(?:color|colour|spacing|font|typography|radius|elevation|shadow|palette|brand|theme|icon|motion|dark palette|new) tokens?|tokens (?:from|for|in) (?:the )?(?:design|figma)|design system|ui kit|component library|shared (?:ui|components?|library|package|config|lib|auth library|openapi spec|graphql schema|schema|types|models?)|typography scale|(?:color|colour) palette|brand colou?rs|icon set`,
  ],
  [
    'cross_project',
    3.5,
    `(?:change|changing|changes|rename|renaming|modify|modifying|alter|version|versioning|deprecate|deprecating|retire|retiring|remove|removing|drop|dropping|unify|normali[sz]e|split|merge|move|moving|migrate|migrating|serialize|serialized) (?:${W}{0,5})(?:api|apis|endpoints?|response|responses|payload|payloads|schema|contract|fields?|table|tables|column|columns|model|models|header|headers|openapi|graphql|protos?|protobuf|grpc|format|error codes|params|precision)`,
  ],
  [
    'cross_project',
    3.5,
    `response (?:shape|format)|payload (?:shape|format)|error format|error codes|api response|response format|request format|(?:required|new) (?:field|header|param|column)|protobuf|proto definitions|openapi|swagger|grpc|rest to|graphql schema|api version|v\\d (?:endpoint|api)|backwards? compat(?:ible|ibility)?`,
  ],
  [
    'cross_project',
    3.5,
    `(?:across|in|for) (?:all|every|both|each) (?:our |the |of the )?(?:apps?|projects?|services?|repos?|repositories|clients|platforms|teams|products|frontends|backends|tables|consumers|codebases)|everywhere|across (?:web|mobile|all|every|the board|projects|apps|services|repos|platforms)|all (?:clients|consumers|apps|projects|services|repos|frontends|products|our apis|the apps)|every (?:repo|service|project|app|client|endpoint|product|backend service|table)|both (?:apps|mobile apps|clients|platforms)`,
  ],
  [
    'cross_project',
    3.5,
    `consumers?|consumed by|clients (?:must|need|have to|affected|will|should)|(?:all|every) clients? (?:affected|must|need)|downstream|coordinate|coordinated|coordinating|coordination|all affected`,
  ],
  [
    'cross_project',
    3,
    `(?:data model|schema|db schema|database schema|data schema)|(?:migrate|migration|migrating) (?:${W}{0,4})(?:table|tables|schema|column|columns|model|from \\w+ to|to uuid|to decimal)|(?:\\w+ )?table (?:into|to|from)|(?:add|drop|rename) (?:a |the )?column`,
  ],
  [
    'cross_project',
    3,
    `(?:upgrade|upgrading|bump|bumping|replace|replacing|swap|swapping|switch|switching|move|moving|migrate) (?:${W}{0,4})(?:across|in all|in every|everywhere|all (?:repos|projects|services|apps)|both apps|every repo)|(?:upgrade|bump|bumping|upgrading) (?:to )?(?:react|react native|node|nodejs|typescript|python|expo|next|nextjs|next.js|postgres|postgresql|lodash|axios|eslint|prettier|the shared|shared|sdk|library|libraries|framework|kotlin|swift|java|go|ruby|rails|django|spring|webpack|vite)`,
  ],
  [
    'cross_project',
    2.5,
    `deprecat\\w*|rename|renaming|(?:from|v?\\d+(?:\\.\\d+)?) (?:to|→) v?\\d+(?:\\.\\d+)?|\\d+ to \\d+|bump|upgrade|upgrading|protos?|sdk|dependency|dependencies|shared|all tables|in all tables|every table`,
  ],
  [
    'cross_project',
    2,
    `(?:web|frontend|site)(?: and | \\+ |, | & )(?:mobile|ios|android|the apps?|apps)|(?:mobile|ios|android|apps?)(?: and | \\+ |, | & )(?:web|frontend)|web, mobile|(?:backend|api)(?: and | \\+ |, )(?:web|mobile|frontend|clients)|(?:quant|functions)(?: and | \\+ |, )|clients|(?:ios|iphone)(?:, | and | \\+ )android`,
  ],
  [
    'feature',
    -1.5,
    `(?:api|apis|endpoints?|schema|contract|tokens?|design system) (?:${W}{0,4})(?:consumed|used|read|depend|parse)`,
  ],

  ['cross_project', 1, 'clients|partners'],
  [
    'cross_project',
    3,
    `all (?:change|need (?:to )?(?:change|update)|affected|depend on (?:it|this)|consume (?:it|this)|read (?:it|them))|(?:replace|replacing|swap|swapping) (?:${W}{0,3})(?:cookie|auth|session|protocol|format|schema|library|client|sdk)`,
  ],

  // ── Compliance Review ───────────────────────────────────────────────────
  [
    'compliance',
    5,
    `audit this|audit|audits|auditing|re.?audit|compliance|compliant|non.?compliant|comply|quarterly (?:review|schedule|audit|check)|dpia|privacy impact`,
  ],
  [
    'compliance',
    4,
    `gdpr|ccpa|cpra|psd2|sca|mifid(?: ii)?|soc ?2|soc 2|iso ?27001|iso 27001|pci(?:.?dss)?|hipaa|dora|ai act|eprivacy|fca|sec rules|regulation|regulations|regulatory|regulator|regulators|legal|lawful|dsar|subject access|right to be forgotten|data protection|privacy (?:review|policy|assessment|notice)`,
  ],
  [
    'compliance',
    3.5,
    `access (?:review|audit)|security (?:review|audit|assessment)|compliance (?:review|check|sign.?off|status)|vendor (?:risk|review|assessment)|risk (?:assessment|review|matrix|analysis)|findings(?: report)?|remediation(?: plan)?|pen ?test|penetration test|disaster recovery|dr drill|rto|rpo|single points? of failure|evidence|quarterly|(?:annual|yearly) (?:review|audit|assessment|check)|q[1-4] (?:review|audit|compliance|privacy)|assess (?:${W}{0,3})risks?|risks? of|who (?:still )?(?:has|have) access|(?:post.?incident|incident) (?:audit|review)|audit (?:${W}{0,4})(?:incident|outage|breach)`,
  ],
  [
    'compliance',
    3,
    `(?:data |log |logs |record |document )?retention (?:policy|policies|period|periods|rules|schedule|limits?|review)|(?:data|log|logs|record|records|document|documents) retention|retention of|how long (?:we|do we|should we) (?:keep|store|retain)|keep (?:${W}{0,3})(?:forever|for \\d+ (?:days|months|years))|retain|data flow (?:map|audit)|where (?:we store|is stored|${W}{0,4}(?:stored|go|goes))|who (?:has|can|could) (?:access|see)|who accesses|access to (?:prod|production)|cookie (?:banner|consent)|trackers?|tracking pixels|privacy|personal data|pii|(?:is|are|do|does) (?:we|our ${W}?) ?(?:compliant|legal|allowed|covered|meet|enforced)|meets? (?:${W}{0,3})requirements|requirements|policy|policies`,
  ],
  [
    'compliance',
    3,
    `review (?:${W}{0,3})(?:iam|secrets|permissions|access|cors|csp|logging|retention|cookie|consent|encryption|policy|policies|tracking|disclosures|data|roles|keys|what data|pii|headers|compliance|setup)|(?:cves?|vulnerabilit\\w*) (?:audit|scan|report)|scan (?:${W}{0,3})(?:cves?|vulnerabilit\\w*)|known cves?|vulnerabilit\\w* scan`,
  ],
  [
    'compliance',
    2,
    'reviews|assess|assessment|risk|risks|check (?:that|our|we|whether|if)|verify (?:that |we )?|encryption|permissions|iam|secrets|sign.?off|consent|cves?',
  ],
  ['compliance', 1.5, 'review'],
  [
    'compliance',
    -1.5,
    '(?:year|month|week) in review|code review|pr review|app (?:store )?review|store review|in review',
  ],
  [
    'compliance',
    3.5,
    `aml|kyc rules|bafin|finra|esma|cnil|data minimi[sz]ation|minimi[sz]ation|under (?:the )?(?:gdpr|ccpa|law|rules|regulation)|is (?:that|this|it) (?:ok|okay|allowed|legal|permitted)|(?:ok|okay|allowed|permitted) under|new (?:${W}{0,1})rules|rules (?:kick in|apply|change)|subprocessors?|sub.processors?`,
  ],
  ['release', -2, 'pre.?release audit|before (?:launch|release|we ship)|audit (?:before|for the)'],
  [
    'incident',
    -3,
    `post.?incident|incident (?:audit|review)|last (?:week|month|quarter)s?|after (?:last|the) ${W}{0,2}(?:incident|breach|exposure)`,
  ],
  ['feature', -2, 'audit log'],
  ['compliance', -4, 'audit log'],

  // ── Scope and frame cues of everyday wording ────────────────────────────
  // How many were hit: hundreds or thousands of people at once is the scope of an incident.
  [
    'incident',
    3,
    `(?:(?:\\d+ )?\\d{3,}|\\d+(?:\\.\\d+)?k|hundreds|thousands|tens of thousands) (?:${W}{0,2})(?:users|customers|people|players|students|drivers|riders|sellers|buyers|merchants|members|patients|guests|subscribers|supporters|donors|accounts|orders|invoices|passengers|parents|employees|citizens|tenants|shops|stores|sessions|devices|households|fans|listeners|learners|clinics|hosts|couriers)`,
  ],
  // A message sent to everyone by mistake, or a job that did not run: production is hit now.
  [
    'incident',
    3.5,
    `(?:went|gone|sent|emailed|mailed|texted|pushed|delivered|blasted|posted) (?:out )?to (?:every|all|everyone|our whole|the whole|the entire|our entire|\\d+)|mass (?:e.?mail|email|sms|text|push|send|mailing)`,
  ],
  [
    'incident',
    3,
    `(?:job|jobs|cron|batch|etl|pipeline|sync|import|backup|backups|run|task|scheduler) (?:${W}{0,2})(?:didnt|did not|never|hasnt|has not|failed to|wont|couldnt) (?:run|finish|finished|complete|completed|start|fire|kick off|get picked up)|(?:never|didnt|did not) (?:get|got) picked up|(?:\\d+ ?(?:h|hrs?|hours?|mins?|minutes?)|hours?|an hour|days?) behind|lag (?:on|of|is|at|hit|over)|(?:kafka|queue|consumer|replication|sync|replica|ingest(?:ion)?) lag`,
  ],
  [
    'incident',
    3,
    `in the (?:last|past) (?:hour|half hour|few (?:minutes|hours)|couple of hours|(?:\\d+|few|twenty|thirty|ten|fifteen) min\\w*)|(?:rejecting|refusing|dropping) (?:${W}{0,1})connections|connection refused|every (?:${W}{0,1})(?:server|servers|store|stores|airport|branch|location|site|shop|clinic|warehouse|driver|player|customer|tenant|merchant|region)|ransom(?:ware)?|malware|files (?:are |were |got )?encrypted|(?:google|bing|search engines?) (?:has |have )?indexed|(?:bucket|buckets|repo|s3|folder|drive|share links?|links?) (?:${W}{0,2})(?:is|are|was|were|made|set to|flipped to|now|went) (?:${W}{0,1})public|still spreading`,
  ],
  // Words that contain "down" but say nothing of an outage.
  ['incident', -5, 'upside down|drop ?downs?|count ?down|scroll(?:s|ed|ing)? down|narrow(?:s|ed|ing)? down'],
  // A product's own button labels ("add to bag broken"): not a request to add something.
  [
    'feature',
    -2.5,
    'add to (?:bag|cart|basket|list|calendar|wallet|favou?rites|home ?screen|playlist|queue|watchlist)',
  ],

  // A capability that does not exist yet, told as a gap, a workaround or lost business.
  [
    'feature',
    2.5,
    `there(?:s| is| are)? no (?:way|option|setting|button|feature|support|ability|view|mode|integration|place)|(?:has|have|had) no (?:${W}{0,1})(?:way|option|setting|button|feature|support|view|mode|integration|history|export|search|filter)|we dont (?:support|integrate|offer an?|have an?)|(?:doesnt|does not|dont|do not) (?:support|integrate with|offer|have an?)|(?:isnt|is not|not) (?:possible|supported)(?: yet| today| at the moment)?|not (?:yet )?available (?:for|in|on|to)`,
  ],
  [
    'feature',
    1.5,
    `by hand|manually|one by one|one at a time|on paper|(?:a |in a |into a )?spreadsheet|separate (?:tool|app|system|module|sheet)|copy.?pasting|copy.?paste|re.?typ(?:e|es|ing)|workaround today|they have to|we have to (?:do|build|copy)`,
  ],
  [
    'feature',
    3,
    `(?:lose|losing|lost|stall(?:ed|ing)?|block(?:s|ed|ing)?|won|win|winning) (?:${W}{0,3})(?:deals?|prospects?|rfps?|tenders?|customers to)|deal.?breakers?|(?:top|#1|1|number one|most|biggest|most common) (?:${W}{0,1})(?:requested|request|requests|ask|asks|complaint|complaints|wish)|every (?:${W}{0,1})(?:customer|prospect|client|rfp) (?:${W}{0,1})(?:asks|wants|needs|requires)|comes up (?:on|in) every|(?:customers?|users?|clients?|people|they|everyone|partners|prospects|buyers|sellers|teachers|agencies) (?:${W}{0,1})keeps? asking (?:for|whether|if|about)|(?:most|top) upvoted|(?:asked|asking|ask) (?:about|for) (?:it|this) (?:since|every|all)`,
  ],

  // A regression named by its version: the version broke something, it is not being shipped.
  [
    'bug',
    3,
    `${NAMED_VERSION}(?:broke|breaks|broken|changed|introduced|made|causes?|caused|loses?|lost|crashes|crashed|throws?|threw|didnt fix|doesnt fix|did not fix|does not fix|removed|stopped|regressed)|${SHIPPED_AND_NOW}|(?:could|did|worked|used to) (?:${W}{0,3})before (?:v?\\d|the|this|our|version|release)`,
  ],
  [
    'release',
    -3,
    `${NAMED_VERSION}(?:broke|breaks|broken|changed|introduced|causes?|caused|loses?|lost|crashes|crashed|throws?|threw|didnt fix|doesnt fix|did not fix|does not fix|regressed)|${SHIPPED_AND_NOW}`,
  ],

  // A field added to an event or payload that other services parse is a change they consume.
  [
    'cross_project',
    3,
    `(?:add|adding|include|including|send|sending|require|requiring|mandatory|new|put) (?:${W}{0,4})(?:to|on|in|into) (?:the |every |all |each |our )?(?:${W}{0,2})(?:events?|payloads?|webhooks?|topics?|messages? (?:on|in) the (?:bus|queue))|(?:message|event|service) bus|every (?:app|service|client|consumer|team|platform)s? (?:has|have|must|needs?|should) to|(?:plugins?|integrations?|partners?|sdks?) (?:${W}{0,2})(?:parse|read|depend on|rely on|break)`,
  ],
  // Documents and questionnaires a reviewer fills in.
  [
    'compliance',
    3.5,
    `ropa|records? of processing|vpat|conformance report|accessibility (?:audit|conformance|statement)|(?:security|vendor|privacy|due diligence) questionnaires?|questionnaires?|data processing (?:agreement|addendum)|dpa|(?:cookie|consent|regulator|ico|cnil|edpb) guidance|guidance (?:from|on|says)|still (?:pass|passes|comply|compliant|valid under)`,
  ],
]);

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
