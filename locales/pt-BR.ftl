# linkbroker: as palavras que as pessoas veem e ouvem, em português do Brasil.
#
# Every other file in this folder translates this one, key for key: the
# build fails when a catalog lacks a key that this file has (build.rs), and
# a unit test checks that each message uses the same { $variables }.
# Keep messages short: most people read them on a phone, inside the Alexa
# or Google Home app.

## Shared by every page

page-footer = Protegido por linkbroker
back-to-app = Voltar ao app
close-and-retry = Você pode fechar esta página e recomeçar a vinculação pelo app Alexa ou Google Home.

## The hand-off to Amazon (shown only if the browser does not follow the redirect)

handoff-title = Fazendo login
handoff-text = Abrindo a página de login da Amazon…
handoff-continue = Continuar na Amazon
handoff-text-dev = Levando você ao login de desenvolvimento…
handoff-continue-dev = Continuar para o login de desenvolvimento

## Consent, Alexa wording

consent-alexa-title = Vincular sua conta
consent-alexa-intro = { $client } quer vincular sua conta à Alexa.
consent-alexa-can = O app poderá:
consent-alexa-deny = Negar
consent-alexa-allow = Permitir

## Consent, Google wording (Google's account linking guidelines: say the
## account is linked to Google, "Agree and link" and "Cancel")

consent-google-title = Vincular sua conta ao Google
consent-google-intro = { $client } vai vincular sua conta ao Google.
consent-google-can = Após a vinculação, o Google poderá:
consent-google-privacy = Política de Privacidade do Google
consent-google-cancel = Cancelar
consent-google-agree = Concordar e vincular

## Consent, shared

consent-signed-in-as = Você fez login como
scope-profile = Ver seu nome e endereço de e-mail
scope-user-id = Ver o ID da sua conta
scope-other = Usar a permissão “{ $scope }”

## Error pages

error-cannot-link-title = Não foi possível vincular esta conta
error-request-too-large = A solicitação de vinculação é grande demais.
error-request-malformed = A solicitação de vinculação está mal formatada.
error-request-repeats = A solicitação de vinculação informa o app ou o endereço de retorno duas vezes.
error-no-client = A solicitação de vinculação não informa a qual app se destina.
error-unknown-client = Este app não está registrado neste serviço.
error-no-redirect = A solicitação de vinculação não informa para onde voltar.
error-redirect-not-registered = O endereço de retorno da solicitação não está registrado para este app.
error-client-gone = Este app não está mais registrado.

error-sign-in-expired-title = Login expirado
error-sign-in-expired = Este login expirou ou já foi usado.
error-request-expired-title = Solicitação expirada
error-request-expired = Esta solicitação expirou ou já foi respondida.
error-other-browser-title = Login não reconhecido
error-other-browser = Este login foi iniciado em outro navegador ou o cookie foi perdido. Recomece a vinculação neste dispositivo.

error-not-linked-title = Conta não vinculada
error-cancelled = Como você cancelou o login com a Amazon, sua conta não foi vinculada.
error-amazon-refused = A Amazon não conseguiu concluir seu login, por isso sua conta não foi vinculada.
error-email-needed-title = E-mail necessário
error-email-needed = Sua conta da Amazon não compartilhou um endereço de e-mail, que é necessário para a vinculação.
error-no-account-title = Conta não encontrada
error-no-account = Não existe uma conta para { $email } neste serviço. Peça ao administrador para adicionar você e depois vincule novamente.
error-other-amazon-title = Já vinculada a outra conta da Amazon
error-other-amazon = A conta de { $email } já está vinculada a outra conta da Amazon. Faça login com essa conta da Amazon ou peça ajuda ao administrador.
error-disabled-title = Conta desativada
error-disabled = Esta conta foi desativada. Entre em contato com o administrador do serviço.

error-refused-title = Solicitação recusada
error-other-site = Este formulário foi enviado de outro site.
error-form-expired = Este formulário expirou.
error-no-decision-title = Escolha uma resposta
error-no-decision = Escolha se você quer vincular sua conta.

error-sign-in-failed-title = Falha no login
error-dev-sign-in-only = Este servidor usa o login de desenvolvimento.
error-no-code = A resposta de login não continha nenhum código.
error-malformed-callback = A resposta de login está mal formatada.
error-amazon-timeout = A Amazon não respondeu a tempo. Tente vincular novamente daqui a pouco.
error-amazon-failed = Falha no login com a Amazon. Tente vincular novamente.
error-check-email-title = Verifique o e-mail
error-check-email = Digite um endereço de e-mail válido.
error-invalid-title = Solicitação inválida
error-invalid-characters = A solicitação contém caracteres não permitidos.
error-unavailable-title = Tente novamente
error-unavailable = O serviço está temporariamente indisponível. Tente novamente daqui a pouco.
error-too-many-title = Muitas tentativas
error-too-many = Foram feitas muitas tentativas de login a partir da sua rede. Aguarde um minuto e tente novamente.

## The account page (/account): the user's own links

account-title = Sua conta
account-sign-in-text = Faça login para ver quais apps e assistentes de voz estão vinculados à sua conta e para desfazer uma vinculação.
account-sign-in = Fazer login com a Amazon
account-sign-in-dev = Fazer login (desenvolvimento)
account-signed-in-as = Você fez login como
account-links-heading = Apps vinculados
account-no-links = Nada está vinculado à sua conta.
account-linked-on = Vinculado em { $date }
account-last-used = Último uso em { $date }
account-made-alexa = Vinculado no app Alexa
account-made-app = Vinculado por este site
account-made-google = Vinculado no app Google Home
account-unlink = Desvincular
account-unlink-alexa-asks = A Alexa vai pedir que você vincule de novo na próxima vez que usar a skill.
account-unlinked = { $client } foi desvinculado.
account-unlinked-alexa = { $client } foi desvinculado. A Alexa está sendo avisada, e a skill vai sair do seu app Alexa em breve.
account-unlinked-ask-again = { $client } foi desvinculado. A Alexa vai pedir que você vincule de novo na próxima vez que usar a skill.
account-alexa-linked = Alexa: ativada e vinculada
account-alexa-not-linked = Alexa: ativada, mas não vinculada
account-alexa-not-enabled = Alexa: não ativada
account-alexa-unknown = Não foi possível consultar a Alexa agora.
account-link-heading = Vincular à Alexa
account-link-text = Ative { $client } na Alexa e vincule esta conta em uma só etapa.
account-link-with-alexa = Vincular à Alexa
account-sign-out = Sair
account-signed-out = Você saiu da sua conta.
account-back = Voltar para sua conta
account-linked-title = Vinculado à Alexa
account-linked = { $client } está ativado na Alexa e vinculado à sua conta.

## Errors of the account page and of linking with Alexa from it

account-error-session = Sua sessão terminou. Faça login novamente.
account-error-no-link = Esta vinculação não existe ou já foi encerrada.
app-error-title = A vinculação com a Alexa não foi concluída
app-error-cancelled = Como você cancelou na Amazon, nada foi vinculado.
app-error-amazon-refused = A Amazon não aceitou o login (ele pode ter expirado). Nada foi vinculado. Tente novamente.
app-error-enablement-refused = A Alexa se recusou a ativar a skill para sua conta. Nada foi vinculado. Se isso acontecer de novo, entre em contato com o serviço.
app-error-alexa-unavailable = A Alexa não respondeu a tempo. Nada foi vinculado. Tente novamente daqui a pouco.
app-error-expired = Esta tentativa de vinculação expirou ou já foi usada. Comece de novo pela página da sua conta.
app-error-not-offered = A vinculação com a Alexa por este site não está disponível para este app.
app-error-already-linked = { $client } já está vinculado à sua conta.

## Development sign-in (serve --dev only)

dev-banner = SOMENTE PARA DESENVOLVIMENTO: esta página de login aceita qualquer e-mail. Nunca use --dev em produção.
dev-title = Login de desenvolvimento
dev-hint = Substitui o Login with Amazon durante o desenvolvimento. Digite qualquer e-mail e nome.
dev-email = E-mail
dev-name = Nome
dev-sign-in = Fazer login
dev-only = SOMENTE PARA DESENVOLVIMENTO
dev-code-title = Código de autorização
dev-code-heading = Conta vinculada
dev-code-text = Esta página substitui o redirect URI da plataforma de voz. Troque o código em até { $seconds } segundos:
dev-callback-error-heading = A vinculação não foi concluída
dev-callback-error-text = O linkbroker enviou este erro ao cliente: { $error }
dev-callback-error-hint = Comece de novo pela URL de autorização que o serve --dev mostrou.
dev-code-stale = Este código não pode mais ser trocado: ele já foi usado ou expirou. Vincule de novo para receber outro.

## What the skill says on POST /alexa

speech-goodbye = Até logo.
speech-link = Para usar esta skill, vincule sua conta no app Alexa. Enviei um cartão lá para ajudar você.
speech-hello = Olá, { $name }.
speech-hello-anonymous = Olá!
speech-help = Você pode dizer olá ou perguntar o que pode fazer.
speech-reprompt = O que você gostaria de fazer?
speech-didnt-get = Desculpe, não entendi. { speech-help }
speech-cannot-help = Desculpe, não posso ajudar com isso. { speech-help }
speech-not-allowed = Desculpe, sua conta não tem permissão para fazer isso.
speech-allowed = Certo, sua conta tem permissão para fazer isso.
speech-unavailable = Desculpe, não consigo acessar sua conta agora. Tente de novo daqui a pouco.
speech-permissions =
    { $count ->
        [0] Sua conta ainda não tem nenhuma permissão.
        [one] Sua conta tem a permissão { $list }.
        [many] Sua conta tem as permissões { $list }.
       *[other] Sua conta tem as permissões { $list }.
    }
# How a list of three or more is joined: "a, b and c".
list-separator = {", "}
list-last = { $init } e { $last }
