package io.sealmail.engine.delivery.policy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

class MtaStsPolicyTest {
    static Stream<Arguments> validPolicies() {
        return Stream.of(
                arguments("the RFC's example parses",
                        "version: STSv1\nmode: enforce\nmx: mail.example.com\nmx: *.example.net\nmx: backupmx.example.com\nmax_age: 604800\n",
                        new MtaStsPolicy(MtaStsMode.ENFORCE, List.of("mail.example.com", "*.example.net", "backupmx.example.com"), 604800)),
                arguments("CRLF line ends and no final newline are accepted",
                        "version: STSv1\r\nmode: testing\r\nmx: mx.example.com\r\nmax_age: 86400",
                        new MtaStsPolicy(MtaStsMode.TESTING, List.of("mx.example.com"), 86400)),
                arguments("fields come in any order and blanks after the colon are optional",
                        "max_age:86400\nmx:\tMX.Example.COM\nmode:enforce\nversion:STSv1\n",
                        new MtaStsPolicy(MtaStsMode.ENFORCE, List.of("mx.example.com"), 86400)),
                arguments("mode none needs no mx",
                        "version: STSv1\nmode: none\nmax_age: 86400\n",
                        new MtaStsPolicy(MtaStsMode.NONE, List.of(), 86400)),
                arguments("unknown fields are ignored",
                        "version: STSv1\nmode: enforce\nx_future.field: anything at all\nmx: mx.example.com\nmax_age: 60\n",
                        new MtaStsPolicy(MtaStsMode.ENFORCE, List.of("mx.example.com"), 60)),
                arguments("of repeated fields other than mx the first counts",
                        "version: STSv1\nmode: enforce\nmode: none\nmx: mx.example.com\nmax_age: 100\nmax_age: 5\n",
                        new MtaStsPolicy(MtaStsMode.ENFORCE, List.of("mx.example.com"), 100)),
                arguments("a max_age above a year is capped at 31557600 rather than dropping the policy",
                        "version: STSv1\nmode: enforce\nmx: mx.example.com\nmax_age: 9999999999\n",
                        new MtaStsPolicy(MtaStsMode.ENFORCE, List.of("mx.example.com"), 31557600)),
                arguments("trailing blank lines are tolerated",
                        "version: STSv1\nmode: enforce\nmx: mx.example.com\nmax_age: 86400\n\n\r\n",
                        new MtaStsPolicy(MtaStsMode.ENFORCE, List.of("mx.example.com"), 86400)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("validPolicies")
    void parses(String sentence, String text, MtaStsPolicy expected) throws Exception {
        MtaStsPolicy policy = MtaStsPolicy.parse(text);
        assertThat(policy).isEqualTo(expected);
        assertThat(MtaStsPolicy.parse(policy.text())).as("the cached form parses back").isEqualTo(policy);
    }

    static Stream<Arguments> invalidPolicies() {
        String mxs = "mx: mx.example.com\n".repeat(4000);
        return Stream.of(
                arguments("an empty body is no policy", "", "empty"),
                arguments("an HTML page is no policy", "<html><body>Not here</body></html>\n", "not 'name: value'"),
                arguments("a garbage line between fields invalidates the policy",
                        "version: STSv1\nmode: enforce\nthis is not a field\nmx: mx.example.com\nmax_age: 86400\n", "line 3"),
                arguments("a blank line in the middle invalidates the policy",
                        "version: STSv1\n\nmode: enforce\nmx: mx.example.com\nmax_age: 86400\n", "line 2"),
                arguments("version STSv2 is not understood",
                        "version: STSv2\nmode: enforce\nmx: mx.example.com\nmax_age: 86400\n", "not STSv1"),
                arguments("a missing version invalidates the policy",
                        "mode: enforce\nmx: mx.example.com\nmax_age: 86400\n", "no version"),
                arguments("an unknown mode invalidates the policy",
                        "version: STSv1\nmode: Enforce\nmx: mx.example.com\nmax_age: 86400\n", "not enforce, testing or none"),
                arguments("a missing mode invalidates the policy",
                        "version: STSv1\nmx: mx.example.com\nmax_age: 86400\n", "no mode"),
                arguments("a missing max_age invalidates the policy",
                        "version: STSv1\nmode: enforce\nmx: mx.example.com\n", "no max_age"),
                arguments("a negative max_age is not digits",
                        "version: STSv1\nmode: enforce\nmx: mx.example.com\nmax_age: -1\n", "not 1-10 digits"),
                arguments("an eleven-digit max_age is refused",
                        "version: STSv1\nmode: enforce\nmx: mx.example.com\nmax_age: 12345678901\n", "not 1-10 digits"),
                arguments("enforce without mx is refused",
                        "version: STSv1\nmode: enforce\nmax_age: 86400\n", "no mx"),
                arguments("a wildcard deeper than the left-most label is refused",
                        "version: STSv1\nmode: enforce\nmx: mail.*.example.com\nmax_age: 86400\n", "mx 'mail.*.example.com'"),
                arguments("a bare wildcard is refused",
                        "version: STSv1\nmode: enforce\nmx: *\nmax_age: 86400\n", "mx '*'"),
                arguments("a double wildcard is refused",
                        "version: STSv1\nmode: enforce\nmx: *.*.example.com\nmax_age: 86400\n", "mx '*.*.example.com'"),
                arguments("an mx with a space inside is refused",
                        "version: STSv1\nmode: enforce\nmx: mx.example.com other.example.com\nmax_age: 86400\n", "not a host name"),
                arguments("an mx label over 63 octets is refused",
                        "version: STSv1\nmode: enforce\nmx: " + "a".repeat(64) + ".example.com\nmax_age: 86400\n", "not a host name"),
                arguments("an IP address literal is not an mx pattern",
                        "version: STSv1\nmode: enforce\nmx: [192.0.2.1]\nmax_age: 86400\n", "not a host name"),
                arguments("a NUL byte in a value invalidates the policy",
                        "version: STSv1\nmode: enforce\nmx: mx.example.com\u0000\nmax_age: 86400\n", "control character"),
                arguments("a policy over 64 KiB is refused before parsing",
                        "version: STSv1\nmode: enforce\n" + mxs + "max_age: 86400\n", "larger than 65536"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidPolicies")
    void refuses(String sentence, String text, String reason) {
        assertThatThrownBy(() -> MtaStsPolicy.parse(text)).isInstanceOf(MtaStsSyntaxException.class)
                .hasMessageContaining(reason);
    }

    static Stream<Arguments> mxMatches() {
        return Stream.of(
                arguments("an exact name matches", "mail.example.com", "mail.example.com", true),
                arguments("case and a trailing dot do not matter", "mail.example.com", "MAIL.Example.com.", true),
                arguments("another name does not match", "mail.example.com", "mail2.example.com", false),
                arguments("a suffix of the name does not match", "mail.example.com", "evil-mail.example.com", false),
                arguments("a wildcard covers one label", "*.example.com", "mx1.example.com", true),
                arguments("a wildcard does not cover two labels", "*.example.com", "a.b.example.com", false),
                arguments("a wildcard does not cover the bare domain", "*.example.com", "example.com", false),
                arguments("a wildcard does not cover a look-alike domain", "*.example.com", "mx1.badexample.com", false),
                arguments("a wildcard does not cover an empty label", "*.example.com", ".example.com", false));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("mxMatches")
    void matchesMx(String sentence, String pattern, String host, boolean expected) {
        assertThat(new MtaStsPolicy(MtaStsMode.ENFORCE, List.of(pattern), 60).permits(host)).isEqualTo(expected);
    }
}
