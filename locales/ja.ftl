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
