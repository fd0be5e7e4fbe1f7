# linkbroker: 画面に表示される文言と読み上げられる文言（日本語）。
#
# このファイルは en.ftl をキーごとに翻訳したものです。en.ftl にあるキーが
# 欠けているとビルドが失敗し（build.rs）、各メッセージが同じ { $variables } を
# 使っているかは単体テストで確認されます。
# メッセージは短くしてください。多くの人は Alexa アプリや Google Home アプリの
# 中で、スマートフォンから読みます。

## すべてのページで共通

page-footer = linkbroker で保護されています
back-to-app = アプリに戻る
close-and-retry = このページを閉じて、Alexa アプリまたは Google Home アプリからリンクをやり直してください。

## Amazon への引き継ぎ（ブラウザがリダイレクトしない場合のみ表示）

handoff-title = ログインしています
handoff-text = Amazon のログイン画面に移動しています…
handoff-continue = Amazon に進む
handoff-text-dev = 開発用サインインに移動しています…
handoff-continue-dev = 開発用サインインに進む

## 同意画面（Alexa 向けの文言）

consent-alexa-title = アカウントをリンク
consent-alexa-intro = { $client } がアカウントを Alexa にリンクする許可を求めています。
consent-alexa-can = 次のことが許可されます：
consent-alexa-deny = 拒否
consent-alexa-allow = 許可

## 同意画面（Google 向けの文言。Google のアカウント リンクのガイドラインに従い、
## アカウントが Google にリンクされることを伝え、「同意してリンク」と「キャンセル」を使う）

consent-google-title = アカウントを Google にリンク
consent-google-intro = { $client } がアカウントを Google にリンクします。
consent-google-can = リンクすると、Google は次のことができるようになります：
consent-google-privacy = Google プライバシー ポリシー
consent-google-cancel = キャンセル
consent-google-agree = 同意してリンク

## 同意画面（共通）

consent-signed-in-as = ログイン中のアカウント
scope-profile = 名前とメールアドレスの確認
scope-user-id = アカウント ID の確認
scope-other = 「{ $scope }」権限の使用

## エラーページ

error-cannot-link-title = アカウントをリンクできません
error-request-too-large = リンクのリクエストが大きすぎます。
error-request-malformed = リンクのリクエストの形式が正しくありません。
error-request-repeats = リンクのリクエストで、アプリまたは戻り先アドレスが重複して指定されています。
error-no-client = リンクのリクエストに、対象のアプリが指定されていません。
error-unknown-client = このアプリはこのサービスに登録されていません。
error-no-redirect = リンクのリクエストに、戻り先が指定されていません。
error-redirect-not-registered = リンクのリクエストの戻り先アドレスは、このアプリに登録されていません。
error-client-gone = このアプリの登録は解除されています。

error-sign-in-expired-title = ログインの有効期限が切れました
error-sign-in-expired = このログインは有効期限が切れているか、すでに使用されています。
error-request-expired-title = リクエストの有効期限が切れました
error-request-expired = このリクエストは有効期限が切れているか、すでに回答済みです。
error-other-browser-title = ログインを確認できません
error-other-browser = このログインは別のブラウザで開始されたか、Cookie が失われています。このデバイスでリンクをやり直してください。

error-not-linked-title = アカウントはリンクされませんでした
error-cancelled = Amazon でのログインがキャンセルされたため、アカウントはリンクされませんでした。
error-amazon-refused = Amazon でログインできなかったため、アカウントはリンクされませんでした。
error-email-needed-title = メールアドレスが必要です
error-email-needed = Amazon アカウントからメールアドレスが共有されませんでした。リンクにはメールアドレスが必要です。
error-no-account-title = アカウントが見つかりません
error-no-account = このサービスには { $email } のアカウントがありません。サービスの管理者に追加を依頼してから、もう一度リンクしてください。
error-other-amazon-title = 別の Amazon アカウントにリンク済みです
error-other-amazon = { $email } のアカウントは、すでに別の Amazon アカウントにリンクされています。その Amazon アカウントでログインするか、管理者にお問い合わせください。
error-disabled-title = アカウントが無効です
error-disabled = このアカウントは無効になっています。サービスの管理者にお問い合わせください。

error-refused-title = リクエストが拒否されました
error-other-site = このフォームは別のサイトから送信されました。
error-form-expired = このフォームは有効期限が切れています。
error-no-decision-title = 回答を選択してください
error-no-decision = アカウントをリンクするかどうかを選択してください。

error-sign-in-failed-title = ログインに失敗しました
error-dev-sign-in-only = このサーバーでは開発用のログインを使用しています。
error-no-code = ログインの応答にコードが含まれていません。
error-malformed-callback = ログインの応答の形式が正しくありません。
error-amazon-timeout = Amazon から時間内に応答がありませんでした。しばらくしてから、もう一度リンクしてください。
error-amazon-failed = Amazon でのログインに失敗しました。もう一度リンクしてください。
error-check-email-title = メールアドレスを確認してください
error-check-email = 有効なメールアドレスを入力してください。
error-invalid-title = 無効なリクエスト
error-invalid-characters = リクエストに使用できない文字が含まれています。
error-unavailable-title = もう一度お試しください
error-unavailable = サービスが一時的に利用できません。しばらくしてから、もう一度お試しください。
error-too-many-title = 試行回数が多すぎます
error-too-many = お使いのネットワークからのログイン試行が多すぎます。1 分ほど待ってから、もう一度お試しください。

## アカウントページ（/account）：ユーザー自身のリンク

account-title = アカウント
account-sign-in-text = ログインすると、アカウントにリンクされているアプリや音声アシスタントを確認し、リンクを解除できます。
account-sign-in = Amazon でログイン
account-sign-in-dev = ログイン（開発用）
account-signed-in-as = ログイン中のアカウント
account-links-heading = リンク済みのアプリ
account-no-links = アカウントにリンクされているものはありません。
account-linked-on = リンク日：{ $date }
account-last-used = 最終利用日：{ $date }
account-made-alexa = Alexa アプリでリンク
account-made-app = このウェブサイトからリンク
account-made-google = Google Home アプリでリンク
account-unlink = リンクを解除
account-unlink-alexa-asks = 次にスキルを使うとき、Alexa からもう一度リンクするよう求められます。
account-unlinked = { $client } のリンクを解除しました。
account-unlinked-alexa = { $client } のリンクを解除しました。Alexa に通知しています。まもなく Alexa アプリからスキルが削除されます。
account-unlinked-ask-again = { $client } のリンクを解除しました。次にスキルを使うとき、Alexa からもう一度リンクするよう求められます。
account-alexa-linked = Alexa：有効・リンク済み
account-alexa-not-linked = Alexa：有効・未リンク
account-alexa-not-enabled = Alexa：無効
account-alexa-unknown = 現在、Alexa の状態を確認できません。
account-link-heading = Alexa とリンク
account-link-text = Alexa で { $client } を有効にし、このアカウントとのリンクもまとめて行います。
account-link-with-alexa = Alexa とリンク
account-sign-out = ログアウト
account-signed-out = ログアウトしました。
account-back = アカウントに戻る
account-linked-title = Alexa とリンクしました
account-linked = { $client } が Alexa で有効になり、アカウントにリンクされました。

## アカウントページと、そこから Alexa とリンクする際のエラー

account-error-session = セッションが終了しました。もう一度ログインしてください。
account-error-no-link = このリンクは存在しないか、すでに解除されています。
app-error-title = Alexa とのリンクは完了しませんでした
app-error-cancelled = Amazon でキャンセルされたため、何もリンクされませんでした。
app-error-amazon-refused = Amazon でログインが受け付けられませんでした（有効期限が切れた可能性があります）。何もリンクされていません。もう一度お試しください。
app-error-enablement-refused = Alexa がお使いのアカウントでのスキルの有効化を拒否しました。何もリンクされていません。繰り返し発生する場合は、サービスにお問い合わせください。
app-error-alexa-unavailable = Alexa から時間内に応答がありませんでした。何もリンクされていません。しばらくしてから、もう一度お試しください。
app-error-expired = このリンクの試行は有効期限が切れているか、すでに使用されています。アカウントページからやり直してください。
app-error-not-offered = このアプリでは、このウェブサイトから Alexa とリンクすることはできません。
app-error-already-linked = { $client } はすでにアカウントにリンクされています。

## 開発用ログイン（serve --dev の場合のみ）

dev-banner = 開発専用：このログインページはどのメールアドレスでも受け付けます。本番環境では絶対に --dev を使用しないでください。
dev-title = 開発用ログイン
dev-hint = 開発中に Login with Amazon の代わりとして使います。任意のメールアドレスと名前を入力してください。
dev-email = メールアドレス
dev-name = 名前
dev-sign-in = ログイン
dev-only = 開発専用
dev-code-title = 認可コード
dev-code-heading = アカウントがリンクされました
dev-code-text = このページは、音声プラットフォームのリダイレクト URI の代わりです。{ $seconds } 秒以内にコードを交換してください：
dev-callback-error-heading = リンクは完了しませんでした
dev-callback-error-text = linkbroker はクライアントに次のエラーを送りました：{ $error }
dev-callback-error-hint = serve --dev が表示した認可 URL からやり直してください。
dev-code-stale = このコードはもう交換できません（使用済みか期限切れです）。もう一度リンクして新しいコードを取得してください。

## POST /alexa でスキルが話す内容

speech-goodbye = ご利用ありがとうございました。
speech-link = このスキルを使うには、Alexa アプリでアカウントをリンクしてください。リンク用のカードをアプリに送りました。
speech-hello = こんにちは、{ $name } さん。
speech-hello-anonymous = こんにちは！
speech-help = 「こんにちは」と言ったり、「何ができる？」と聞いたりできます。
speech-reprompt = 何をしましょうか？
speech-didnt-get = すみません、よくわかりませんでした。{ speech-help }
speech-cannot-help = すみません、それはお手伝いできません。{ speech-help }
speech-not-allowed = すみません、お使いのアカウントにはその操作が許可されていません。
speech-allowed = はい、お使いのアカウントにはその操作が許可されています。
speech-unavailable = すみません、今はアカウントにアクセスできません。しばらくしてから、もう一度お試しください。
speech-permissions =
    { $count ->
        [0] お使いのアカウントには、まだ権限がありません。
       *[other] お使いのアカウントには、{ $list } の権限があります。
    }
# 3 つ以上の項目をつなぐ方法（例: 「a、b と c」）。
list-separator = {"、"}
list-last = { $init } と { $last }
