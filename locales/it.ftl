# linkbroker: le parole che le persone vedono e sentono, in italiano.
#
# Questo file traduce en.ftl, chiave per chiave: la build non riesce se
# manca una chiave presente in en.ftl (build.rs), e un test di unità
# verifica che ogni messaggio usi le stesse { $variables }.
# Messaggi brevi: quasi tutti li leggono su un telefono, nell'app Alexa
# o Google Home.

## Condivisi da tutte le pagine

page-footer = Protetto da linkbroker
back-to-app = Torna all'app
close-and-retry = Puoi chiudere questa pagina e ricominciare il collegamento dall'app Alexa o Google Home.

## Passaggio ad Amazon (mostrato solo se il browser non segue il reindirizzamento)

handoff-title = Accesso in corso
handoff-text = Ti stiamo reindirizzando ad Amazon per l'accesso…
handoff-continue = Continua su Amazon
handoff-text-dev = Ti stiamo portando all’accesso di sviluppo…
handoff-continue-dev = Continua all’accesso di sviluppo

## Consenso, testi Alexa

consent-alexa-title = Collega il tuo account
consent-alexa-intro = { $client } vuole collegare il tuo account ad Alexa.
consent-alexa-can = Potrà:
consent-alexa-deny = Rifiuta
consent-alexa-allow = Consenti

## Consenso, testi Google (linee guida di Google sul collegamento degli
## account: dire che l'account viene collegato a Google, "Accetta e collega"
## e "Annulla")

consent-google-title = Collega il tuo account a Google
consent-google-intro = { $client } collegherà il tuo account a Google.
consent-google-can = Dopo il collegamento, Google potrà:
consent-google-privacy = Norme sulla privacy di Google
consent-google-cancel = Annulla
consent-google-agree = Accetta e collega

## Consenso, condivisi

consent-signed-in-as = Accesso eseguito come
scope-profile = Visualizzare il tuo nome e il tuo indirizzo email
scope-user-id = Visualizzare l'ID del tuo account
scope-other = Usare l'autorizzazione «{ $scope }»

## Pagine di errore

error-cannot-link-title = Impossibile collegare l'account
error-request-too-large = La richiesta di collegamento è troppo grande.
error-request-malformed = La richiesta di collegamento non è formattata correttamente.
error-request-repeats = La richiesta di collegamento indica due volte l'app o l'indirizzo di ritorno.
error-no-client = La richiesta di collegamento non indica a quale app è destinata.
error-unknown-client = Questa app non è registrata su questo servizio.
error-no-redirect = La richiesta di collegamento non indica dove tornare.
error-redirect-not-registered = L'indirizzo di ritorno della richiesta non è registrato per questa app.
error-client-gone = Questa app non è più registrata.

error-sign-in-expired-title = Accesso scaduto
error-sign-in-expired = Questo accesso è scaduto o è già stato usato.
error-request-expired-title = Richiesta scaduta
error-request-expired = Questa richiesta è scaduta o ha già ricevuto una risposta.
error-other-browser-title = Accesso non riconosciuto
error-other-browser = Questo accesso è stato avviato in un altro browser o il suo cookie è andato perso. Ricomincia il collegamento su questo dispositivo.

error-not-linked-title = Account non collegato
error-cancelled = Hai annullato l'accesso con Amazon, quindi il tuo account non è stato collegato.
error-amazon-refused = Amazon non ha potuto farti accedere, quindi il tuo account non è stato collegato.
error-email-needed-title = Email necessaria
error-email-needed = Il tuo account Amazon non ha condiviso un indirizzo email, necessario per il collegamento.
error-no-account-title = Account non trovato
error-no-account = Non esiste alcun account per { $email }. Chiedi all'amministratore del servizio di aggiungerti, poi riprova a collegare l'account.
error-other-amazon-title = Già collegato a un altro account Amazon
error-other-amazon = L'account di { $email } è già collegato a un altro account Amazon. Accedi con quell'account Amazon o chiedi aiuto all'amministratore.
error-disabled-title = Account disattivato
error-disabled = Questo account è stato disattivato. Contatta l'amministratore del servizio.

error-refused-title = Richiesta rifiutata
error-other-site = Questo modulo è stato inviato da un altro sito.
error-form-expired = Questo modulo è scaduto.
error-no-decision-title = Scegli una risposta
error-no-decision = Scegli se collegare il tuo account.

error-sign-in-failed-title = Accesso non riuscito
error-dev-sign-in-only = Questo server usa l'accesso di sviluppo.
error-no-code = La risposta di accesso non conteneva alcun codice.
error-malformed-callback = La risposta di accesso non era formattata correttamente.
error-amazon-timeout = Amazon non ha risposto in tempo. Riprova a collegare l'account tra qualche istante.
error-amazon-failed = Accesso con Amazon non riuscito. Riprova a collegare l'account.
error-check-email-title = Controlla l'indirizzo email
error-check-email = Inserisci un indirizzo email valido.
error-invalid-title = Richiesta non valida
error-invalid-characters = La richiesta contiene caratteri non consentiti.
error-unavailable-title = Riprova
error-unavailable = Il servizio è momentaneamente non disponibile. Riprova tra qualche istante.
error-too-many-title = Troppi tentativi
error-too-many = Troppi tentativi di accesso dalla tua rete. Attendi un minuto e riprova.

## La pagina dell'account (/account): i collegamenti dell'utente

account-title = Il tuo account
account-sign-in-text = Accedi per vedere quali app e assistenti vocali sono collegati al tuo account e per rimuovere un collegamento.
account-sign-in = Accedi con Amazon
account-sign-in-dev = Accedi (sviluppo)
account-signed-in-as = Accesso eseguito come
account-links-heading = App collegate
account-no-links = Non c'è nulla di collegato al tuo account.
account-linked-on = Collegamento del { $date }
account-last-used = Ultimo utilizzo: { $date }
account-made-alexa = Collegamento dall'app Alexa
account-made-app = Collegamento da questo sito web
account-made-google = Collegamento dall'app Google Home
account-unlink = Scollega
account-unlink-alexa-asks = Alexa ti chiederà di ricollegare l'account la prossima volta che userai la skill.
account-unlinked = Il collegamento con { $client } è stato rimosso.
account-unlinked-alexa = Il collegamento con { $client } è stato rimosso. Stiamo avvisando Alexa, e la skill sparirà a breve dalla tua app Alexa.
account-unlinked-ask-again = Il collegamento con { $client } è stato rimosso. Alexa ti chiederà di ricollegare l'account la prossima volta che userai la skill.
account-alexa-linked = Alexa: abilitata e collegata
account-alexa-not-linked = Alexa: abilitata, ma non collegata
account-alexa-not-enabled = Alexa: non abilitata
account-alexa-unknown = Al momento non è possibile interrogare Alexa.
account-link-heading = Collega ad Alexa
account-link-text = Abilita { $client } in Alexa e collega questo account in un solo passaggio.
account-link-with-alexa = Collega ad Alexa
account-sign-out = Esci
account-signed-out = Disconnessione eseguita.
account-back = Torna al tuo account
account-linked-title = Collegamento ad Alexa completato
account-linked = { $client } è abilitato in Alexa e collegato al tuo account.

## Errori della pagina dell'account e del collegamento ad Alexa da lì

account-error-session = La sessione è terminata. Accedi di nuovo.
account-error-no-link = Questo collegamento non esiste o è già stato rimosso.
app-error-title = Il collegamento ad Alexa non è stato completato
app-error-cancelled = Hai annullato su Amazon, quindi non è stato collegato nulla.
app-error-amazon-refused = Amazon non ha accettato l'accesso (potrebbe essere scaduto). Non è stato collegato nulla. Riprova.
app-error-enablement-refused = Alexa ha rifiutato di abilitare la skill per il tuo account. Non è stato collegato nulla. Se succede di nuovo, contatta il servizio.
app-error-alexa-unavailable = Alexa non ha risposto in tempo. Non è stato collegato nulla. Riprova tra qualche istante.
app-error-expired = Questo tentativo di collegamento è scaduto o è già stato usato. Ricomincia dalla pagina del tuo account.
app-error-not-offered = Il collegamento ad Alexa da questo sito web non è disponibile per questa app.
app-error-already-linked = Il tuo account è già collegato a { $client }.

## Accesso di sviluppo (solo serve --dev)

dev-banner = SOLO PER SVILUPPO: questa pagina di accesso accetta qualsiasi email. Non usare mai --dev in produzione.
dev-title = Accesso di sviluppo
dev-hint = Sostituisce Login with Amazon durante lo sviluppo. Inserisci un'email e un nome qualsiasi.
dev-email = Email
dev-name = Nome
dev-sign-in = Accedi
dev-only = SOLO PER SVILUPPO
dev-code-title = Codice di autorizzazione
dev-code-heading = Account collegato
dev-code-text = Questa pagina sostituisce il redirect URI della piattaforma vocale. Scambia il codice entro { $seconds } secondi:
dev-callback-error-heading = Il collegamento non è stato completato
dev-callback-error-text = linkbroker ha inviato al client questo errore: { $error }
dev-callback-error-hint = Ricomincia dall’URL di autorizzazione stampato da serve --dev.
dev-code-stale = Questo codice non può più essere scambiato: è già stato usato o è scaduto. Collega di nuovo l’account per riceverne uno nuovo.

## Cosa dice la skill su POST /alexa

speech-goodbye = Arrivederci.
speech-link = Per usare questa skill, collega il tuo account nell'app Alexa. Ti ho inviato una scheda per aiutarti.
speech-hello = Ciao, { $name }.
speech-hello-anonymous = Ciao!
speech-help = Puoi salutarmi o chiedermi cosa puoi fare.
speech-reprompt = Cosa vuoi fare?
speech-didnt-get = Scusa, non ho capito. { speech-help }
speech-cannot-help = Scusa, non posso aiutarti con questo. { speech-help }
speech-not-allowed = Scusa, il tuo account non è autorizzato a farlo.
speech-allowed = Ok, il tuo account è autorizzato a farlo.
speech-unavailable = Mi dispiace, al momento non riesco ad accedere al tuo account. Riprova tra poco.
speech-permissions =
    { $count ->
        [0] Il tuo account non ha ancora autorizzazioni.
        [one] Il tuo account ha l'autorizzazione { $list }.
       *[other] Il tuo account ha le autorizzazioni { $list }.
    }
# Come si unisce un elenco di tre o più elementi: "a, b e c".
list-separator = {", "}
list-last = { $init } e { $last }
