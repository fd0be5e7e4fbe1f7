// Runs the relay against a real linkbroker (started by the Rust test
// `tests/api/lambda_relay.rs`, with Amazon mocked), which passes:
//   LINKBROKER_URL, LINKBROKER_CLIENT_ID, LINKBROKER_CLIENT_SECRET,
//   RELAY_GRANTEE_TOKEN (a live access token of that client).
// Without them the linkbroker-backed tests are skipped.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHandler, isAcceptGrant, isSkillEvent } from '../index.mjs';

const live = Boolean(process.env.LINKBROKER_URL && process.env.RELAY_GRANTEE_TOKEN);
const vendorCalls = [];
const vendor = async (event) => {
  vendorCalls.push(event);
  return { event: { header: { name: 'Discover.Response' } } };
};

function acceptGrant(token) {
  return {
    directive: {
      header: { namespace: 'Alexa.Authorization', name: 'AcceptGrant', messageId: 'm', payloadVersion: '3' },
      payload: { grant: { type: 'OAuth2.AuthorizationCode', code: 'relay-code' }, grantee: { type: 'BearerToken', token } },
    },
  };
}

test('tells what it relays', () => {
  assert.ok(isAcceptGrant(acceptGrant('t')));
  assert.ok(isSkillEvent({ request: { type: 'AlexaSkillEvent.SkillDisabled' } }));
  assert.ok(!isAcceptGrant({ directive: { header: { namespace: 'Alexa.Discovery', name: 'Discover' } } }));
});

test('AcceptGrant is accepted through linkbroker', { skip: !live }, async () => {
  const handler = createHandler({ region: 'eu', vendor });
  const answer = await handler(acceptGrant(process.env.RELAY_GRANTEE_TOKEN), {});
  assert.equal(answer.event.header.name, 'AcceptGrant.Response', JSON.stringify(answer));
});

test('a grantee token of nobody fails the grant with a reason', { skip: !live }, async () => {
  const handler = createHandler({ vendor });
  const answer = await handler(acceptGrant('not-a-token'), {});
  assert.equal(answer.event.payload.type, 'ACCEPT_GRANT_FAILED');
  assert.match(answer.event.payload.message, /access token/);
});

test('skill events are relayed', { skip: !live }, async () => {
  const handler = createHandler({ vendor });
  const answer = await handler({
    version: '1.0',
    context: { System: { application: { applicationId: 'a' }, user: { userId: 'amzn1.ask.account.RELAY' } } },
    request: { type: 'AlexaSkillEvent.SkillEnabled', requestId: 'r', timestamp: new Date().toISOString() },
  }, {});
  assert.equal(answer.version, '1.0');
});

test('everything else goes to the vendor handler', async () => {
  const handler = createHandler({ url: 'http://127.0.0.1:9', vendor });
  const discover = { directive: { header: { namespace: 'Alexa.Discovery', name: 'Discover' } } };
  const answer = await handler(discover, {});
  assert.equal(answer.event.header.name, 'Discover.Response');
  assert.deepEqual(vendorCalls.at(-1), discover);
});

test('an unreachable linkbroker fails the grant quickly', async () => {
  // A port nobody listens on, and a short time-out for a black hole.
  const handler = createHandler({ url: 'http://127.0.0.1:9', clientId: 'c', clientSecret: 's', timeoutMs: 500, vendor });
  const started = Date.now();
  const answer = await handler(acceptGrant('t'), {});
  assert.equal(answer.event.payload.type, 'ACCEPT_GRANT_FAILED');
  assert.match(answer.event.payload.message, /could not be reached|did not answer/);
  assert.ok(Date.now() - started < 5000);
});

test('a relay without its settings says which are missing', async () => {
  const handler = createHandler({ url: '', clientId: '', clientSecret: '', vendor });
  const answer = await handler(acceptGrant('t'), {});
  assert.match(answer.event.payload.message, /LINKBROKER_URL, LINKBROKER_CLIENT_ID, LINKBROKER_CLIENT_SECRET/);
});

test('a refused client is named as such', { skip: !live }, async () => {
  const handler = createHandler({ clientSecret: 'wrong', vendor });
  const answer = await handler(acceptGrant(process.env.RELAY_GRANTEE_TOKEN), {});
  assert.match(answer.event.payload.message, /refused the request \(HTTP 401/);
});
