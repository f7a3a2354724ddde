// Word patterns shared by the chain rules of lexicon-work.ts and lexicon-scope.ts.

/** One rule before it is compiled: what it signals, its weight, its pattern source. */
export type RuleRow<K extends string> = readonly [K, number, string];

export const W = '(?:[a-z0-9.%]+ )'; // one token and its space, for "up to n words between"

/** A version or release named as the subject of what follows ("release 7.2 changed …"). */
export const NAMED_VERSION = `(?:release|version|build|update|hotfix|patch|v?\\d+(?:\\.\\d+)+) (?:${W}{0,4})`;
/** Something noticed after shipping ("since we deployed", "shipped 6.1 and now …"). */
export const SHIPPED_AND_NOW = `(?:since|after) (?:we )?(?:shipped|released|deployed|updated|upgraded)|(?:shipped|released|deployed) (?:${W}{0,3})(?:and|but) now`;
