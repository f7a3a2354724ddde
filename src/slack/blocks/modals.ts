// The modals: completing, blocking, unblocking, rejecting, reassigning and skipping a step, and
// declaring an incident from a message. Every input's action_id equals its block_id (BLOCK.*),
// so a submission reads `view.state.values[BLOCK.x][BLOCK.x]`. Step modals carry
// `encodeStepRef(runId, stepKey)` as private_metadata.
import type { InputBlock, InputBlockElement, KnownBlock, ModalView, PlainTextOption } from '@slack/types';
import type { Playbook } from '../../../routing/playbooks/schema.ts';
import {
  BUG_SEVERITIES,
  INCIDENT_SEVERITIES,
  PROJECTS,
  RELEASE_TYPES,
  SEVERITY_LABELS,
} from '../../../routing/vocabulary.ts';
import type { Run, Step } from '../../domain/types.ts';
import { BLOCK, CALLBACK, encodeStepRef } from '../ids.ts';
import { context, fitBlocks, mention, option, plain, quote, section, userText } from './kit.ts';
import { LIMITS, oneLine, truncate } from './limits.ts';
import { severityLabel } from './run.ts';

interface InputOptions {
  optional?: boolean;
  hint?: string;
}

function input(
  blockId: string,
  label: string,
  element: InputBlockElement,
  opts: InputOptions = {},
): InputBlock {
  return {
    type: 'input',
    block_id: blockId,
    label: plain(oneLine(label, LIMITS.inputLabel), LIMITS.inputLabel),
    element,
    optional: opts.optional ?? false,
    ...(opts.hint ? { hint: plain(opts.hint, LIMITS.inputHint) } : {}),
  };
}

function textInput(
  blockId: string,
  label: string,
  opts: InputOptions & {
    multiline?: boolean;
    initial?: string;
    placeholder?: string;
    maxLength?: number;
  } = {},
): InputBlock {
  const maxLength = Math.min(opts.maxLength ?? LIMITS.inputValue, LIMITS.inputValue);
  return input(
    blockId,
    label,
    {
      type: 'plain_text_input',
      action_id: blockId,
      multiline: opts.multiline ?? true,
      max_length: maxLength,
      ...(opts.initial ? { initial_value: truncate(opts.initial, maxLength) } : {}),
      ...(opts.placeholder ? { placeholder: plain(opts.placeholder, LIMITS.placeholder) } : {}),
    },
    opts,
  );
}

function staticSelect(
  blockId: string,
  label: string,
  options: PlainTextOption[],
  opts: InputOptions & { initial?: string | null; placeholder?: string } = {},
): InputBlock {
  const kept = options.slice(0, LIMITS.staticSelectOptions);
  const initial = kept.find((o) => o.value === opts.initial);
  return input(
    blockId,
    label,
    {
      type: 'static_select',
      action_id: blockId,
      options: kept,
      placeholder: plain(opts.placeholder ?? 'Choose…', LIMITS.placeholder),
      ...(initial ? { initial_option: initial } : {}),
    },
    opts,
  );
}

function yesNo(
  blockId: string,
  label: string,
  opts: InputOptions & { initial?: boolean | null } = {},
): InputBlock {
  const options = [option('Yes', 'yes'), option('No', 'no')];
  const initial = opts.initial === true ? options[0] : opts.initial === false ? options[1] : undefined;
  return input(
    blockId,
    label,
    { type: 'radio_buttons', action_id: blockId, options, ...(initial ? { initial_option: initial } : {}) },
    opts,
  );
}

function modal(
  callbackId: string,
  title: string,
  submit: string | null,
  blocks: KnownBlock[],
  privateMetadata: string,
): ModalView {
  return {
    type: 'modal',
    callback_id: callbackId,
    title: plain(oneLine(title, LIMITS.modalTitle), LIMITS.modalTitle),
    ...(submit ? { submit: plain(oneLine(submit, LIMITS.modalButton), LIMITS.modalButton) } : {}),
    close: plain('Cancel'),
    ...(privateMetadata ? { private_metadata: truncate(privateMetadata, LIMITS.privateMetadata) } : {}),
    blocks: fitBlocks(blocks, LIMITS.viewBlocks),
  };
}

/** "*Step 2/9 · Technical Feasibility* (FEAT-3 · Dark mode)". */
function stepHeading(run: Run, step: Step): KnownBlock {
  return section(
    `*Step ${step.idx + 1}/${run.steps.length} · ${userText(oneLine(step.title, 150), 300)}*\n${run.id} · ${userText(oneLine(run.title, 200), 400)}`,
  );
}

function severityOptions(run: Run, playbook?: Playbook | null): PlainTextOption[] {
  const incident = playbook?.severities?.incident;
  const bug = playbook?.severities?.bug;
  if (incident) return incident.map((s) => option(s.label, s.id, s.definition));
  if (bug) return bug.map((s) => option(s.label, s.id, s.response));
  const ids = run.chain === 'incident' ? INCIDENT_SEVERITIES : BUG_SEVERITIES;
  return ids.map((id) => option(severityLabel(id), id));
}

/** Recording a step: its output (required when the playbook expects one) and the facts it collects. */
export function buildStepDoneModal(run: Run, step: Step, playbook?: Playbook | null): ModalView {
  const blocks: KnownBlock[] = [stepHeading(run, step)];
  if (step.spec.gate) {
    blocks.push(context(`Submitting records that the gate passed: _${userText(step.spec.gate.check, 500)}_`));
  }
  blocks.push(
    textInput(BLOCK.output, 'Output', {
      optional: step.spec.output === null,
      ...(step.spec.output ? { hint: `Expected: ${step.spec.output}` } : {}),
      placeholder: step.spec.output
        ? oneLine(step.spec.output, LIMITS.placeholder)
        : 'What was done (optional)',
    }),
  );
  for (const fact of step.spec.collects) {
    if (fact === 'severity') {
      blocks.push(
        staticSelect(BLOCK.severity, 'Severity', severityOptions(run, playbook), { initial: run.severity }),
      );
    } else if (fact === 'projects') {
      const options = PROJECTS.map((p) => option(p, p));
      const initial = options.filter((o) => run.projects.includes(o.value!));
      blocks.push(
        input(
          BLOCK.projects,
          'Affected projects',
          {
            type: 'multi_static_select',
            action_id: BLOCK.projects,
            options,
            placeholder: plain('Choose projects', LIMITS.placeholder),
            ...(initial.length > 0 ? { initial_options: initial } : {}),
          },
          { optional: true },
        ),
      );
    } else if (fact === 'release_type') {
      const types = playbook?.releaseTypes?.types;
      const options = types
        ? types.map((t) => option(t.label, t.id, t.description))
        : RELEASE_TYPES.map((t) => option(t[0]!.toUpperCase() + t.slice(1), t));
      blocks.push(staticSelect(BLOCK.releaseType, 'Release type', options, { initial: run.releaseType }));
    } else if (fact === 'user_data_exposed') {
      const initial = run.context.userDataExposed;
      blocks.push(
        yesNo(BLOCK.userDataExposed, 'Was user data exposed?', {
          initial: typeof initial === 'boolean' ? initial : null,
          hint: 'Yes starts the GDPR Art. 33 72-hour notification clock.',
        }),
      );
    } else if (fact === 'notification_sent') {
      blocks.push(
        yesNo(BLOCK.notificationSent, 'Has the supervisory authority been notified?', { optional: true }),
      );
    }
  }
  return modal(CALLBACK.stepDoneModal, 'Complete step', 'Done', blocks, encodeStepRef(run.id, step.key));
}

/** The answers of the block modal's question on a gated step. */
export const BLOCK_KIND = { gateFailed: 'gate_failed', waiting: 'waiting' } as const;

/**
 * Blocking a step with a reason. On a gated step it asks which it is: the gate failed, or the
 * step is waiting on something and the gate is not judged yet.
 */
export function buildBlockModal(run: Run, step: Step): ModalView {
  const blocks: KnownBlock[] = [stepHeading(run, step)];
  if (step.spec.gate?.canBlock) {
    blocks.push(
      context(`This step's gate: _${userText(step.spec.gate.check, 500)}_`),
      input(
        BLOCK.blockKind,
        'What is the block?',
        {
          type: 'radio_buttons',
          action_id: BLOCK.blockKind,
          options: [
            option('The gate failed', BLOCK_KIND.gateFailed, 'The check was made and it does not pass'),
            option('Waiting on something', BLOCK_KIND.waiting, 'The gate is not judged yet'),
          ],
        },
        { hint: 'The thread says which, so the owners know whether to fix or to wait.' },
      ),
    );
  }
  blocks.push(
    textInput(BLOCK.reason, 'Why is it blocked?', { placeholder: 'What is wrong and what would unblock it' }),
  );
  return modal(CALLBACK.stepBlockModal, 'Block step', 'Block', blocks, encodeStepRef(run.id, step.key));
}

/**
 * Lifting a block. When the block was raised by an independent role (Privacy) and the presser
 * is the risk acceptor (Ghabs), a written rationale is required.
 */
export function buildUnblockModal(
  run: Run,
  step: Step,
  opts: { riskAcceptance?: boolean; riskAcceptor?: string } = {},
): ModalView {
  const by = step.blockedBy
    ? `${mention(step.blockedBy)}${step.blockedByRole ? ` (@${step.blockedByRole})` : ''}`
    : 'someone';
  const blocks: KnownBlock[] = [stepHeading(run, step), section(`Blocked by ${by}:`)];
  if (step.blockReason) blocks.push(section(quote(step.blockReason, 2500)));
  if (opts.riskAcceptance) {
    const role = step.blockedByRole ?? 'the blocking role';
    blocks.push(
      context(
        `This block was raised by @${role}. @${opts.riskAcceptor ?? 'Ghabs'} may lift it by accepting the risk, with a written rationale that is kept in the run's record.`,
      ),
      textInput(BLOCK.rationale, 'Rationale for accepting the risk', {
        placeholder: 'Why the risk is acceptable',
      }),
    );
  } else {
    blocks.push(
      textInput(BLOCK.rationale, 'Note', { optional: true, placeholder: 'What changed (optional)' }),
    );
  }
  return modal(
    CALLBACK.stepUnblockModal,
    opts.riskAcceptance ? 'Accept the risk' : 'Unblock step',
    opts.riskAcceptance ? 'Accept risk' : 'Unblock',
    blocks,
    encodeStepRef(run.id, step.key),
  );
}

/** Rejecting the run at a gate that can reject it. */
export function buildRejectModal(run: Run, step: Step): ModalView {
  const blocks: KnownBlock[] = [stepHeading(run, step)];
  if (step.spec.gate)
    blocks.push(context(`Gate: _${userText(step.spec.gate.check, 500)}_. Rejecting ends ${run.id}.`));
  blocks.push(
    textInput(BLOCK.reason, 'Why is it rejected?', {
      placeholder: 'e.g. infeasible, or misaligned with the roadmap',
    }),
  );
  return modal(CALLBACK.stepRejectModal, 'Reject run', 'Reject', blocks, encodeStepRef(run.id, step.key));
}

/** Overruling an agent's decision on a gate: the reason goes back to the agent. */
export function buildOverruleModal(run: Run, step: Step): ModalView {
  const blocks: KnownBlock[] = [stepHeading(run, step)];
  blocks.push(
    textInput(BLOCK.reason, 'Why is it overruled?', {
      placeholder: 'What the agent should do instead; it is handed the step again with this',
    }),
  );
  return modal(CALLBACK.gateOverruleModal, 'Overrule', 'Overrule', blocks, encodeStepRef(run.id, step.key));
}

/** Handing the step (one of its roles, when it has several) to other people. */
export function buildReassignModal(run: Run, step: Step, opts: { role?: string | null } = {}): ModalView {
  const roles = [...step.owners, ...step.approvers];
  const pending = roles.filter((r) => !step.deliveries[r]);
  const role = opts.role ?? pending[0] ?? roles[0] ?? null;
  const current = role ? (step.assignees[role] ?? []).filter((p) => !p.startsWith('S')) : [];
  const blocks: KnownBlock[] = [stepHeading(run, step)];
  if (roles.length > 1) {
    blocks.push(
      staticSelect(
        BLOCK.role,
        'Which part of the step',
        roles.map((r) => option(`@${r}`, r, step.deliveries[r] ? 'already delivered' : undefined)),
        { initial: role },
      ),
    );
  } else if (role) {
    blocks.push(context(`Role: @${role}`));
  }
  blocks.push(
    input(BLOCK.assignees, 'Hand it to', {
      type: 'multi_users_select',
      action_id: BLOCK.assignees,
      placeholder: plain('Choose people', LIMITS.placeholder),
      ...(current.length > 0 ? { initial_users: current.slice(0, 100) } : {}),
    }),
  );
  return modal(
    CALLBACK.stepReassignModal,
    'Reassign step',
    'Reassign',
    blocks,
    encodeStepRef(run.id, step.key),
  );
}

/** Skipping a step the playbook allows to skip, with a reason. */
export function buildSkipModal(run: Run, step: Step): ModalView {
  const blocks: KnownBlock[] = [
    stepHeading(run, step),
    textInput(BLOCK.reason, 'Why skip it?', { placeholder: 'e.g. backend-only change, no UX involved' }),
  ];
  return modal(CALLBACK.stepSkipModal, 'Skip step', 'Skip', blocks, encodeStepRef(run.id, step.key));
}

/** The SOP's incident levels, used when no playbook is passed. */
const DEFAULT_INCIDENT_SEVERITIES = [
  { id: 'sev1', label: SEVERITY_LABELS.sev1, definition: 'Service down, all users affected' },
  { id: 'sev2', label: SEVERITY_LABELS.sev2, definition: 'Service degraded, partial impact' },
  { id: 'sev3', label: SEVERITY_LABELS.sev3, definition: 'Minor issue, workaround available' },
] satisfies { id: (typeof INCIDENT_SEVERITIES)[number]; label: string; definition: string }[];

/**
 * Declaring an incident from a message: title and description prefilled (the description ends
 * with the message's permalink, kept whatever the message's length), severity, affected
 * service, and whether user data may be exposed.
 */
export function buildDeclareIncidentModal(input_: {
  title: string;
  description: string;
  permalink?: string | null;
  playbook?: Playbook | null;
  privateMetadata?: string;
}): ModalView {
  const levels = input_.playbook?.severities?.incident ?? DEFAULT_INCIDENT_SEVERITIES;
  const link = input_.permalink?.trim() ? `\n\n${input_.permalink.trim()}` : '';
  const description = `${truncate(input_.description.trim(), LIMITS.inputValue - link.length)}${link}`;
  const blocks: KnownBlock[] = [
    textInput(BLOCK.title, 'Title', {
      multiline: false,
      initial: oneLine(input_.title, 150),
      maxLength: 150,
    }),
    textInput(BLOCK.description, 'Description', { initial: description }),
    staticSelect(
      BLOCK.severity,
      'Severity',
      levels.map((l) => option(l.label, l.id, l.definition)),
      { hint: levels.map((l) => `${l.label}: ${l.definition}`).join(' · ') },
    ),
    textInput(BLOCK.service, 'Affected service', {
      multiline: false,
      optional: true,
      maxLength: 150,
      placeholder: 'e.g. checkout API',
    }),
    yesNo(BLOCK.userData, 'May user data be exposed?', {
      hint: 'Yes makes the breach assessment (GDPR Art. 33) mandatory.',
    }),
  ];
  return modal(
    CALLBACK.declareIncidentModal,
    'Declare incident',
    'Declare',
    blocks,
    input_.privateMetadata ?? '',
  );
}
