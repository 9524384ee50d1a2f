import express, { type Router } from 'express';
import type { Redis } from 'ioredis';
import type { Config, TwilioConfig } from '../../config/index.js';
import type { Logger } from '../../log.js';
import type { Store } from '../../store/index.js';
import type { TicketDeps } from '../../tickets/deps.js';
import { createCallMemory } from './call-memory.js';
import { verifyTwilioSignature } from './signature.js';
import { smsRoutes } from './sms-routes.js';
import { smsStatusRoutes } from './sms-status-route.js';
import { storableForm } from './storable-form.js';
import { voiceRoutes } from './voice-routes.js';
import type { WebhookRoute } from './webhook-route.js';

export interface TwilioRouterDeps {
  config: Pick<Config, 'publicUrl' | 'language' | 'timezone' | 'businessHours'>;
  twilio: Pick<TwilioConfig, 'authToken'>;
  store: Store;
  tickets: TicketDeps;
  /** Keeps each call's caller and partial speech between its webhooks. */
  redis: Redis;
  log: Logger;
  /** Prefix of the Redis keys; a test desk takes one of its own. */
  redisPrefix?: string;
  now?: () => Date;
}

/** Twilio posts a few hundred bytes; an MMS with ten media URLs stays far below this. */
const FORM_LIMIT = '64kb';

/**
 * The Twilio webhooks, mounted at /twilio. Every route is a WebhookRoute registered here behind the
 * form parser and then the signature check (which needs the parsed parameters): a request Twilio did
 * not sign for this URL gets 403 before any handler runs. What passes is made storable (storable-form.ts).
 */
export function createTwilioRouter(deps: TwilioRouterDeps): Router {
  const memory = createCallMemory(deps.redis, deps.redisPrefix ?? 'helpdesk:voice');
  const routes: WebhookRoute[] = [...voiceRoutes({ ...deps, memory }), ...smsRoutes(deps), ...smsStatusRoutes(deps)];
  const form = express.urlencoded({ extended: false, limit: FORM_LIMIT });
  const signed = verifyTwilioSignature({ authToken: deps.twilio.authToken, publicUrl: deps.config.publicUrl });
  const router = express.Router();
  for (const route of routes) router.post(route.path, form, signed, storableForm, (req, res) => route.handle(req, res));
  return router;
}
