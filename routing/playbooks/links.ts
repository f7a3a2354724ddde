// Links between chains (a step that runs as a run of another chain): what every loaded chain
// must agree on. A link names a chain that exists, an entry step of it, steps before that entry
// to record, and no chain may reach itself through links (a run would start itself forever).
import type { Playbook, StepLink } from './schema.ts';

export interface ChainLink {
  from: string;
  step: string;
  stepIndex: number;
  link: StepLink;
}

/** Every link of the chains, in order. */
export function chainLinks(playbooks: readonly Playbook[]): ChainLink[] {
  return playbooks.flatMap((p) =>
    p.steps.flatMap((s, i) => (s.link ? [{ from: p.id, step: s.key, stepIndex: i, link: s.link }] : [])),
  );
}

/**
 * What is wrong with the links of the chains in `only` (all by default), checked against every
 * chain in `playbooks`: one line per problem, naming the chain and the step.
 */
export function linkProblems(playbooks: readonly Playbook[], only?: ReadonlySet<string>): string[] {
  const byId = new Map(playbooks.map((p) => [p.id, p]));
  const problems: string[] = [];
  for (const l of chainLinks(playbooks)) {
    if (only && !only.has(l.from)) continue;
    const where = `${l.from}: steps[${l.stepIndex}].link`;
    const target = byId.get(l.link.chain);
    if (!target) {
      problems.push(`${where}.chain: there is no chain "${l.link.chain}"`);
      continue;
    }
    const keys = target.steps.map((s) => s.key);
    const entry = l.link.entry ? keys.indexOf(l.link.entry) : 0;
    if (entry < 0) problems.push(`${where}.entry: ${target.id} has no step "${l.link.entry}"`);
    for (const k of Object.keys(l.link.record ?? {})) {
      const at = keys.indexOf(k);
      if (at < 0) problems.push(`${where}.record.${k}: ${target.id} has no step "${k}"`);
      else if (entry >= 0 && at >= entry)
        problems.push(`${where}.record.${k}: only steps before the entry (${keys[entry]}) are recorded`);
    }
  }
  for (const cycle of linkCycles(playbooks)) {
    if (only && !cycle.some((c) => only.has(c))) continue;
    problems.push(`links form a cycle: ${[...cycle, cycle[0]].join(' → ')}`);
  }
  return problems;
}

/** Each cycle of chains linking to one another, once (as the chains in order, from the first found). */
export function linkCycles(playbooks: readonly Playbook[]): string[][] {
  const edges = new Map<string, string[]>();
  for (const l of chainLinks(playbooks)) edges.set(l.from, [...(edges.get(l.from) ?? []), l.link.chain]);
  const cycles: string[][] = [];
  const seen = new Set<string>();
  const reported = new Set<string>();
  const visit = (node: string, path: string[]) => {
    const at = path.indexOf(node);
    if (at >= 0) {
      const cycle = path.slice(at);
      const key = [...cycle].sort().join(',');
      if (!reported.has(key)) {
        reported.add(key);
        cycles.push(cycle);
      }
      return;
    }
    if (seen.has(node)) return;
    for (const next of edges.get(node) ?? []) visit(next, [...path, node]);
    seen.add(node);
  };
  for (const p of playbooks) visit(p.id, []);
  return cycles;
}
