// Reference relay for a Smart Home skill's AWS Lambda (Node.js 20, no
// dependencies). It forwards the two things linkbroker handles for you to
// POST /alexa/smart-home, authenticated with the skill's OAuth client id and
// secret (the ones in the Alexa console's Account Linking page):
//   - Alexa.Authorization / AcceptGrant: linkbroker exchanges the grant code
//     with your "Send Alexa Events" credentials and keeps the Amazon tokens;
//   - AlexaSkillEvent.* (skill enabled, disabled, account linked, ...).
// Everything else (Discovery, PowerController, ...) goes to your handler.
//
// Environment:
//   LINKBROKER_URL            e.g. https://link.example.com
//   LINKBROKER_CLIENT_ID      the skill's client id at linkbroker
//   LINKBROKER_CLIENT_SECRET  its secret
//   LINKBROKER_TIMEOUT_MS     optional, default 6500: above linkbroker's own
//                             5 s limit for Amazon, below Alexa's 8 s. Set the
//                             Lambda's timeout to 8 s (its default 3 s would
//                             cut the relay off before this fallback answers)
//   AWS_REGION                set by Lambda: us-east-1 -> na, eu-west-1 -> eu,
//                             us-west-2 -> fe (the Alexa region it serves)

import { randomUUID } from 'node:crypto';

const REGIONS = { 'us-east-1': 'na', 'eu-west-1': 'eu', 'us-west-2': 'fe' };

export function isAcceptGrant(event) {
  const header = event?.directive?.header;
  return header?.namespace === 'Alexa.Authorization' && header?.name === 'AcceptGrant';
}

export function isSkillEvent(event) {
  return typeof event?.request?.type === 'string' && event.request.type.startsWith('AlexaSkillEvent.');
}

/** The answer Alexa expects when a grant cannot be accepted. */
export function acceptGrantFailed(message) {
  return {
    event: {
      header: {
        namespace: 'Alexa.Authorization',
        name: 'ErrorResponse',
        messageId: randomUUID(),
        payloadVersion: '3',
      },
      payload: { type: 'ACCEPT_GRANT_FAILED', message },
    },
  };
}

function basic(id, secret) {
  // RFC 6749 2.3.1: form-encode each part before base64.
  const enc = (s) => encodeURIComponent(s).replace(/%20/g, '+');
  return 'Basic ' + Buffer.from(`${enc(id)}:${enc(secret)}`).toString('base64');
}

/** A positive number of milliseconds, else the default. */
function millis(raw, fallback) {
  const n = Number(raw);
  return raw !== undefined && raw !== '' && Number.isFinite(n) && n > 0 ? n : fallback;
}

export function createHandler({
  url = process.env.LINKBROKER_URL,
  clientId = process.env.LINKBROKER_CLIENT_ID,
  clientSecret = process.env.LINKBROKER_CLIENT_SECRET,
  region = REGIONS[process.env.AWS_REGION] ?? 'na',
  timeoutMs = millis(process.env.LINKBROKER_TIMEOUT_MS, 6500),
  vendor,
} = {}) {
  if (typeof vendor !== 'function') throw new Error('createHandler needs your skill handler as `vendor`');
  const missing = [['LINKBROKER_URL', url], ['LINKBROKER_CLIENT_ID', clientId], ['LINKBROKER_CLIENT_SECRET', clientSecret]]
    .filter(([, v]) => !v)
    .map(([name]) => name);
  return async (event, context) => {
    const grant = isAcceptGrant(event);
    if (!grant && !isSkillEvent(event)) return vendor(event, context);
    let why;
    if (missing.length > 0) {
      why = `the relay is not configured: set ${missing.join(', ')}`;
    } else {
      try {
        const res = await fetch(`${String(url).replace(/\/$/, '')}/alexa/smart-home?region=${region}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: basic(clientId, clientSecret) },
          body: JSON.stringify(event),
          signal: AbortSignal.timeout(timeoutMs),
        });
        const body = await res.json().catch(() => null);
        if (res.ok && body) return body;
        const detail = body?.message ?? body?.error_description ?? body?.error ?? '';
        why = `linkbroker refused the request (HTTP ${res.status}${detail ? `: ${detail}` : ''})`;
      } catch (e) {
        const cause = e?.cause?.code ?? e?.cause?.message ?? e?.message;
        why = e?.name === 'TimeoutError'
          ? `linkbroker did not answer within ${timeoutMs} ms`
          : `linkbroker could not be reached (${cause})`;
      }
    }
    console.error(`linkbroker relay failed: ${why}`);
    // Alexa fails the linking at once, so the user sees it and can retry.
    if (grant) return acceptGrantFailed(why);
    throw new Error(why);
  };
}

// Replace `vendor` with your skill's own handler.
export const handler = createHandler({
  vendor: async (event) => {
    throw new Error(`no handler for ${event?.directive?.header?.namespace ?? event?.request?.type}`);
  },
});
