# linkbroker: die Texte, die Nutzer sehen und hören, auf Deutsch.
#
# Diese Datei übersetzt en.ftl Schlüssel für Schlüssel: Der Build schlägt
# fehl, wenn einem Katalog ein Schlüssel aus en.ftl fehlt (build.rs), und
# ein Unit-Test prüft, dass jede Nachricht dieselben { $variables } nutzt.
# Nachrichten kurz halten: Die meisten lesen sie auf dem Handy, in der
# Alexa App oder Google Home App.

## Auf allen Seiten

page-footer = Geschützt durch linkbroker
back-to-app = Zurück zur App
close-and-retry = Sie können diese Seite schließen und die Verknüpfung in der Alexa App oder Google Home App neu starten.

## Weiterleitung zu Amazon (nur sichtbar, wenn der Browser der Weiterleitung nicht folgt)

handoff-title = Sie werden angemeldet
handoff-text = Wir leiten Sie zur Anmeldung an Amazon weiter …
handoff-continue = Weiter zu Amazon
handoff-text-dev = Sie werden zur Entwicklungs-Anmeldung weitergeleitet …
handoff-continue-dev = Weiter zur Entwicklungs-Anmeldung

## Einwilligung, Alexa-Formulierung

consent-alexa-title = Konto verknüpfen
consent-alexa-intro = { $client } möchte Ihr Konto mit Alexa verknüpfen.
consent-alexa-can = Der Skill kann dann:
consent-alexa-deny = Ablehnen
consent-alexa-allow = Zulassen

## Einwilligung, Google-Formulierung (Googles Richtlinien zur Kontoverknüpfung:
## das Konto wird mit Google verknüpft, „Zustimmen und verknüpfen“ und „Abbrechen“)

consent-google-title = Konto mit Google verknüpfen
consent-google-intro = { $client } verknüpft Ihr Konto mit Google.
consent-google-can = Nach der Verknüpfung kann Google:
consent-google-privacy = Google-Datenschutzerklärung
consent-google-cancel = Abbrechen
consent-google-agree = Zustimmen und verknüpfen

## Einwilligung, gemeinsam

consent-signed-in-as = Angemeldet als
scope-profile = Ihren Namen und Ihre E-Mail-Adresse ansehen
scope-user-id = Ihre Konto-ID ansehen
scope-other = Die Berechtigung „{ $scope }“ nutzen

## Fehlerseiten

error-cannot-link-title = Verknüpfung nicht möglich
error-request-too-large = Die Verknüpfungsanfrage ist zu groß.
error-request-malformed = Die Verknüpfungsanfrage ist fehlerhaft.
error-request-repeats = In der Verknüpfungsanfrage ist die App oder die Rücksprungadresse doppelt angegeben.
error-no-client = Die Verknüpfungsanfrage gibt nicht an, für welche App sie bestimmt ist.
error-unknown-client = Diese App ist bei diesem Dienst nicht registriert.
error-no-redirect = Die Verknüpfungsanfrage gibt keine Rücksprungadresse an.
error-redirect-not-registered = Die Rücksprungadresse der Verknüpfungsanfrage ist für diese App nicht registriert.
error-client-gone = Diese App ist nicht mehr registriert.

error-sign-in-expired-title = Anmeldung abgelaufen
error-sign-in-expired = Diese Anmeldung ist abgelaufen oder wurde bereits verwendet.
error-request-expired-title = Anfrage abgelaufen
error-request-expired = Diese Anfrage ist abgelaufen oder wurde bereits beantwortet.
error-other-browser-title = Anmeldung nicht erkannt
error-other-browser = Diese Anmeldung wurde in einem anderen Browser gestartet oder das zugehörige Cookie ist verloren gegangen. Bitte starten Sie die Verknüpfung auf diesem Gerät neu.

error-not-linked-title = Konto nicht verknüpft
error-cancelled = Sie haben die Anmeldung bei Amazon abgebrochen. Ihr Konto wurde daher nicht verknüpft.
error-amazon-refused = Amazon konnte Sie nicht anmelden. Ihr Konto wurde daher nicht verknüpft.
error-email-needed-title = E-Mail-Adresse erforderlich
error-email-needed = Ihr Amazon-Konto hat keine E-Mail-Adresse freigegeben. Diese wird für die Verknüpfung benötigt.
error-no-account-title = Konto nicht gefunden
error-no-account = Hier gibt es kein Konto für { $email }. Bitten Sie den Administrator des Dienstes, Sie hinzuzufügen, und starten Sie die Verknüpfung dann neu.
error-other-amazon-title = Bereits mit anderem Amazon-Konto verknüpft
error-other-amazon = Das Konto für { $email } ist bereits mit einem anderen Amazon-Konto verknüpft. Melden Sie sich mit dem anderen Amazon-Konto an oder wenden Sie sich an den Administrator.
error-disabled-title = Konto deaktiviert
error-disabled = Dieses Konto wurde deaktiviert. Wenden Sie sich an den Administrator des Dienstes.

error-refused-title = Anfrage abgelehnt
error-other-site = Dieses Formular wurde von einer anderen Website gesendet.
error-form-expired = Dieses Formular ist abgelaufen.
error-no-decision-title = Antwort auswählen
error-no-decision = Bitte entscheiden Sie, ob Ihr Konto verknüpft werden soll.

error-sign-in-failed-title = Anmeldung fehlgeschlagen
error-dev-sign-in-only = Dieser Server verwendet die Entwicklungsanmeldung.
error-no-code = Die Anmeldeantwort enthielt keinen Code.
error-malformed-callback = Die Anmeldeantwort war fehlerhaft.
error-amazon-timeout = Amazon hat nicht rechtzeitig geantwortet. Bitte versuchen Sie die Verknüpfung gleich noch einmal.
error-amazon-failed = Die Anmeldung bei Amazon ist fehlgeschlagen. Bitte versuchen Sie die Verknüpfung noch einmal.
error-check-email-title = E-Mail-Adresse prüfen
error-check-email = Bitte geben Sie eine gültige E-Mail-Adresse ein.
error-invalid-title = Ungültige Anfrage
error-invalid-characters = Die Anfrage enthält unzulässige Zeichen.
error-unavailable-title = Bitte erneut versuchen
error-unavailable = Der Dienst ist kurzzeitig nicht verfügbar. Bitte versuchen Sie es gleich noch einmal.
error-too-many-title = Zu viele Versuche
error-too-many = Aus Ihrem Netzwerk kamen zu viele Anmeldeversuche. Warten Sie eine Minute und versuchen Sie es dann erneut.

## Die Kontoseite (/account): die eigenen Verknüpfungen des Nutzers

account-title = Ihr Konto
account-sign-in-text = Melden Sie sich an, um zu sehen, welche Apps und Sprachassistenten mit Ihrem Konto verknüpft sind, und um eine Verknüpfung aufzuheben.
account-sign-in = Mit Amazon anmelden
account-sign-in-dev = Anmelden (Entwicklung)
account-signed-in-as = Angemeldet als
account-links-heading = Verknüpfte Apps
account-no-links = Mit Ihrem Konto ist nichts verknüpft.
account-linked-on = Verknüpft am { $date }
account-last-used = Zuletzt verwendet am { $date }
account-made-alexa = In der Alexa App verknüpft
account-made-app = Über diese Website verknüpft
account-made-google = In der Google Home App verknüpft
account-unlink = Verknüpfung aufheben
account-unlink-alexa-asks = Alexa fordert Sie bei der nächsten Nutzung auf, erneut zu verknüpfen.
account-unlinked = Die Verknüpfung mit { $client } wurde aufgehoben.
account-unlinked-alexa = Die Verknüpfung mit { $client } wurde aufgehoben. Alexa wird informiert, und der Skill verschwindet in Kürze aus Ihrer Alexa App.
account-unlinked-ask-again = Die Verknüpfung mit { $client } wurde aufgehoben. Alexa fordert Sie bei der nächsten Nutzung des Skills auf, erneut zu verknüpfen.
account-alexa-linked = Alexa: aktiviert und verknüpft
account-alexa-not-linked = Alexa: aktiviert, aber nicht verknüpft
account-alexa-not-enabled = Alexa: nicht aktiviert
account-alexa-unknown = Alexa konnte gerade nicht abgefragt werden.
account-link-heading = Mit Alexa verknüpfen
account-link-text = Aktivieren Sie { $client } in Alexa und verknüpfen Sie den Skill in einem Schritt mit diesem Konto.
account-link-with-alexa = Mit Alexa verknüpfen
account-sign-out = Abmelden
account-signed-out = Sie sind abgemeldet.
account-back = Zurück zu Ihrem Konto
account-linked-title = Mit Alexa verknüpft
account-linked = { $client } ist in Alexa aktiviert und mit Ihrem Konto verknüpft.

## Fehler der Kontoseite und der Verknüpfung mit Alexa von dort aus

account-error-session = Ihre Sitzung wurde beendet. Bitte melden Sie sich erneut an.
account-error-no-link = Diese Verknüpfung existiert nicht oder wurde bereits aufgehoben.
app-error-title = Verknüpfung mit Alexa nicht abgeschlossen
app-error-cancelled = Sie haben bei Amazon abgebrochen. Es wurde daher nichts verknüpft.
app-error-amazon-refused = Amazon hat die Anmeldung nicht akzeptiert (sie ist eventuell abgelaufen). Es wurde nichts verknüpft. Bitte versuchen Sie es noch einmal.
app-error-enablement-refused = Alexa hat die Aktivierung des Skills für Ihr Konto abgelehnt. Es wurde nichts verknüpft. Wenn das erneut passiert, wenden Sie sich an den Dienst.
app-error-alexa-unavailable = Alexa hat nicht rechtzeitig geantwortet. Es wurde nichts verknüpft. Bitte versuchen Sie es gleich noch einmal.
app-error-expired = Dieser Verknüpfungsversuch ist abgelaufen oder wurde bereits verwendet. Beginnen Sie erneut auf Ihrer Kontoseite.
app-error-not-offered = Die Verknüpfung mit Alexa über diese Website ist für diese App nicht verfügbar.
app-error-already-linked = { $client } ist bereits mit Ihrem Konto verknüpft.

## Entwicklungsanmeldung (nur serve --dev)

dev-banner = NUR ZUR ENTWICKLUNG: Diese Anmeldeseite akzeptiert jede E-Mail-Adresse. Verwenden Sie --dev niemals im Produktivbetrieb.
dev-title = Entwicklungsanmeldung
dev-hint = Ersetzt Login with Amazon während der Entwicklung. Geben Sie eine beliebige E-Mail-Adresse und einen Namen ein.
dev-email = E-Mail
dev-name = Name
dev-sign-in = Anmelden
dev-only = NUR ZUR ENTWICKLUNG
dev-code-title = Autorisierungscode
dev-code-heading = Konto verknüpft
dev-code-text = Diese Seite ersetzt die Redirect-URI der Sprachplattform. Tauschen Sie den Code innerhalb von { $seconds } Sekunden ein:
dev-callback-error-heading = Verknüpfung nicht abgeschlossen
dev-callback-error-text = linkbroker hat dem Client diesen Fehler gesendet: { $error }
dev-callback-error-hint = Beginnen Sie erneut mit der Autorisierungs-URL, die serve --dev ausgegeben hat.
dev-code-stale = Dieser Code kann nicht mehr eingetauscht werden: Er wurde verwendet oder ist abgelaufen. Verknüpfen Sie erneut, um einen neuen zu erhalten.

## Was der Skill bei POST /alexa sagt

speech-goodbye = Auf Wiedersehen.
speech-link = Bitte verknüpfen Sie Ihr Konto in der Alexa App, um diesen Skill zu nutzen. Ich habe Ihnen dazu eine Karte geschickt.
speech-hello = Hallo, { $name }.
speech-hello-anonymous = Hallo!
speech-help = Sie können Hallo sagen oder fragen, was Sie tun können.
speech-reprompt = Was möchten Sie tun?
speech-didnt-get = Entschuldigung, das habe ich nicht verstanden. { speech-help }
speech-cannot-help = Entschuldigung, dabei kann ich nicht helfen. { speech-help }
speech-not-allowed = Entschuldigung, Ihr Konto ist dazu nicht berechtigt.
speech-allowed = Okay, Ihr Konto ist dazu berechtigt.
speech-unavailable = Entschuldigung, ich kann gerade nicht auf Ihr Konto zugreifen. Bitte versuchen Sie es gleich noch einmal.
speech-permissions =
    { $count ->
        [0] Ihr Konto hat noch keine Berechtigungen.
        [one] Ihr Konto hat die Berechtigung { $list }.
       *[other] Ihr Konto hat die Berechtigungen { $list }.
    }
# Wie eine Liste mit drei oder mehr Einträgen verbunden wird: „a, b und c“.
list-separator = {", "}
list-last = { $init } und { $last }
