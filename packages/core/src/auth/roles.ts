/**
 * API token roles and what each may do. Roles are ordered service < viewer < operator < admin,
 * except that `service` may only register activities (and `viewer` may not): routes name the
 * access they need from `ACCESS`, never a single minimum role.
 */
export const ROLES = ['service', 'viewer', 'operator', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export const isRole = (s: string): s is Role => (ROLES as readonly string[]).includes(s);

/** The role sets routes are guarded with. */
export const ACCESS = Object.freeze({
  /** Register activities (single and bulk). */
  registerActivities: Object.freeze(['service', 'admin'] as const),
  /** Read status, runs and assignments. */
  read: Object.freeze(['viewer', 'operator', 'admin'] as const),
  /** Trigger, pause and resume the sweep. */
  operate: Object.freeze(['operator', 'admin'] as const),
  /** Read a peer mentor's preferences: the mentor's app (service) too (issue 16). */
  readMentorPreferences: Object.freeze(['service', 'viewer', 'operator', 'admin'] as const),
  /** Change a peer mentor's preferences: the mentor's app, operators and admins. */
  changeMentorPreferences: Object.freeze(['service', 'operator', 'admin'] as const),
  /** Report bounces and complaints (the mail provider's webhook relay). */
  reportDeliveryEvents: Object.freeze(['service', 'admin'] as const),
  /** Register and cancel a mentor's absences, snooze assignments: the mentor's app, coordinators, admins. */
  away: Object.freeze(['service', 'operator', 'admin'] as const),
  /** Read a mentor's absences: readers and the mentor's app. */
  readAway: Object.freeze(['service', 'viewer', 'operator', 'admin'] as const),
  /** Corrections, lock release, tokens. */
  admin: Object.freeze(['admin'] as const),
});

export type AccessSet = readonly Role[];
