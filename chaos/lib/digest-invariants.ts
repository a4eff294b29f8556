/**
 * The digest outbox's promises (issue 16), checked after an iteration whose programme delivers
 * digests, against the rows and against what the SMTP server accepted:
 *  - every reminder whose preference was `digest` is linked to a mentor digest of its mentor and
 *    programme that was sent, and its e-mail status is `sent`; every escalated one whose
 *    coordinator has an address is linked to a sent coordinator digest of its coordinator, and its
 *    coordinator copy is `sent` (nothing left out, nothing left waiting);
 *  - every sent digest reached the SMTP server, and each copy lists exactly the reminders linked
 *    to it (the /assignments/<id> links in the message against the rows), addressed to its
 *    recipient; no assignment is listed by two mentor (or two coordinator) digests;
 *  - one copy per Message-ID, except the documented window: a digest that the killed worker had
 *    claimed and the server had accepted before the worker could mark it (at most its lanes,
 *    SMTP_MAX_CONNECTIONS, per kill) may come once more with the same Message-ID after its lease.
 *    Those are counted apart ("re-sent"); any other extra copy is a duplicate.
 */
import type { AcceptedMessage } from './smtp-switch';
import type { World } from './world';

export type DigestFigures = {
  /** Digest rows by kind. */
  mentorDigests: number;
  coordinatorDigests: number;
  /** Reminder copies listed (mentor + coordinator) by the sent digests. */
  items: number;
  /** Messages with a digest Message-ID the SMTP server accepted (every copy). */
  messages: number;
  /** Extra copies beyond one per Message-ID that the window explains (re-sent after a kill). */
  resent: number;
  /** Extra copies nothing explains. */
  duplicates: number;
  /** Reminder copies in no sent digest. */
  leftOut: number;
  /** SIGKILLs of a worker while the digest outbox was sending, and those that landed mid-send. */
  kills: number;
  midSendKills: number;
  /** The most the window allows: kills x SMTP_MAX_CONNECTIONS. */
  bound: number;
  /** The most digests one victim had accepted and unmarked at its kill (each may come twice), and SMTP_MAX_CONNECTIONS. */
  mostPerKill: number;
  perKillBound: number;
  problems: string[];
};

type DigestRow = { id: number; key: string; kind: string; status: string; recipient_id: number; programme_id: number; part: number; attempts: number; last_error: string | null; recipient_email: string | null };
type ReminderRow = {
  id: number; assignment_id: number; escalated: boolean; pref: string | null; es: string; ces: string;
  mentor_digest_id: number | null; coordinator_digest_id: number | null; peer_mentor_id: number; coordinator_id: number | null; programme_id: number; coordinator_email: string | null;
};

/** The text of every leaf part of a MIME message, decoded (base64, quoted-printable, 7/8bit). */
export function mimeTexts(raw: string): string[] {
  const split = (s: string) => {
    const i = s.search(/\r?\n\r?\n/);
    return i < 0 ? { head: s, body: '' } : { head: s.slice(0, i), body: s.slice(i).replace(/^\r?\n\r?\n/, '') };
  };
  const { head, body } = split(raw);
  const headers = head.replace(/\r?\n[ \t]+/g, ' ');
  const type = /^Content-Type:\s*([^;\r\n]+)(.*)$/im.exec(headers);
  const boundary = type && /boundary="?([^";\r\n]+)"?/i.exec(type[2] ?? '')?.[1];
  if (type && /^multipart\//i.test(type[1]!.trim()) && boundary) {
    const parts = body.split(`--${boundary}`).slice(1);
    return parts.filter((p) => !p.startsWith('--')).flatMap((p) => mimeTexts(p.replace(/^\r?\n/, '')));
  }
  const encoding = /^Content-Transfer-Encoding:\s*(\S+)/im.exec(headers)?.[1]?.toLowerCase();
  if (encoding === 'base64') return [Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8')];
  if (encoding === 'quoted-printable') {
    const bytes = body.replace(/=\r?\n/g, '').replace(/=([0-9A-Fa-f]{2})/g, (_s, hex: string) => String.fromCharCode(parseInt(hex, 16)));
    return [Buffer.from(bytes, 'latin1').toString('utf8')];
  }
  return [body];
}

/** The assignment ids a message links to (`<appBaseUrl>/assignments/<id>`), once each. */
export function linkedAssignments(m: AcceptedMessage, appBaseUrl: string): number[] {
  const re = new RegExp(`${appBaseUrl.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}/assignments/(\\d+)`, 'g');
  const ids = new Set<number>();
  for (const text of mimeTexts(m.raw)) for (const x of text.matchAll(re)) ids.add(Number(x[1]));
  return [...ids].sort((a, b) => a - b);
}

const messageIdOf = (key: string) => `<${key}@follow-up-reminders>`;
const same = (a: number[], b: number[]) => a.length === b.length && a.every((x, i) => x === b[i]);
const show = (xs: number[]) => (xs.length > 12 ? `${xs.slice(0, 12).join(',')},... (${xs.length})` : xs.join(','));

export async function checkDigests(w: World): Promise<DigestFigures> {
  const smtp = w.smtp!;
  const problems: string[] = [];
  const problem = (s: string) => {
    if (problems.length < 40) problems.push(s);
    else if (problems.length === 40) problems.push('... (more problems left off)');
  };
  const digests = await w.prisma.$queryRaw<DigestRow[]>`
    SELECT d.id, d.digest_key AS key, d.kind::text AS kind, d.status::text AS status, d.recipient_id, d.programme_id, d.part, d.attempts, d.last_error,
           COALESCE(pm.email, co.email) AS recipient_email
      FROM digests d
      LEFT JOIN peer_mentors pm ON d.recipient_type = 'peer_mentor' AND pm.id = d.recipient_id
      LEFT JOIN coordinators co ON d.recipient_type = 'coordinator' AND co.id = d.recipient_id
     ORDER BY d.id`;
  const reminders = await w.prisma.$queryRaw<ReminderRow[]>`
    SELECT r.id, r.assignment_id, r.escalated, r.preference_applied::text AS pref, r.email_status::text AS es, r.coordinator_email_status::text AS ces,
           r.mentor_digest_id, r.coordinator_digest_id, a.peer_mentor_id, a.coordinator_id, a.programme_id, co.email AS coordinator_email
      FROM reminders r JOIN assignments a ON a.id = r.assignment_id LEFT JOIN coordinators co ON co.id = a.coordinator_id
     ORDER BY r.id`;
  const byId = new Map(digests.map((d) => [d.id, d]));
  const byMessageId = new Map(digests.map((d) => [messageIdOf(d.key), d]));

  // Nothing left out: every copy waiting for a digest is in one that was sent, and marked so.
  let leftOut = 0;
  const linked = new Map<number, number[]>();
  const link = (digestId: number, assignmentId: number) => linked.set(digestId, [...(linked.get(digestId) ?? []), assignmentId]);
  for (const r of reminders) {
    if (r.mentor_digest_id !== null) link(r.mentor_digest_id, r.assignment_id);
    if (r.coordinator_digest_id !== null) link(r.coordinator_digest_id, r.assignment_id);
    if (r.pref === 'digest') {
      const d = r.mentor_digest_id === null ? undefined : byId.get(r.mentor_digest_id);
      const why =
        !d ? 'in no mentor digest'
        : d.kind !== 'mentor' || d.recipient_id !== r.peer_mentor_id || d.programme_id !== r.programme_id ? `linked to ${d.key}, not a digest of its mentor ${r.peer_mentor_id}`
        : d.status !== 'sent' ? `its digest ${d.key} is ${d.status} (attempts ${d.attempts}${d.last_error ? `, ${d.last_error}` : ''})`
        : r.es !== 'sent' ? `its digest ${d.key} was sent but its e-mail status is ${r.es}`
        : null;
      if (why) {
        leftOut += 1;
        problem(`reminder ${r.id} (assignment ${r.assignment_id}, preference digest) left out: ${why}`);
      }
    } else if (r.mentor_digest_id !== null) problem(`reminder ${r.id} (preference ${r.pref}) is linked to mentor digest ${byId.get(r.mentor_digest_id)?.key}`);
    const coordinatorCopy = r.escalated && r.coordinator_id !== null && r.coordinator_email !== null;
    if (coordinatorCopy) {
      const d = r.coordinator_digest_id === null ? undefined : byId.get(r.coordinator_digest_id);
      const why =
        !d ? `in no coordinator digest (coordinator copy ${r.ces})`
        : d.kind !== 'coordinator' || d.recipient_id !== r.coordinator_id || d.programme_id !== r.programme_id ? `linked to ${d.key}, not a digest of its coordinator ${r.coordinator_id}`
        : d.status !== 'sent' ? `its coordinator digest ${d.key} is ${d.status} (attempts ${d.attempts}${d.last_error ? `, ${d.last_error}` : ''})`
        : r.ces !== 'sent' ? `its coordinator digest ${d.key} was sent but the coordinator copy is ${r.ces}`
        : null;
      if (why) {
        leftOut += 1;
        problem(`escalated reminder ${r.id} (assignment ${r.assignment_id}) left out of the coordinator's digests: ${why}`);
      }
    } else if (r.coordinator_digest_id !== null) problem(`reminder ${r.id} (not escalated, or no coordinator address) is linked to coordinator digest ${byId.get(r.coordinator_digest_id)?.key}`);
  }

  // The window: per kill, the digests the victim had claimed that the server had accepted.
  const maxConnections = w.config.smtpMaxConnections;
  const allowance = new Map<string, number>();
  let midSendKills = 0;
  for (const k of w.digestKills) {
    if (k.acceptedUnmarked.length > 0) midSendKills += 1;
    if (k.acceptedUnmarked.length > maxConnections) {
      problem(`kill of ${k.worker}: ${k.acceptedUnmarked.length} digests accepted by the server and unmarked, more than its ${maxConnections} connections can have in flight (${k.acceptedUnmarked.join(', ')})`);
    }
    for (const id of k.acceptedUnmarked) allowance.set(id, (allowance.get(id) ?? 0) + 1);
  }

  // Copies per Message-ID; what each lists, to whom.
  const copies = new Map<string, AcceptedMessage[]>();
  for (const m of smtp.messages) {
    // Per-reminder e-mails (delivery `each`, Message-ID <a<assignment>-<anchor>-<n>@...>) are the other outbox's: checked in invariants.ts.
    if (/^<a\d+-\d{8}-\d+@follow-up-reminders>$/.test(m.messageId)) continue;
    if (!byMessageId.has(m.messageId)) {
      problem(`the server accepted ${m.messageId} (to ${m.to.join(', ')}), which is no digest`);
      continue;
    }
    copies.set(m.messageId, [...(copies.get(m.messageId) ?? []), m]);
  }
  let messages = 0;
  let resent = 0;
  let duplicates = 0;
  let items = 0;
  const listedBy = new Map<string, Set<string>>();
  const appBaseUrl = w.config.links.appBaseUrl;
  for (const d of digests) {
    const mid = messageIdOf(d.key);
    const got = copies.get(mid) ?? [];
    messages += got.length;
    if (d.status === 'sent' && got.length === 0) problem(`digest ${d.key} is marked sent but the server never accepted it`);
    if (d.status !== 'sent' && got.length > 0) problem(`digest ${d.key} is ${d.status} but the server accepted it ${got.length} time(s)`);
    if (d.status === 'pending' || d.status === 'failed') problem(`digest ${d.key} ended ${d.status} (attempts ${d.attempts}${d.last_error ? `, ${d.last_error}` : ''})`);
    const extra = Math.max(0, got.length - 1);
    const explained = Math.min(extra, allowance.get(mid) ?? 0);
    resent += explained;
    duplicates += extra - explained;
    if (extra > explained) problem(`digest ${d.key} accepted ${got.length} times; the window explains ${1 + explained}`);
    const rows = [...(linked.get(d.id) ?? [])].sort((a, b) => a - b);
    if (d.status === 'sent') items += rows.length;
    for (const [i, m] of got.entries()) {
      const listed = linkedAssignments(m, appBaseUrl);
      if (!same(listed, rows)) problem(`digest ${d.key} copy ${i + 1} lists assignments ${show(listed)}; its rows link ${show(rows)}`);
      if (d.recipient_email && (m.to.length !== 1 || m.to[0]!.toLowerCase() !== d.recipient_email.toLowerCase())) problem(`digest ${d.key} copy ${i + 1} went to ${m.to.join(', ')}, not ${d.recipient_email}`);
      for (const a of listed) {
        const k = `${d.kind}:${a}`;
        listedBy.set(k, (listedBy.get(k) ?? new Set()).add(d.key));
      }
    }
  }
  for (const [k, keys] of listedBy) if (keys.size > 1) problem(`assignment ${k.split(':')[1]} is listed by ${keys.size} ${k.split(':')[0]} digests: ${[...keys].join(', ')}`);
  const bound = w.digestKills.length * maxConnections;
  if (resent > bound) problem(`${resent} digests re-sent after kills, more than ${w.digestKills.length} kill(s) x SMTP_MAX_CONNECTIONS ${maxConnections}`);

  return {
    mentorDigests: digests.filter((d) => d.kind === 'mentor').length,
    coordinatorDigests: digests.filter((d) => d.kind === 'coordinator').length,
    items,
    messages,
    resent,
    duplicates,
    leftOut,
    kills: w.digestKills.length,
    midSendKills,
    bound,
    mostPerKill: Math.max(0, ...w.digestKills.map((k) => k.acceptedUnmarked.length)),
    perKillBound: maxConnections,
    problems,
  };
}
