// An Alexa custom skill that greets the linked user by name, written the way
// Amazon's "Account Linking: 5 Steps" post and the ASK SDK v2 samples write
// it for Login with Amazon (LWA). See README.md.
const Alexa = require('ask-sdk-core');
const axios = require('axios');

// The one change from the LWA original: point this at your linkbroker's
// public URL (e.g. https://link.example.com). linkbroker answers
// /user/profile?access_token=... with the same user_id, name and email as
// https://api.amazon.com/user/profile, so nothing else in this file changes.
const PROFILE_HOST = process.env.PROFILE_HOST || 'https://api.amazon.com';

const LINK_SPEECH = 'Please use the Alexa app to link your account.';

const HelloHandler = {
  canHandle(handlerInput) {
    const type = Alexa.getRequestType(handlerInput.requestEnvelope);
    return type === 'LaunchRequest'
      || (type === 'IntentRequest'
        && Alexa.getIntentName(handlerInput.requestEnvelope) === 'HelloWorldIntent');
  },
  async handle(handlerInput) {
    // Alexa puts the token from account linking in every request; it is
    // missing until the user has linked.
    const accessToken = handlerInput.requestEnvelope.context.System.user.accessToken;
    if (accessToken === undefined) {
      // The LinkAccount card puts a "Link Account" button in the Alexa app.
      return handlerInput.responseBuilder
        .speak(LINK_SPEECH)
        .withLinkAccountCard()
        .getResponse();
    }

    let profile;
    try {
      const url = `${PROFILE_HOST}/user/profile?access_token=${accessToken}`;
      profile = (await axios.get(url)).data;
    } catch (error) {
      // 401: the token expired for good or the user was unlinked or disabled.
      // Only linking again helps, so hand them the card once more.
      if (error.response && error.response.status === 401) {
        return handlerInput.responseBuilder
          .speak(`Your account is no longer linked. ${LINK_SPEECH}`)
          .withLinkAccountCard()
          .getResponse();
      }
      throw error; // anything else is an outage: the ErrorHandler apologizes
    }

    const firstName = profile.name.split(' ')[0];
    return handlerInput.responseBuilder
      .speak(`Hello, ${firstName}. Your account is linked.`)
      .getResponse();
  },
};

const CancelAndStopHandler = {
  canHandle(handlerInput) {
    return Alexa.getRequestType(handlerInput.requestEnvelope) === 'IntentRequest'
      && ['AMAZON.CancelIntent', 'AMAZON.StopIntent']
        .includes(Alexa.getIntentName(handlerInput.requestEnvelope));
  },
  handle(handlerInput) {
    return handlerInput.responseBuilder.speak('Goodbye.').getResponse();
  },
};

const SessionEndedRequestHandler = {
  canHandle(handlerInput) {
    return Alexa.getRequestType(handlerInput.requestEnvelope) === 'SessionEndedRequest';
  },
  handle(handlerInput) {
    return handlerInput.responseBuilder.getResponse(); // Alexa ignores any speech here
  },
};

const ErrorHandler = {
  canHandle() {
    return true;
  },
  handle(handlerInput, error) {
    // The message only: axios errors carry the request URL, token included.
    console.log(`Error handled: ${error.message}`);
    return handlerInput.responseBuilder
      .speak('Sorry, I had trouble doing what you asked. Please try again.')
      .getResponse();
  },
};

exports.handler = Alexa.SkillBuilders.custom()
  .addRequestHandlers(HelloHandler, CancelAndStopHandler, SessionEndedRequestHandler)
  .addErrorHandlers(ErrorHandler)
  .lambda();
