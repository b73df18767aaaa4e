package io.sealmail.engine.delivery.policy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

class MtaStsRecordTest {
    static Stream<Arguments> records() {
        return Stream.of(
                arguments("the RFC's example gives its id", List.of("v=STSv1; id=20160831085700Z;"), "20160831085700Z"),
                arguments("the trailing semicolon is optional", List.of("v=STSv1; id=abc123"), "abc123"),
                arguments("blanks around fields are allowed", List.of("v=STSv1 ;\tid=abc ; "), "abc"),
                arguments("extension fields are skipped", List.of("v=STSv1; ext=1; id=xyz;"), "xyz"),
                arguments("records of other protocols are discarded", List.of("v=spf1 -all", "v=STSv1; id=one;"), "one"),
                arguments("of repeated ids the first counts", List.of("v=STSv1; id=first; id=second;"), "first"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("records")
    void selects(String sentence, List<String> txt, String id) throws Exception {
        assertThat(MtaStsRecord.select(txt).id()).isEqualTo(id);
    }

    static Stream<Arguments> noPolicy() {
        return Stream.of(
                arguments("no TXT record at all", List.of(), "no TXT record"),
                arguments("two STSv1 records mean no policy (RFC 8461 §3.1)",
                        List.of("v=STSv1; id=one;", "v=STSv1; id=two;"), "2 TXT records"),
                arguments("a record without id", List.of("v=STSv1;"), "no id"),
                arguments("an id longer than 32 characters", List.of("v=STSv1; id=" + "a".repeat(33) + ";"), "1-32"),
                arguments("an id with punctuation", List.of("v=STSv1; id=2016-08-31;"), "1-32"),
                arguments("a lower-case version is another protocol", List.of("v=stsv1; id=abc;"), "no TXT record"),
                arguments("a version without its semicolon", List.of("v=STSv1 id=abc"), "no TXT record"),
                arguments("a field without '='", List.of("v=STSv1; id=abc; garbage"), "not name=value"),
                arguments("a control character in an extension", List.of("v=STSv1; id=abc; x=\u0001;"), "malformed"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("noPolicy")
    void refuses(String sentence, List<String> txt, String reason) {
        assertThatThrownBy(() -> MtaStsRecord.select(txt)).isInstanceOf(MtaStsSyntaxException.class)
                .hasMessageContaining(reason);
    }
}
