# linkbroker: the words people see and hear, in Hindi (India).
#
# Every other file in this folder translates en.ftl, key for key: the
# build fails when a catalog lacks a key that en.ftl has (build.rs), and
# a unit test checks that each message uses the same { $variables }.
# Keep messages short: most people read them on a phone, inside the Alexa
# or Google Home app.

## Shared by every page

page-footer = linkbroker द्वारा सुरक्षित
back-to-app = ऐप पर वापस जाएं
close-and-retry = आप यह पेज बंद करके Alexa या Google Home ऐप से फिर से लिंक करना शुरू कर सकते हैं।

## The hand-off to Amazon (shown only if the browser does not follow the redirect)

handoff-title = साइन इन हो रहा है
handoff-text = साइन इन के लिए आपको Amazon पर ले जाया जा रहा है…
handoff-continue = Amazon पर जाएं
handoff-text-dev = आपको डेवलपमेंट साइन-इन पर ले जाया जा रहा है…
handoff-continue-dev = डेवलपमेंट साइन-इन पर जाएँ

## Consent, Alexa wording

consent-alexa-title = अपना अकाउंट लिंक करें
consent-alexa-intro = { $client } आपके अकाउंट को Alexa से लिंक करना चाहता है।
consent-alexa-can = यह ये काम कर पाएगा:
consent-alexa-deny = अस्वीकार करें
consent-alexa-allow = अनुमति दें

## Consent, Google wording (Google's account linking guidelines: say the
## account is linked to Google, "Agree and link" and "Cancel")

consent-google-title = अपना अकाउंट Google से लिंक करें
consent-google-intro = { $client } आपके अकाउंट को Google से लिंक करेगा।
consent-google-can = लिंक होने के बाद, Google ये काम कर पाएगा:
consent-google-privacy = Google निजता नीति
consent-google-cancel = रद्द करें
consent-google-agree = सहमत हूं और लिंक करें

## Consent, shared

consent-signed-in-as = इस अकाउंट से साइन इन किया है
scope-profile = आपका नाम और ईमेल पता देखना
scope-user-id = आपकी अकाउंट आईडी देखना
scope-other = “{ $scope }” अनुमति का इस्तेमाल करना

## Error pages

error-cannot-link-title = यह अकाउंट लिंक नहीं हो सकता
error-request-too-large = लिंक करने का अनुरोध बहुत बड़ा है।
error-request-malformed = लिंक करने का अनुरोध सही फ़ॉर्मैट में नहीं है।
error-request-repeats = लिंक करने के अनुरोध में ऐप या वापसी का पता दो बार दिया गया है।
error-no-client = लिंक करने के अनुरोध में यह नहीं बताया गया है कि यह किस ऐप के लिए है।
error-unknown-client = यह ऐप इस सेवा में रजिस्टर नहीं है।
error-no-redirect = लिंक करने के अनुरोध में यह नहीं बताया गया है कि वापस कहां जाना है।
error-redirect-not-registered = लिंक करने के अनुरोध का वापसी पता इस ऐप के लिए रजिस्टर नहीं है।
error-client-gone = यह ऐप अब रजिस्टर नहीं है।

error-sign-in-expired-title = साइन इन की समय-सीमा खत्म
error-sign-in-expired = इस साइन इन की समय-सीमा खत्म हो गई है या इसका पहले ही इस्तेमाल हो चुका है।
error-request-expired-title = अनुरोध की समय-सीमा खत्म
error-request-expired = इस अनुरोध की समय-सीमा खत्म हो गई है या इसका जवाब पहले ही दिया जा चुका है।
error-other-browser-title = साइन इन की पहचान नहीं हो सकी
error-other-browser = यह साइन इन किसी दूसरे ब्राउज़र में शुरू किया गया था, या इसकी कुकी मिट गई। कृपया इसी डिवाइस पर फिर से लिंक करना शुरू करें।

error-not-linked-title = अकाउंट लिंक नहीं हुआ
error-cancelled = आपने Amazon से साइन इन करना रद्द कर दिया, इसलिए आपका अकाउंट लिंक नहीं हुआ।
error-amazon-refused = Amazon पर आपका साइन इन नहीं हो सका, इसलिए आपका अकाउंट लिंक नहीं हुआ।
error-email-needed-title = ईमेल ज़रूरी है
error-email-needed = आपके Amazon अकाउंट ने ईमेल पता शेयर नहीं किया, जो लिंक करने के लिए ज़रूरी है।
error-no-account-title = अकाउंट नहीं मिला
error-no-account = यहां { $email } के लिए कोई अकाउंट नहीं है। सेवा के एडमिन से आपको जोड़ने के लिए कहें, फिर दोबारा लिंक करें।
error-other-amazon-title = दूसरे Amazon अकाउंट से पहले से लिंक है
error-other-amazon = { $email } का अकाउंट पहले से ही किसी दूसरे Amazon अकाउंट से लिंक है। उसी Amazon अकाउंट से साइन इन करें, या मदद के लिए एडमिन से संपर्क करें।
error-disabled-title = अकाउंट बंद है
error-disabled = यह अकाउंट बंद कर दिया गया है। सेवा के एडमिन से संपर्क करें।

error-refused-title = अनुरोध अस्वीकार किया गया
error-other-site = यह फ़ॉर्म किसी दूसरी साइट से भेजा गया था।
error-form-expired = इस फ़ॉर्म की समय-सीमा खत्म हो गई है।
error-no-decision-title = कोई विकल्प चुनें
error-no-decision = कृपया चुनें कि आप अपना अकाउंट लिंक करना चाहते हैं या नहीं।

error-sign-in-failed-title = साइन इन नहीं हो सका
error-dev-sign-in-only = यह सर्वर डेवलपमेंट साइन इन का इस्तेमाल करता है।
error-no-code = साइन इन के जवाब में कोई कोड नहीं था।
error-malformed-callback = साइन इन का जवाब सही फ़ॉर्मैट में नहीं था।
error-amazon-timeout = Amazon ने समय पर जवाब नहीं दिया। कृपया थोड़ी देर बाद फिर से लिंक करके देखें।
error-amazon-failed = Amazon से साइन इन नहीं हो सका। कृपया फिर से लिंक करके देखें।
error-check-email-title = ईमेल जांचें
error-check-email = कृपया कोई मान्य ईमेल पता डालें।
error-invalid-title = अमान्य अनुरोध
error-invalid-characters = अनुरोध में ऐसे वर्ण हैं जिनकी अनुमति नहीं है।
error-unavailable-title = कृपया फिर से कोशिश करें
error-unavailable = यह सेवा कुछ देर के लिए उपलब्ध नहीं है। कृपया थोड़ी देर बाद फिर से कोशिश करें।
error-too-many-title = बहुत ज़्यादा कोशिशें
error-too-many = आपके नेटवर्क से साइन इन की बहुत ज़्यादा कोशिशें हुई हैं। एक मिनट रुककर फिर से कोशिश करें।

## The account page (/account): the user's own links

account-title = आपका अकाउंट
account-sign-in-text = साइन इन करके देखें कि आपके अकाउंट से कौन-से ऐप और वॉइस असिस्टेंट लिंक हैं, और चाहें तो कोई लिंक हटाएं।
account-sign-in = Amazon से साइन इन करें
account-sign-in-dev = साइन इन करें (डेवलपमेंट)
account-signed-in-as = इस अकाउंट से साइन इन किया है
account-links-heading = लिंक किए गए ऐप
account-no-links = आपके अकाउंट से कुछ भी लिंक नहीं है।
account-linked-on = { $date } को लिंक किया गया
account-last-used = आखिरी बार { $date } को इस्तेमाल किया गया
account-made-alexa = Alexa ऐप में लिंक किया गया
account-made-app = इस वेबसाइट से लिंक किया गया
account-made-google = Google Home ऐप में लिंक किया गया
account-unlink = लिंक हटाएं
account-unlink-alexa-asks = अगली बार स्किल इस्तेमाल करने पर Alexa आपसे फिर से लिंक करने के लिए कहेगी।
account-unlinked = { $client } का लिंक हटा दिया गया है।
account-unlinked-alexa = { $client } का लिंक हटा दिया गया है। Alexa को इसकी सूचना दी जा रही है, और स्किल जल्द ही आपके Alexa ऐप से हट जाएगी।
account-unlinked-ask-again = { $client } का लिंक हटा दिया गया है। अगली बार स्किल इस्तेमाल करने पर Alexa आपसे फिर से लिंक करने के लिए कहेगी।
account-alexa-linked = Alexa: चालू है और लिंक है
account-alexa-not-linked = Alexa: चालू है, पर लिंक नहीं है
account-alexa-not-enabled = Alexa: चालू नहीं है
account-alexa-unknown = अभी Alexa से जानकारी नहीं मिल सकी।
account-link-heading = Alexa से लिंक करें
account-link-text = Alexa में { $client } को चालू करें और एक ही बार में इस अकाउंट से लिंक करें।
account-link-with-alexa = Alexa से लिंक करें
account-sign-out = साइन आउट करें
account-signed-out = आपने साइन आउट कर दिया है।
account-back = अपने अकाउंट पर वापस जाएं
account-linked-title = Alexa से लिंक हो गया
account-linked = { $client } Alexa में चालू हो गया है और आपके अकाउंट से लिंक हो गया है।

## Errors of the account page and of linking with Alexa from it

account-error-session = आपका सेशन खत्म हो गया है। कृपया फिर से साइन इन करें।
account-error-no-link = यह लिंक मौजूद नहीं है या पहले ही हटाया जा चुका है।
app-error-title = Alexa से लिंक करना पूरा नहीं हुआ
app-error-cancelled = आपने Amazon पर रद्द कर दिया, इसलिए कुछ भी लिंक नहीं हुआ।
app-error-amazon-refused = Amazon ने साइन इन स्वीकार नहीं किया (हो सकता है इसकी समय-सीमा खत्म हो गई हो)। कुछ भी लिंक नहीं हुआ। कृपया फिर से कोशिश करें।
app-error-enablement-refused = Alexa ने आपके अकाउंट के लिए स्किल चालू करने से मना कर दिया। कुछ भी लिंक नहीं हुआ। अगर ऐसा फिर हो, तो सेवा से संपर्क करें।
app-error-alexa-unavailable = Alexa ने समय पर जवाब नहीं दिया। कुछ भी लिंक नहीं हुआ। कृपया थोड़ी देर बाद फिर से कोशिश करें।
app-error-expired = लिंक करने की इस कोशिश की समय-सीमा खत्म हो गई है या इसका पहले ही इस्तेमाल हो चुका है। अपने अकाउंट पेज से फिर से शुरू करें।
app-error-not-offered = इस ऐप के लिए, इस वेबसाइट से Alexa के साथ लिंक करने की सुविधा उपलब्ध नहीं है।
app-error-already-linked = { $client } पहले से ही आपके अकाउंट से लिंक है।

## Development sign-in (serve --dev only)

dev-banner = सिर्फ़ डेवलपमेंट के लिए: यह साइन इन पेज कोई भी ईमेल स्वीकार करता है। प्रोडक्शन में --dev का इस्तेमाल कभी न करें।
dev-title = डेवलपमेंट साइन इन
dev-hint = डेवलपमेंट के दौरान यह Login with Amazon की जगह काम करता है। कोई भी ईमेल और नाम डालें।
dev-email = ईमेल
dev-name = नाम
dev-sign-in = साइन इन करें
dev-only = सिर्फ़ डेवलपमेंट के लिए
dev-code-title = ऑथराइज़ेशन कोड
dev-code-heading = अकाउंट लिंक हो गया
dev-code-text = यह पेज वॉइस प्लैटफ़ॉर्म के redirect URI की जगह काम करता है। { $seconds } सेकंड के अंदर कोड एक्सचेंज करें:
dev-callback-error-heading = लिंक करना पूरा नहीं हुआ
dev-callback-error-text = linkbroker ने क्लाइंट को यह एरर भेजा: { $error }
dev-callback-error-hint = serve --dev ने जो ऑथराइज़ URL दिखाया था, वहीं से फिर शुरू करें।
dev-code-stale = यह कोड अब एक्सचेंज नहीं हो सकता: इसका इस्तेमाल हो चुका है या यह एक्सपायर हो गया है। नया कोड पाने के लिए फिर से लिंक करें।

## What the skill says on POST /alexa

speech-goodbye = फिर मिलेंगे।
speech-link = यह स्किल इस्तेमाल करने के लिए, कृपया Alexa ऐप में अपना अकाउंट लिंक करें। मदद के लिए मैंने एक कार्ड भेजा है।
speech-hello = नमस्ते, { $name }।
speech-hello-anonymous = नमस्ते!
speech-help = आप नमस्ते कह सकते हैं, या पूछ सकते हैं कि आप क्या कर सकते हैं।
speech-reprompt = आप क्या करना चाहेंगे?
speech-didnt-get = माफ़ कीजिए, मैं समझ नहीं पाई। { speech-help }
speech-cannot-help = माफ़ कीजिए, मैं इसमें मदद नहीं कर सकती। { speech-help }
speech-not-allowed = माफ़ कीजिए, आपके अकाउंट को ऐसा करने की अनुमति नहीं है।
speech-allowed = ठीक है, आपके अकाउंट को ऐसा करने की अनुमति है।
speech-unavailable = माफ़ कीजिए, मैं अभी आपके अकाउंट तक नहीं पहुंच पा रही हूं। कृपया थोड़ी देर बाद फिर से कोशिश करें।
speech-permissions =
    { $count ->
        [0] आपके अकाउंट को अभी कोई अनुमति नहीं मिली है।
        [one] आपके अकाउंट को { $list } की अनुमति मिली है।
       *[other] आपके अकाउंट को { $list } की अनुमतियां मिली हैं।
    }
# How a list of three or more is joined: "a, b and c".
list-separator = {", "}
list-last = { $init } और { $last }
