# linkbroker: the words people see and hear, in English.
#
# Every other file in this folder translates this one, key for key: the
# build fails when a catalog lacks a key that this file has (build.rs), and
# a unit test checks that each message uses the same { $variables }.
# Keep messages short: most people read them on a phone, inside the Alexa
# or Google Home app.

## Shared by every page

page-footer = Secured by linkbroker
back-to-app = Return to the app
close-and-retry = You can close this page and start linking again from the Alexa or Google Home app.

## The hand-off to Amazon (shown only if the browser does not follow the redirect)

handoff-title = Signing you in
handoff-text = Taking you to Amazon to sign in…
handoff-continue = Continue to Amazon
handoff-text-dev = Taking you to the development sign-in…
handoff-continue-dev = Continue to the development sign-in

## Consent, Alexa wording

consent-alexa-title = Link your account
consent-alexa-intro = { $client } would like to link your account to Alexa.
consent-alexa-can = It will be able to:
consent-alexa-deny = Deny
consent-alexa-allow = Allow

## Consent, Google wording (Google's account linking guidelines: say the
## account is linked to Google, "Agree and link" and "Cancel")

consent-google-title = Link your account to Google
consent-google-intro = { $client } will link your account to Google.
consent-google-can = Once linked, Google will be able to:
consent-google-privacy = Google Privacy Policy
consent-google-cancel = Cancel
consent-google-agree = Agree and link

## Consent, shared

consent-signed-in-as = Signed in as
scope-profile = See your name and email address
scope-user-id = See your account ID
scope-other = Use the “{ $scope }” permission

## Error pages

error-cannot-link-title = Cannot link this account
error-request-too-large = The link request is too large.
error-request-malformed = The link request is malformed.
error-request-repeats = The link request names its app or its return address twice.
error-no-client = The link request does not say which app it is for.
error-unknown-client = This app is not registered with this service.
error-no-redirect = The link request does not say where to return.
error-redirect-not-registered = The link request's return address is not registered for this app.
error-client-gone = This app is no longer registered.

error-sign-in-expired-title = Sign-in expired
error-sign-in-expired = This sign-in has expired or was already used.
error-request-expired-title = Request expired
error-request-expired = This request has expired or was already answered.
error-other-browser-title = Sign-in not recognized
error-other-browser = This sign-in was started in another browser, or its cookie was lost. Please start linking again on this device.

error-not-linked-title = Account not linked
error-cancelled = You cancelled signing in with Amazon, so your account was not linked.
error-amazon-refused = Amazon could not sign you in, so your account was not linked.
error-email-needed-title = Email needed
error-email-needed = Your Amazon account did not share an email address, and one is needed to link it.
error-no-account-title = Account not found
error-no-account = There is no account for { $email } here. Ask the service's administrator to add you, then link again.
error-other-amazon-title = Already linked to another Amazon account
error-other-amazon = The account for { $email } is already linked to a different Amazon account. Sign in with that Amazon account, or ask the administrator for help.
error-disabled-title = Account disabled
error-disabled = This account has been disabled. Contact the service's administrator.

error-refused-title = Request refused
error-other-site = This form was sent from another site.
error-form-expired = This form has expired.
error-no-decision-title = Choose an answer
error-no-decision = Please choose whether to link your account.

error-sign-in-failed-title = Sign-in failed
error-dev-sign-in-only = This server uses the development sign-in.
error-no-code = The sign-in response had no code.
error-malformed-callback = The sign-in response was malformed.
error-amazon-timeout = Amazon did not answer in time. Please try linking again in a moment.
error-amazon-failed = Signing in with Amazon failed. Please try linking again.
error-check-email-title = Check the email
error-check-email = Please enter a valid email address.
error-invalid-title = Invalid request
error-invalid-characters = The request contains characters that are not allowed.
error-unavailable-title = Please try again
error-unavailable = The service is briefly unavailable. Please try again in a moment.
error-too-many-title = Too many attempts
error-too-many = Too many sign-in attempts came from your network. Wait a minute and try again.

## The account page (/account): the user's own links

account-title = Your account
account-sign-in-text = Sign in to see which apps and voice assistants are linked to your account, and to end a link.
account-sign-in = Sign in with Amazon
account-sign-in-dev = Sign in (development)
account-signed-in-as = Signed in as
account-links-heading = Linked apps
account-no-links = Nothing is linked to your account.
account-linked-on = Linked { $date }
account-last-used = Last used { $date }
account-made-alexa = Linked in the Alexa app
account-made-app = Linked from this website
account-made-google = Linked in the Google Home app
account-unlink = Unlink
account-unlink-alexa-asks = Alexa will ask you to link again the next time you use it.
account-unlinked = { $client } is unlinked.
account-unlinked-alexa = { $client } is unlinked. Alexa is being told, and the skill will leave your Alexa app shortly.
account-unlinked-ask-again = { $client } is unlinked. Alexa will ask you to link again the next time you use the skill.
account-alexa-linked = Alexa: enabled and linked
account-alexa-not-linked = Alexa: enabled, but not linked
account-alexa-not-enabled = Alexa: not enabled
account-alexa-unknown = Alexa could not be asked just now.
account-link-heading = Link with Alexa
account-link-text = Enable { $client } in Alexa and link it to this account in one step.
account-link-with-alexa = Link with Alexa
account-sign-out = Sign out
account-signed-out = You are signed out.
account-back = Back to your account
account-linked-title = Linked with Alexa
account-linked = { $client } is enabled in Alexa and linked to your account.

## Errors of the account page and of linking with Alexa from it

account-error-session = Your session has ended. Please sign in again.
account-error-no-link = This link does not exist or has already ended.
app-error-title = Linking with Alexa did not complete
app-error-cancelled = You cancelled at Amazon, so nothing was linked.
app-error-amazon-refused = Amazon did not accept the sign-in (it may have expired). Nothing was linked. Please try again.
app-error-enablement-refused = Alexa refused to enable the skill for your account. Nothing was linked. If it happens again, contact the service.
app-error-alexa-unavailable = Alexa did not answer in time. Nothing was linked. Please try again in a moment.
app-error-expired = This linking attempt has expired or was already used. Start again from your account page.
app-error-not-offered = Linking with Alexa from this website is not available for this app.
app-error-already-linked = { $client } is already linked to your account.

## Development sign-in (serve --dev only)

dev-banner = DEVELOPMENT ONLY: this sign-in page accepts any email. Never use --dev in production.
dev-title = Development sign-in
dev-hint = Stands in for Login with Amazon while you develop. Type any email and name.
dev-email = Email
dev-name = Name
dev-sign-in = Sign in
dev-only = DEVELOPMENT ONLY
dev-code-title = Authorization code
dev-code-heading = Account linked
dev-code-text = This page stands in for the voice platform's redirect URI. Exchange the code within { $seconds } seconds:
dev-callback-error-heading = Linking did not complete
dev-callback-error-text = linkbroker sent the client this error: { $error }
dev-callback-error-hint = Start again from the authorize URL that serve --dev printed.
dev-code-stale = This code can no longer be exchanged: it was used or has expired. Link again for a new one.

## What the skill says on POST /alexa

speech-goodbye = Goodbye.
speech-link = Please link your account in the Alexa app to use this skill. I've sent a card to help.
speech-hello = Hello, { $name }.
speech-hello-anonymous = Hello!
speech-help = You can say hello, or ask what you can do.
speech-reprompt = What would you like to do?
speech-didnt-get = Sorry, I didn't get that. { speech-help }
speech-cannot-help = Sorry, I can't help with that. { speech-help }
speech-not-allowed = Sorry, your account is not allowed to do that.
speech-allowed = OK, your account is allowed to do that.
speech-unavailable = Sorry, I can't reach your account right now. Please try again soon.
speech-permissions =
    { $count ->
        [0] Your account has no permissions yet.
        [one] Your account has the permission { $list }.
       *[other] Your account has the permissions { $list }.
    }
# How a list of three or more is joined: "a, b and c".
list-separator = {", "}
list-last = { $init } and { $last }
