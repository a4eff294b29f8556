/**
 * The links messages carry instead of data (issue 16): into the mentors' app (APP_BASE_URL) and
 * the mentor's signed one-click unsubscribe link (PUBLIC_API_URL), with the RFC 8058 headers.
 */
export type MessageLinkDeps = {
  appBaseUrl: string;
  unsubscribe: { urlFor(mentorId: number): Promise<string> };
};

export function messageLinks(deps: MessageLinkDeps) {
  return {
    assignmentUrl: (assignmentId: number) => `${deps.appBaseUrl}/assignments/${assignmentId}`,
    mentorUrl: (mentorId: number) => `${deps.appBaseUrl}/peer-mentors/${mentorId}`,
    preferencesUrl: () => `${deps.appBaseUrl}/settings/notifications`,
    unsubscribeUrl: (mentorId: number) => deps.unsubscribe.urlFor(mentorId),
  };
}

export type MessageLinks = ReturnType<typeof messageLinks>;

/** RFC 8058: a mail client may POST `List-Unsubscribe=One-Click` to the URL, without a login. */
export function unsubscribeHeaders(unsubscribeUrl: string): Record<string, string> {
  return { 'List-Unsubscribe': `<${unsubscribeUrl}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' };
}
