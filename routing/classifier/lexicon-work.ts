// Chain rules, part one: New Feature, Bug Fix, Release and Incident Response (see lexicon.ts).

import { type RuleRow, W } from './lexicon-words.ts';
import type { ChainId } from './types.ts';

export const WORK_ROWS: readonly RuleRow<ChainId>[] = [
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
];
