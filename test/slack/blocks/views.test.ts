import type { ModalView } from '@slack/types';
import { describe, expect, it } from 'vitest';
import { classify } from '../../../routing/classifier/index.ts';
import type { Run, Step } from '../../../src/domain/types.ts';
import {
  buildAppHome,
  buildBlockModal,
  buildChooseChainMessage,
  buildDeclareIncidentModal,
  buildHelp,
  buildMineList,
  buildReassignModal,
  buildRefusal,
  buildRejectModal,
  buildRolesList,
  buildSkipModal,
  buildStepDoneModal,
  buildUnblockModal,
} from '../../../src/slack/blocks/index.ts';
import { ACTION, BLOCK, CALLBACK, encodeStepRef, parseChainChoice } from '../../../src/slack/ids.ts';
import { METRICS, playbook, startedRun } from './fixtures.ts';
import { actionElements, allText, messageProblems, viewProblems } from './slack-limits.ts';

type Json = Record<string, unknown>;
const inputIds = (v: ModalView) => v.blocks.filter((b) => b.type === 'input').map((b) => b.block_id);
const input = (v: ModalView, id: string) =>
  v.blocks.find((b) => b.block_id === id) as unknown as Json & { element: Json; optional: boolean };

const huge = 'word '.repeat(9_000);
const expectValid = (v: ModalView) => expect(viewProblems(v as unknown as Json), v.callback_id).toEqual([]);
const stepModals = (run: Run, step: Step) => [
  buildStepDoneModal(run, step),
  buildBlockModal(run, step),
  buildRejectModal(run, step),
  buildSkipModal(run, step),
  buildUnblockModal(run, step),
  buildReassignModal(run, step),
];

describe('step modals', () => {
  const { run } = startedRun({ chain: 'incident', severity: 'sev2' });
  const assess = run.steps.find((s) => s.key === 'assess_severity')!;
  const breach = run.steps.find((s) => s.key === 'breach_assessment')!;

  it('when a step collects facts, then the done modal asks for them with the playbook options', () => {
    const v = buildStepDoneModal(run, assess, playbook('incident'));
    expect(viewProblems(v as unknown as Json)).toEqual([]);
    expect(v.callback_id).toBe(CALLBACK.stepDoneModal);
    expect(v.private_metadata).toBe(encodeStepRef(run.id, 'assess_severity'));
    expect(inputIds(v)).toEqual([BLOCK.output, BLOCK.severity]);
    const sev = input(v, BLOCK.severity).element as {
      options: { value: string }[];
      initial_option?: { value: string };
    };
    expect(sev.options.map((o) => o.value)).toEqual(['sev1', 'sev2', 'sev3']);
    expect(sev.initial_option?.value).toBe('sev2');
    expect(input(v, BLOCK.output).optional).toBe(false);
    expect(
      buildStepDoneModal(run, breach, playbook('incident')).blocks.some(
        (b) => b.block_id === BLOCK.userDataExposed,
      ),
    ).toBe(true);
  });

  it('when the step has a gate, then block, reject, skip and unblock modals say so and stay valid', () => {
    const { run: f } = startedRun();
    const step = f.steps.find((s) => s.key === 'technical_feasibility')!;
    for (const v of stepModals(f, step)) {
      expectValid(v);
      expect(v.private_metadata).toBe(encodeStepRef(f.id, step.key));
    }
    expect(allText(buildBlockModal(f, step))).toContain('gate failed');
    expect(inputIds(buildRejectModal(f, step))).toEqual([BLOCK.reason]);
  });

  it('when the risk acceptor lifts an independent block, then a rationale is required', () => {
    const { run: f } = startedRun();
    const step = {
      ...f.steps[6]!,
      status: 'blocked' as const,
      blockReason: huge,
      blockedBy: 'UPRIVACY',
      blockedByRole: 'Privacy',
    };
    const v = buildUnblockModal(f, step, { riskAcceptance: true, riskAcceptor: 'Ghabs' });
    expect(viewProblems(v as unknown as Json)).toEqual([]);
    expect(input(v, BLOCK.rationale).optional).toBe(false);
    expect(allText(v)).toContain('@Privacy');
    expect(input(buildUnblockModal(f, step), BLOCK.rationale).optional).toBe(true);
  });

  it('when the step has several roles, then the reassign modal asks which one and whom', () => {
    const diagnose = { ...run.steps.find((s) => s.key === 'diagnose')! };
    diagnose.assignees = Object.fromEntries(diagnose.owners.map((r) => [r, [`U${r.toUpperCase()}`]]));
    const v = buildReassignModal(run, diagnose);
    expect(viewProblems(v as unknown as Json)).toEqual([]);
    expect(inputIds(v)).toEqual([BLOCK.role, BLOCK.assignees]);
    expect(input(v, BLOCK.assignees).element.type).toBe('multi_users_select');
    const single = buildReassignModal(run, assess);
    expect(inputIds(single)).toEqual([BLOCK.assignees]);
  });

  it('when the run title and step texts are huge, then every modal stays within limits', () => {
    const { run: big } = startedRun({ title: huge, text: huge });
    const step = { ...big.steps[1]!, title: huge, spec: { ...big.steps[1]!.spec, output: huge } };
    stepModals(big, step).forEach(expectValid);
  });
});

describe('buildDeclareIncidentModal', () => {
  it('when declared from a message, then title, description with permalink, severities with definitions, service and user-data radio', () => {
    const permalink = 'https://acme.slack.com/archives/C1/p1700000000000100';
    const v = buildDeclareIncidentModal({
      title: 'Checkout is down',
      description: 'Checkout 500s since 9:00',
      permalink,
      playbook: playbook('incident'),
    });
    expect(viewProblems(v as unknown as Json)).toEqual([]);
    expect(v.callback_id).toBe(CALLBACK.declareIncidentModal);
    expect(inputIds(v)).toEqual([
      BLOCK.title,
      BLOCK.description,
      BLOCK.severity,
      BLOCK.service,
      BLOCK.userData,
    ]);
    expect(input(v, BLOCK.description).element.initial_value).toContain(permalink);
    const sev = input(v, BLOCK.severity).element as {
      options: { value: string; description?: { text: string } }[];
    };
    expect(sev.options.map((o) => o.value)).toEqual(['sev1', 'sev2', 'sev3']);
    expect(sev.options[0]!.description?.text).toContain('Service down');
    expect(input(v, BLOCK.userData).element.type).toBe('radio_buttons');
  });

  it('when the message is 40,000 characters, then the description is shortened and keeps the permalink', () => {
    const permalink = 'https://acme.slack.com/archives/C1/p1700000000000100';
    const v = buildDeclareIncidentModal({
      title: 'x'.repeat(40_000),
      description: 'y'.repeat(40_000),
      permalink,
    });
    expect(viewProblems(v as unknown as Json)).toEqual([]);
    const description = input(v, BLOCK.description).element.initial_value as string;
    expect(description.length).toBeLessThanOrEqual(3000);
    expect(description.endsWith(permalink)).toBe(true);
  });
});

describe('answers and App Home', () => {
  it('when the classifier is unsure, then the best two are buttons first and the others in an overflow', () => {
    const c = classify('the app is slow and we should ship the fix in the next release');
    const m = buildChooseChainMessage({ ...c, choices: ['bug', 'release'] }, 42);
    expect(messageProblems(m)).toEqual([]);
    const els = actionElements(m.blocks);
    expect(els.map((e) => e.type)).toEqual(['button', 'button', 'overflow', 'button']);
    expect(els.slice(0, 2).map((e) => parseChainChoice(e.value as string))).toEqual([
      { pendingId: 42, chain: 'bug' },
      { pendingId: 42, chain: 'release' },
    ]);
    expect(els[0]!.style).toBe('primary');
    const overflow = (els[2]!.options as { value: string }[]).map((o) => parseChainChoice(o.value)?.chain);
    expect(overflow).toEqual(['feature', 'incident', 'cross_project', 'compliance']);
    expect(els.slice(0, 3).every((e) => e.action_id === ACTION.chooseChain)).toBe(true);
    expect(els[3]!.action_id).toBe(ACTION.cancelRequest);
  });

  it('when lists are long, then mine, roles, help, refusal and home stay within limits', () => {
    const { run } = startedRun({ title: huge });
    const items = Array.from({ length: 80 }, () => ({ run, step: run.steps[0]! }));
    expect(messageProblems(buildMineList(items, [playbook('feature')]))).toEqual([]);
    expect(messageProblems(buildMineList([]))).toEqual([]);
    const roles = Array.from({ length: 40 }, (_, i) => ({
      role: `Role${i}`,
      title: 'A title',
      holders: Array.from({ length: 30 }, (_, j) => `U${i}X${j}`),
    }));
    expect(messageProblems(buildRolesList(roles))).toEqual([]);
    expect(
      allText(
        buildRolesList([
          { role: 'Atlas', holders: [] },
          { role: 'Privacy', holders: ['SPRIV'] },
        ]),
      ),
    ).toContain('<!subteam^SPRIV>');
    expect(messageProblems(buildHelp())).toEqual([]);
    expect(allText(buildHelp())).toContain('/lead status');
    expect(messageProblems(buildRefusal(huge))).toEqual([]);
    const runs: Run[] = Array.from({ length: 60 }, () => run);
    const home = buildAppHome({
      waiting: items,
      openRuns: runs,
      metrics: METRICS,
    });
    expect(viewProblems(home as unknown as Json)).toEqual([]);
    expect(allText(home)).toContain('75%');
    expect(allText(home)).toContain('MTTR');
    expect(allText(home)).toContain('SEV1: 30m over 2 incident(s)');
  });
});
