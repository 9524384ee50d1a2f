import type { Request, Response } from 'express';
import type { Config } from '../../config/index.js';
import { AppError } from '../../errors.js';
import type { Logger } from '../../log.js';
import type { Store } from '../../store/index.js';
import type { TicketDeps } from '../../tickets/deps.js';
import type { CallMemory } from './call-memory.js';
import { VOICE_HOOKS, callInput, decodeState, runStep, type CallFacts, type CallHook } from './ivr.js';
import { openNowClock } from './open-now.js';
import { createVoiceDesk } from './voice-desk.js';
import { createVoiceEffects } from './voice-effects.js';
import { formOf, param, sendTwiml, type WebhookRoute } from './webhook-route.js';

export interface VoiceRouteDeps {
  config: Pick<Config, 'language' | 'timezone' | 'businessHours'>;
  store: Store;
  tickets: TicketDeps;
  memory: CallMemory;
  log: Logger;
  now?: () => Date;
}

/**
 * The voice webhooks: the edge of the pure menu in ivr.ts. Each request decodes the call's state
 * from its (signed) query, runs the step function to its answer while fulfilling the facts it asks
 * for, carries out the answer's effects, then answers the TwiML. Effects run before the answer is
 * sent so that, once Twilio has heard back, the ticket, the text and the call's memory exist.
 */
export function voiceRoutes(deps: VoiceRouteDeps): WebhookRoute[] {
  const desk = createVoiceDesk(deps);
  const effects = createVoiceEffects(deps);
  const openNow = openNowClock({ timezone: deps.config.timezone, hours: deps.config.businessHours, holidays: [] }, deps.now);

  async function answer(hook: CallHook, req: Request, res: Response): Promise<void> {
    const form = formOf(req);
    const input = callInput(hook, form);
    if (input.CallSid === '') throw new AppError('VALIDATION_FAILED', 'CallSid is missing', { field: 'CallSid' });
    const state = decodeState(req.query);
    const parties = { from: input.From ?? null, to: param(form, 'To') ?? null };
    const facts: CallFacts = { defaultLanguage: deps.config.language, openNow: openNow() };
    const result = await runStep(state, input, facts, (need, current) => desk.fulfil(need, current, input.CallSid, parties));
    await effects.applyAll(result.effects);
    sendTwiml(res, result.twiml);
  }

  return [
    { path: '/voice', handle: (req, res) => answer('start', req, res) },
    // Before /voice/:hook, which would otherwise take `status` for a hook name.
    { path: '/voice/status', handle: (req, res) => answer('call-status', req, res) },
    {
      path: '/voice/:hook',
      handle: async (req, res) => {
        const hook = req.params.hook;
        if (typeof hook !== 'string' || !(VOICE_HOOKS as readonly string[]).includes(hook)) {
          throw new AppError('NOT_FOUND', `no voice hook ${String(hook)}`);
        }
        await answer(hook as CallHook, req, res);
      },
    },
  ];
}
