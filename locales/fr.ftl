# linkbroker : les mots que l’on voit et entend, en français.
#
# Ce fichier traduit en.ftl, clé pour clé : la compilation échoue si un
# catalogue n’a pas une clé de en.ftl (build.rs), et un test unitaire
# vérifie que chaque message utilise les mêmes { $variables }.
# Messages courts : la plupart des gens les lisent sur un téléphone, dans
# l’application Alexa ou Google Home.

## Commun à toutes les pages

page-footer = Sécurisé par linkbroker
back-to-app = Retour à l’application
close-and-retry = Vous pouvez fermer cette page et relancer l’association depuis l’application Alexa ou Google Home.

## Le passage vers Amazon (affiché seulement si le navigateur ne suit pas la redirection)

handoff-title = Connexion en cours
handoff-text = Redirection vers Amazon pour vous connecter…
handoff-continue = Continuer vers Amazon
handoff-text-dev = Redirection vers la connexion de développement…
handoff-continue-dev = Continuer vers la connexion de développement

## Consentement, formulation Alexa

consent-alexa-title = Associer votre compte
consent-alexa-intro = { $client } souhaite associer votre compte à Alexa.
consent-alexa-can = Cette application pourra :
consent-alexa-deny = Refuser
consent-alexa-allow = Autoriser

## Consentement, formulation Google (consignes d’association de comptes de
## Google : dire que le compte est associé à Google, « Accepter et associer »
## et « Annuler »)

consent-google-title = Associer votre compte à Google
consent-google-intro = { $client } va associer votre compte à Google.
consent-google-can = Une fois votre compte associé, Google pourra :
consent-google-privacy = Règles de confidentialité de Google
consent-google-cancel = Annuler
consent-google-agree = Accepter et associer

## Consentement, commun

consent-signed-in-as = Connecté en tant que
scope-profile = Voir votre nom et votre adresse e-mail
scope-user-id = Voir l’identifiant de votre compte
scope-other = Utiliser l’autorisation « { $scope } »

## Pages d’erreur

error-cannot-link-title = Association impossible
error-request-too-large = La demande d’association est trop volumineuse.
error-request-malformed = La demande d’association est mal formée.
error-request-repeats = La demande d’association indique deux fois son application ou son adresse de retour.
error-no-client = La demande d’association n’indique pas l’application concernée.
error-unknown-client = Cette application n’est pas enregistrée auprès de ce service.
error-no-redirect = La demande d’association n’indique pas d’adresse de retour.
error-redirect-not-registered = L’adresse de retour de la demande n’est pas enregistrée pour cette application.
error-client-gone = Cette application n’est plus enregistrée.

error-sign-in-expired-title = Connexion expirée
error-sign-in-expired = Cette connexion a expiré ou a déjà été utilisée.
error-request-expired-title = Demande expirée
error-request-expired = Cette demande a expiré ou a déjà reçu une réponse.
error-other-browser-title = Connexion non reconnue
error-other-browser = Cette connexion a été lancée dans un autre navigateur, ou son cookie a été perdu. Veuillez relancer l’association sur cet appareil.

error-not-linked-title = Compte non associé
error-cancelled = Vous avez annulé la connexion avec Amazon ; votre compte n’a donc pas été associé.
error-amazon-refused = Amazon n’a pas pu vous connecter ; votre compte n’a donc pas été associé.
error-email-needed-title = Adresse e-mail requise
error-email-needed = Une adresse e-mail est nécessaire pour associer votre compte, mais votre compte Amazon n’en a partagé aucune.
error-no-account-title = Compte introuvable
error-no-account = Aucun compte n’existe ici pour { $email }. Demandez à l’administrateur du service de vous ajouter, puis réessayez.
error-other-amazon-title = Déjà associé à un autre compte Amazon
error-other-amazon = Le compte de { $email } est déjà associé à un autre compte Amazon. Connectez-vous avec ce compte Amazon ou demandez de l’aide à l’administrateur.
error-disabled-title = Compte désactivé
error-disabled = Ce compte a été désactivé. Contactez l’administrateur du service.

error-refused-title = Demande refusée
error-other-site = Ce formulaire a été envoyé depuis un autre site.
error-form-expired = Ce formulaire a expiré.
error-no-decision-title = Choisissez une réponse
error-no-decision = Veuillez indiquer si vous souhaitez associer votre compte.

error-sign-in-failed-title = Échec de la connexion
error-dev-sign-in-only = Ce serveur utilise la connexion de développement.
error-no-code = La réponse de connexion ne contenait aucun code.
error-malformed-callback = La réponse de connexion était mal formée.
error-amazon-timeout = Amazon n’a pas répondu à temps. Veuillez réessayer dans un instant.
error-amazon-failed = La connexion avec Amazon a échoué. Veuillez réessayer.
error-check-email-title = Vérifiez l’adresse e-mail
error-check-email = Veuillez saisir une adresse e-mail valide.
error-invalid-title = Demande non valide
error-invalid-characters = La demande contient des caractères non autorisés.
error-unavailable-title = Veuillez réessayer
error-unavailable = Le service est momentanément indisponible. Veuillez réessayer dans un instant.
error-too-many-title = Trop de tentatives
error-too-many = Trop de tentatives de connexion depuis votre réseau. Patientez une minute, puis réessayez.

## La page du compte (/account) : les associations de l’utilisateur

account-title = Votre compte
account-sign-in-text = Connectez-vous pour voir les applications et assistants vocaux associés à votre compte, et pour mettre fin à une association.
account-sign-in = Se connecter avec Amazon
account-sign-in-dev = Se connecter (développement)
account-signed-in-as = Connecté en tant que
account-links-heading = Applications associées
account-no-links = Rien n’est associé à votre compte.
account-linked-on = Associé le { $date }
account-last-used = Dernière utilisation le { $date }
account-made-alexa = Associé dans l’application Alexa
account-made-app = Associé depuis ce site web
account-made-google = Associé dans l’application Google Home
account-unlink = Dissocier
account-unlink-alexa-asks = Alexa vous demandera d’associer à nouveau votre compte la prochaine fois que vous utiliserez la skill.
account-unlinked = L’association avec { $client } a été supprimée.
account-unlinked-alexa = L’association avec { $client } a été supprimée. Alexa en est informée, et la skill disparaîtra bientôt de votre application Alexa.
account-unlinked-ask-again = L’association avec { $client } a été supprimée. Alexa vous demandera d’associer à nouveau votre compte la prochaine fois que vous utiliserez la skill.
account-alexa-linked = Alexa : activée et associée
account-alexa-not-linked = Alexa : activée, mais non associée
account-alexa-not-enabled = Alexa : non activée
account-alexa-unknown = Impossible d’interroger Alexa pour le moment.
account-link-heading = Associer à Alexa
account-link-text = Activez { $client } dans Alexa et associez ce compte en une seule étape.
account-link-with-alexa = Associer à Alexa
account-sign-out = Se déconnecter
account-signed-out = Vous êtes déconnecté.
account-back = Retour à votre compte
account-linked-title = Associé à Alexa
account-linked = { $client } est activé dans Alexa et associé à votre compte.

## Erreurs de la page du compte et de l’association avec Alexa depuis celle-ci

account-error-session = Votre session a pris fin. Veuillez vous reconnecter.
account-error-no-link = Cette association n’existe pas ou a déjà pris fin.
app-error-title = L’association avec Alexa n’a pas abouti
app-error-cancelled = Vous avez annulé sur Amazon ; rien n’a donc été associé.
app-error-amazon-refused = Amazon n’a pas accepté la connexion (elle a peut-être expiré). Rien n’a été associé. Veuillez réessayer.
app-error-enablement-refused = Alexa a refusé d’activer la skill pour votre compte. Rien n’a été associé. Si cela se reproduit, contactez le service.
app-error-alexa-unavailable = Alexa n’a pas répondu à temps. Rien n’a été associé. Veuillez réessayer dans un instant.
app-error-expired = Cette tentative d’association a expiré ou a déjà été utilisée. Recommencez depuis la page de votre compte.
app-error-not-offered = L’association avec Alexa depuis ce site web n’est pas disponible pour cette application.
app-error-already-linked = Votre compte est déjà associé à { $client }.

## Connexion de développement (serve --dev uniquement)

dev-banner = DÉVELOPPEMENT UNIQUEMENT : cette page de connexion accepte n’importe quelle adresse e-mail. N’utilisez jamais --dev en production.
dev-title = Connexion de développement
dev-hint = Remplace Login with Amazon pendant le développement. Saisissez n’importe quelle adresse e-mail et n’importe quel nom.
dev-email = Adresse e-mail
dev-name = Nom
dev-sign-in = Se connecter
dev-only = DÉVELOPPEMENT UNIQUEMENT
dev-code-title = Code d’autorisation
dev-code-heading = Compte associé
dev-code-text = Cette page remplace l’URI de redirection de la plateforme vocale. Échangez le code dans les { $seconds } secondes :
dev-callback-error-heading = L’association n’a pas abouti
dev-callback-error-text = linkbroker a envoyé cette erreur au client : { $error }
dev-callback-error-hint = Recommencez depuis l’URL d’autorisation affichée par serve --dev.
dev-code-stale = Ce code ne peut plus être échangé : il a déjà servi ou a expiré. Associez à nouveau le compte pour en obtenir un autre.

## Ce que dit la skill sur POST /alexa

speech-goodbye = Au revoir.
speech-link = Pour utiliser cette skill, veuillez associer votre compte dans l’application Alexa. Je vous ai envoyé une carte pour vous aider.
speech-hello = Bonjour, { $name }.
speech-hello-anonymous = Bonjour !
speech-help = Vous pouvez me dire bonjour ou me demander ce que vous pouvez faire.
speech-reprompt = Que souhaitez-vous faire ?
speech-didnt-get = Désolée, je n’ai pas compris. { speech-help }
speech-cannot-help = Désolée, je ne peux pas vous aider pour cela. { speech-help }
speech-not-allowed = Désolée, votre compte n’est pas autorisé à faire cela.
speech-allowed = D’accord, votre compte est autorisé à faire cela.
speech-unavailable = Désolée, je n’arrive pas à accéder à votre compte pour le moment. Veuillez réessayer dans quelques instants.
speech-permissions =
    { $count ->
        [0] Votre compte n’a encore aucune autorisation.
        [one] Votre compte a l’autorisation { $list }.
       *[other] Votre compte a les autorisations { $list }.
    }
# Comment une liste de trois éléments ou plus est jointe : « a, b et c ».
list-separator = {", "}
list-last = { $init } et { $last }
