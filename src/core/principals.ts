// Principals: the IDs that hold roles and act (users, bot users, user groups), and the channels
// runs are posted in. The one place that knows how to tell them apart. Today every principal is a
// Slack ID (users U…/W…, bot users B…, user groups S…, as roles.yml names them); a user behind an
// API token is given an ID in the same scheme. The domain and services are handed these
// predicates, never the ID format.

export interface Principals {
  /** A user group: mentioned, never sent a direct message. */
  isGroup(id: string): boolean;
  /** A person or bot user: may request, act and be sent a direct message. */
  isUser(id: string): boolean;
  /** Anything that may hold a role: a user or a user group. */
  isHolder(id: string): boolean;
}

export const PRINCIPALS: Principals = {
  isGroup: (id) => /^S[A-Z0-9]{2,}$/.test(id),
  isUser: (id) => /^[UWB][A-Z0-9]+$/.test(id),
  isHolder: (id) => /^[UWS][A-Z0-9]{2,}$/.test(id),
};

/** A Slack conversation a run can be posted in: a channel (C…, G… when private) or a DM (D…). */
export const CHANNEL_ID = /^[CGD][A-Z0-9]+$/;
export const isChannelId = (id: string): boolean => CHANNEL_ID.test(id);
