# linkbroker: the words people see and hear, in Spanish.
#
# This file translates en.ftl, key for key: the build fails when a catalog
# lacks a key that en.ftl has (build.rs), and a unit test checks that each
# message uses the same { $variables }.
# Keep messages short: most people read them on a phone, inside the Alexa
# or Google Home app.

## Shared by every page

page-footer = Protegido por linkbroker
back-to-app = Volver a la app
close-and-retry = Puedes cerrar esta página y volver a iniciar la vinculación desde la app Alexa o Google Home.

## The hand-off to Amazon (shown only if the browser does not follow the redirect)

handoff-title = Iniciando sesión
handoff-text = Te llevamos a Amazon para iniciar sesión…
handoff-continue = Ir a Amazon
handoff-text-dev = Te llevamos al inicio de sesión de desarrollo…
handoff-continue-dev = Continuar al inicio de sesión de desarrollo

## Consent, Alexa wording

consent-alexa-title = Vincula tu cuenta
consent-alexa-intro = { $client } quiere vincular tu cuenta con Alexa.
consent-alexa-can = Podrá:
consent-alexa-deny = Rechazar
consent-alexa-allow = Permitir

## Consent, Google wording (Google's account linking guidelines: say the
## account is linked to Google, "Agree and link" and "Cancel")

consent-google-title = Vincula tu cuenta con Google
consent-google-intro = { $client } vinculará tu cuenta con Google.
consent-google-can = Una vez vinculada, Google podrá:
consent-google-privacy = Política de Privacidad de Google
consent-google-cancel = Cancelar
consent-google-agree = Aceptar y vincular

## Consent, shared

consent-signed-in-as = Sesión iniciada como
scope-profile = Ver tu nombre y correo electrónico
scope-user-id = Ver el ID de tu cuenta
scope-other = Usar el permiso «{ $scope }»

## Error pages

error-cannot-link-title = No se puede vincular esta cuenta
error-request-too-large = La solicitud de vinculación es demasiado grande.
error-request-malformed = La solicitud de vinculación tiene un formato incorrecto.
error-request-repeats = La solicitud de vinculación indica dos veces su app o su dirección de retorno.
error-no-client = La solicitud de vinculación no indica para qué app es.
error-unknown-client = Esta app no está registrada en este servicio.
error-no-redirect = La solicitud de vinculación no indica adónde volver.
error-redirect-not-registered = La dirección de retorno de la solicitud no está registrada para esta app.
error-client-gone = Esta app ya no está registrada.

error-sign-in-expired-title = Inicio de sesión caducado
error-sign-in-expired = Este inicio de sesión ha caducado o ya se ha usado.
error-request-expired-title = Solicitud caducada
error-request-expired = Esta solicitud ha caducado o ya se ha respondido.
error-other-browser-title = Inicio de sesión no reconocido
error-other-browser = Este inicio de sesión empezó en otro navegador o se ha perdido su cookie. Vuelve a iniciar la vinculación en este dispositivo.

error-not-linked-title = Cuenta no vinculada
error-cancelled = Has cancelado el inicio de sesión con Amazon, así que tu cuenta no se ha vinculado.
error-amazon-refused = Amazon no ha podido iniciar tu sesión, así que tu cuenta no se ha vinculado.
error-email-needed-title = Se necesita un correo
error-email-needed = Tu cuenta de Amazon no ha compartido ningún correo electrónico y se necesita uno para vincularla.
error-no-account-title = Cuenta no encontrada
error-no-account = No hay ninguna cuenta para { $email } en este servicio. Pide al administrador que te agregue y vuelve a intentarlo.
error-other-amazon-title = Ya vinculada con otra cuenta de Amazon
error-other-amazon = La cuenta de { $email } ya está vinculada con otra cuenta de Amazon. Inicia sesión con esa cuenta de Amazon o pide ayuda al administrador.
error-disabled-title = Cuenta desactivada
error-disabled = Esta cuenta está desactivada. Ponte en contacto con el administrador del servicio.

error-refused-title = Solicitud rechazada
error-other-site = Este formulario se ha enviado desde otro sitio.
error-form-expired = Este formulario ha caducado.
error-no-decision-title = Elige una respuesta
error-no-decision = Elige si quieres vincular tu cuenta.

error-sign-in-failed-title = Error al iniciar sesión
error-dev-sign-in-only = Este servidor usa el inicio de sesión de desarrollo.
error-no-code = La respuesta de inicio de sesión no incluía ningún código.
error-malformed-callback = La respuesta de inicio de sesión tenía un formato incorrecto.
error-amazon-timeout = Amazon no ha respondido a tiempo. Vuelve a intentar la vinculación en un momento.
error-amazon-failed = No se ha podido iniciar sesión con Amazon. Vuelve a intentar la vinculación.
error-check-email-title = Revisa la dirección de correo
error-check-email = Escribe una dirección de correo electrónico válida.
error-invalid-title = Solicitud no válida
error-invalid-characters = La solicitud contiene caracteres no permitidos.
error-unavailable-title = Vuelve a intentarlo
error-unavailable = El servicio no está disponible temporalmente. Vuelve a intentarlo en un momento.
error-too-many-title = Demasiados intentos
error-too-many = Ha habido demasiados intentos de inicio de sesión desde tu red. Espera un minuto y vuelve a intentarlo.

## The account page (/account): the user's own links

account-title = Tu cuenta
account-sign-in-text = Inicia sesión para ver qué apps y asistentes de voz están vinculados con tu cuenta, y para desvincularlos.
account-sign-in = Iniciar sesión con Amazon
account-sign-in-dev = Iniciar sesión (desarrollo)
account-signed-in-as = Sesión iniciada como
account-links-heading = Apps vinculadas
account-no-links = No hay nada vinculado con tu cuenta.
account-linked-on = Se vinculó el { $date }
account-last-used = Último uso: { $date }
account-made-alexa = Se vinculó en la app Alexa
account-made-app = Se vinculó desde este sitio web
account-made-google = Se vinculó en la app Google Home
account-unlink = Desvincular
account-unlink-alexa-asks = Alexa te pedirá que vuelvas a vincular la cuenta la próxima vez que uses la skill.
account-unlinked = { $client } se ha desvinculado.
account-unlinked-alexa = { $client } se ha desvinculado. Se está avisando a Alexa, y la skill desaparecerá pronto de tu app Alexa.
account-unlinked-ask-again = { $client } se ha desvinculado. Alexa te pedirá que vuelvas a vincular la cuenta la próxima vez que uses la skill.
account-alexa-linked = Alexa: activada y vinculada
account-alexa-not-linked = Alexa: activada, pero no vinculada
account-alexa-not-enabled = Alexa: no activada
account-alexa-unknown = No se ha podido consultar a Alexa en este momento.
account-link-heading = Vincular con Alexa
account-link-text = Activa { $client } en Alexa y vincula esta cuenta en un solo paso.
account-link-with-alexa = Vincular con Alexa
account-sign-out = Cerrar sesión
account-signed-out = Has cerrado sesión.
account-back = Volver a tu cuenta
account-linked-title = Vinculación con Alexa completada
account-linked = Se ha activado { $client } en Alexa y se ha vinculado con tu cuenta.

## Errors of the account page and of linking with Alexa from it

account-error-session = Tu sesión ha terminado. Vuelve a iniciar sesión.
account-error-no-link = Esta vinculación no existe o ya ha terminado.
app-error-title = La vinculación con Alexa no se completó
app-error-cancelled = Has cancelado en Amazon, así que no se ha vinculado nada.
app-error-amazon-refused = Amazon no ha aceptado el inicio de sesión (puede que haya caducado). No se ha vinculado nada. Vuelve a intentarlo.
app-error-enablement-refused = Alexa se ha negado a activar la skill para tu cuenta. No se ha vinculado nada. Si vuelve a ocurrir, ponte en contacto con el servicio.
app-error-alexa-unavailable = Alexa no ha respondido a tiempo. No se ha vinculado nada. Vuelve a intentarlo en un momento.
app-error-expired = Este intento de vinculación ha caducado o ya se ha usado. Vuelve a empezar desde la página de tu cuenta.
app-error-not-offered = La vinculación con Alexa desde este sitio web no está disponible para esta app.
app-error-already-linked = Tu cuenta ya está vinculada con { $client }.

## Development sign-in (serve --dev only)

dev-banner = SOLO PARA DESARROLLO: esta página de inicio de sesión acepta cualquier correo. Nunca uses --dev en producción.
dev-title = Inicio de sesión de desarrollo
dev-hint = Sustituye a Login with Amazon mientras desarrollas. Escribe cualquier correo y nombre.
dev-email = Correo electrónico
dev-name = Nombre
dev-sign-in = Iniciar sesión
dev-only = SOLO PARA DESARROLLO
dev-code-title = Código de autorización
dev-code-heading = Cuenta vinculada
dev-code-text = Esta página sustituye a la URI de redirección de la plataforma de voz. Intercambia el código en un plazo de { $seconds } segundos:
dev-callback-error-heading = La vinculación no se completó
dev-callback-error-text = linkbroker envió este error al cliente: { $error }
dev-callback-error-hint = Vuelve a empezar desde la URL de autorización que mostró serve --dev.
dev-code-stale = Este código ya no se puede canjear: se usó o caducó. Vuelve a vincular la cuenta para obtener uno nuevo.

## What the skill says on POST /alexa

speech-goodbye = Adiós.
speech-link = Para usar esta skill, vincula tu cuenta en la app Alexa. Te he enviado una tarjeta para ayudarte.
speech-hello = Hola, { $name }.
speech-hello-anonymous = ¡Hola!
speech-help = Puedes decir hola o preguntar qué puedes hacer.
speech-reprompt = ¿Qué quieres hacer?
speech-didnt-get = Perdona, no te he entendido. { speech-help }
speech-cannot-help = Lo siento, no puedo ayudarte con eso. { speech-help }
speech-not-allowed = Lo siento, tu cuenta no tiene permiso para hacer eso.
speech-allowed = De acuerdo, tu cuenta tiene permiso para hacer eso.
speech-unavailable = Lo siento, ahora no puedo acceder a tu cuenta. Inténtalo de nuevo en un momento.
speech-permissions =
    { $count ->
        [0] Tu cuenta aún no tiene permisos.
        [one] Tu cuenta tiene el permiso { $list }.
        [many] Tu cuenta tiene los permisos { $list }.
       *[other] Tu cuenta tiene los permisos { $list }.
    }
# How a list of three or more is joined: "a, b y c".
list-separator = {", "}
list-last = { $init } y { $last }
