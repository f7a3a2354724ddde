// Chain rules, part two: Cross-Project Change, Compliance Review and the scope and frame cues of
// everyday wording (see lexicon.ts).

import { NAMED_VERSION, type RuleRow, SHIPPED_AND_NOW, W } from './lexicon-words.ts';
import type { ChainId } from './types.ts';

export const SCOPE_ROWS: readonly RuleRow<ChainId>[] = [
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
];
