/** The e-mail channel (nodemailer over SMTP_URL). Absent when SMTP_URL is not set. */
import nodemailer from 'nodemailer';

export type EmailMessage = { to: string; cc?: string | null; subject: string; text: string; messageId?: string };

export type EmailChannel = {
  send(message: EmailMessage): Promise<void>;
  close(): void;
};

export function createEmailChannel(deps: { smtpUrl: string; from: string }): EmailChannel {
  const transport = nodemailer.createTransport(deps.smtpUrl, { from: deps.from });
  return {
    async send(m) {
      await transport.sendMail({
        from: deps.from,
        to: m.to,
        cc: m.cc ?? undefined,
        subject: m.subject,
        text: m.text,
        // A stable Message-ID lets receiving servers drop a copy re-sent after a crash mid-delivery.
        messageId: m.messageId,
      });
    },
    close: () => transport.close(),
  };
}
