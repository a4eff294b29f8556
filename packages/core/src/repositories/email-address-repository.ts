/**
 * Addresses delivery feedback knows about (email_addresses, keyed by the lower-cased address):
 * whether one is undeliverable and since when, and the admin's clear when a mentor has fixed
 * their mailbox (written with its audit row in one transaction).
 */
import type { PrismaClient } from '../db/prisma';
import { normalizeAddress } from '../domain/email-address';

export type AddressState = {
  address: string;
  undeliverableAt: Date | null;
  undeliverableReason: string | null;
  hardBounces: number;
  softBounces: number;
  complaints: number;
  lastEventAt: Date | null;
};

export function createEmailAddressRepository(prisma: PrismaClient) {
  return {
    state: (address: string): Promise<AddressState | null> => prisma.emailAddress.findUnique({ where: { address: normalizeAddress(address) } }),

    /**
     * Makes an undeliverable address deliverable again (the counters stay, for the history), with
     * its `email_address.clear` audit row; null when the address is not undeliverable.
     */
    clearUndeliverable: (address: string, actor: string, reason: string | null, now: Date) =>
      prisma.$transaction(async (tx) => {
        const a = normalizeAddress(address);
        const [before] = await tx.$queryRaw<AddressState[]>`
          SELECT address, undeliverable_at AS "undeliverableAt", undeliverable_reason AS "undeliverableReason", hard_bounces AS "hardBounces",
                 soft_bounces AS "softBounces", complaints, last_event_at AS "lastEventAt"
            FROM email_addresses WHERE address = ${a} AND undeliverable_at IS NOT NULL FOR UPDATE`;
        if (!before) return null;
        const after = await tx.emailAddress.update({ where: { address: a }, data: { undeliverableAt: null, undeliverableReason: null, updatedAt: now } });
        const audit = await tx.adminAuditLog.create({
          data: {
            actor,
            action: 'email_address.clear',
            targetType: 'email_address',
            targetId: a,
            before: { undeliverableAt: before.undeliverableAt!.toISOString(), undeliverableReason: before.undeliverableReason },
            after: { undeliverableAt: null },
            reason,
            createdAt: now,
          },
        });
        return { before, after: after as AddressState, auditId: audit.id };
      }),
  };
}

export type EmailAddressRepository = ReturnType<typeof createEmailAddressRepository>;
