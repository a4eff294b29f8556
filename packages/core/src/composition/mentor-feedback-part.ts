/**
 * The mentor's preferences, the one-click unsubscribe and delivery feedback (issue 16), over the
 * core's database. The API builds it; the worker composes its own UnsubscribeLinks for the
 * e-mails' List-Unsubscribe headers from the same signing key.
 */
import { createDeliveryEventRepository } from '../repositories/delivery-event-repository';
import { createEmailAddressRepository } from '../repositories/email-address-repository';
import { createMentorPreferenceRepository } from '../repositories/mentor-preference-repository';
import { createDeliveryEventService } from '../services/delivery-event-service';
import { createPreferenceService } from '../services/preference-service';
import { createUnsubscribeService } from '../services/unsubscribe-service';
import type { Core } from './core';

export function createMentorFeedbackPart(core: Core) {
  const { config, clock, prisma } = core;
  const addresses = createEmailAddressRepository(prisma);
  const preferences = createMentorPreferenceRepository(prisma);
  const events = createDeliveryEventRepository(prisma);
  return {
    repositories: { emailAddresses: addresses, mentorPreferences: preferences, deliveryEvents: events },
    preferences: createPreferenceService({ preferences, addresses, clock }),
    unsubscribe: createUnsubscribeService({ prisma, preferences, clock, publicApiUrl: config.links.publicApiUrl, ttlDays: config.links.unsubscribeLinkDays }),
    deliveryEvents: createDeliveryEventService({ events, addresses, clock, emailMaxAttempts: config.emailMaxAttempts }),
  };
}

export type MentorFeedbackPart = ReturnType<typeof createMentorFeedbackPart>;
