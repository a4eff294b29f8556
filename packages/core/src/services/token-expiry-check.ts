/**
 * The watchdog's token check: `token_expiring` a week before an API token stops working (once per
 * token and expiry), and one `token.expire` audit row when it has. Kept out of watchdog.ts so the
 * tick only calls it.
 */
import type { TokenService } from '../auth/token-service';
import type { AlertService } from './alert-service';

/** How far ahead `token_expiring` is raised. */
export const TOKEN_EXPIRY_WARNING_DAYS = 7;

export function createTokenExpiryCheck(deps: { tokens: TokenService; alerts: AlertService }) {
  return {
    async check(now: Date): Promise<{ expiring: string[]; expired: string[] }> {
      const soon = await deps.tokens.expiringBetween(now, new Date(now.getTime() + TOKEN_EXPIRY_WARNING_DAYS * 86_400_000));
      for (const t of soon) {
        const days = Math.max(0, Math.floor((t.expiresAt!.getTime() - now.getTime()) / 86_400_000));
        await deps.alerts.raise({
          kind: 'token_expiring',
          incidentKey: `token-${t.name}-${t.expiresAt!.toISOString()}`,
          title: `API token "${t.name}" (${t.role}) expires in ${days === 0 ? 'less than a day' : `${days} day${days === 1 ? '' : 's'}`}`,
          text: `It stops working at ${t.expiresAt!.toISOString()}. Create its successor with \`npx reminders token create --name ${t.name}-2 --role ${t.role}\`, hand it over, then revoke this one.`,
          details: { token: t.name, role: t.role, expiresAt: t.expiresAt },
        });
      }
      const expired = await deps.tokens.auditExpired();
      return { expiring: soon.map((t) => t.name), expired };
    },
  };
}

export type TokenExpiryCheck = ReturnType<typeof createTokenExpiryCheck>;
