// Runs the exported Lambda handler (what AWS Lambda runs) against a live
// linkbroker. linkbroker's own suite (tests/api/skill_code.rs) starts one and
// sets:
//   LINKBROKER_URL     base URL of linkbroker, used as PROFILE_HOST
//   LINKED_TOKEN       an access token of a linked user
//   REVOKED_TOKEN      an access token whose link was revoked
//   LINKED_FIRST_NAME  the linked user's first name, e.g. "Ada"
// By hand: serve --dev, link once through the dev flow, then
//   LINKBROKER_URL=http://127.0.0.1:8080 LINKED_TOKEN=... npm test
const { test } = require('node:test');
const assert = require('node:assert');

// A missing setting fails every test with its name, rather than skipping:
// a skipped run would look like a passing one.
function setting(name) {
  const value = process.env[name];
  if (!value) {
    throw new Error(`${name} is not set. These tests run the skill against a live linkbroker; `
      + 'see the comment at the top of test/skill.test.js.');
  }
  return value;
}

// index.js reads PROFILE_HOST when it is loaded, so set it first.
let handler;
function skill() {
  if (!handler) {
    process.env.PROFILE_HOST = setting('LINKBROKER_URL').replace(/\/+$/, '');
    ({ handler } = require('../index.js'));
  }
  return handler;
}

// Sends a LaunchRequest, with the token named by `tokenSetting` if given, to
// the exported handler. The SDK's lambda() handler answers through Lambda's
// callback.
function launch(tokenSetting) {
  const handle = skill();
  const event = launchRequest(tokenSetting && setting(tokenSetting));
  const context = { awsRequestId: 'test', getRemainingTimeInMillis: () => 8000 };
  return new Promise((resolve, reject) => {
    handle(event, context, (err, response) => (err ? reject(err) : resolve(response)));
  });
}

// A LaunchRequest as Alexa sends it; the user object carries the token once linked.
function launchRequest(accessToken) {
  const applicationId = 'amzn1.ask.skill.00000000-0000-0000-0000-000000000000';
  const user = { userId: 'amzn1.ask.account.TESTUSER' };
  if (accessToken !== undefined) user.accessToken = accessToken;
  return {
    version: '1.0',
    session: {
      new: true,
      sessionId: 'amzn1.echo-api.session.00000000-0000-0000-0000-000000000001',
      application: { applicationId },
      attributes: {},
      user,
    },
    context: {
      System: {
        application: { applicationId },
        user,
        device: { deviceId: 'amzn1.ask.device.TESTDEVICE', supportedInterfaces: {} },
        apiEndpoint: 'https://api.amazonalexa.com',
        apiAccessToken: 'not-used-by-this-skill',
      },
    },
    request: {
      type: 'LaunchRequest',
      requestId: 'amzn1.echo-api.request.00000000-0000-0000-0000-000000000002',
      timestamp: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
      locale: 'en-US',
    },
  };
}

function speechOf(envelope) {
  const speech = envelope.response.outputSpeech;
  assert.ok(speech, `no outputSpeech in ${JSON.stringify(envelope)}`);
  return speech.ssml ?? speech.text;
}

function assertLinkAccountCard(envelope) {
  assert.deepStrictEqual(envelope.response.card, { type: 'LinkAccount' },
    `expected a LinkAccount card in ${JSON.stringify(envelope)}`);
}

test('no token: asks to link, with a LinkAccount card', async () => {
  const envelope = await launch();
  assert.strictEqual(envelope.version, '1.0');
  assertLinkAccountCard(envelope);
  assert.doesNotMatch(speechOf(envelope), /Hello,/);
});

test('linked token: greets the user by first name from /user/profile', async () => {
  const envelope = await launch('LINKED_TOKEN');
  const firstName = setting('LINKED_FIRST_NAME');
  assert.ok(speechOf(envelope).includes(`Hello, ${firstName}`),
    `expected "Hello, ${firstName}" in ${JSON.stringify(envelope)}`);
  assert.notStrictEqual(envelope.response.card?.type, 'LinkAccount');
});

test('revoked token: no greeting, asks to link again with a LinkAccount card', async () => {
  const envelope = await launch('REVOKED_TOKEN');
  assertLinkAccountCard(envelope);
  assert.doesNotMatch(speechOf(envelope), /Hello,/);
});
