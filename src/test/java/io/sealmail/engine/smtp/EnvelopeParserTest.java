package io.sealmail.engine.smtp;

import io.sealmail.engine.smtp.EnvelopeParser.RoutingTrick;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EnvelopeParserTest {

    @Test
    void parsesAPathAndItsParameters() throws Exception {
        EnvelopeParser.Parsed p = EnvelopeParser.parse("FROM:<Alice@Example.COM> SIZE=1000 BODY=8BITMIME SMTPUTF8", "FROM");
        assertThat(p.address()).isEqualTo(new MailAddress("Alice", "example.com"));
        assertThat(p.trick()).isNull();
        assertThat(p.params()).containsEntry("SIZE", "1000").containsEntry("BODY", "8BITMIME").containsKey("SMTPUTF8");
    }

    @Test
    void theNullReversePathHasNoAddress() throws Exception {
        assertThat(EnvelopeParser.parse("FROM:<>", "FROM").address()).isNull();
    }

    @Test
    void toleratesASpaceAfterTheColonAndMissingBrackets() throws Exception {
        assertThat(EnvelopeParser.parse("to: <bob@example.com>", "TO").address().lookupKey()).isEqualTo("bob@example.com");
        assertThat(EnvelopeParser.parse("TO:bob@example.com", "TO").address().lookupKey()).isEqualTo("bob@example.com");
    }

    @Test
    void quotedLocalPartsAreUnquotedAndRequotedForDisplay() throws Exception {
        MailAddress a = EnvelopeParser.parse("TO:<\"john smith\"@example.com>", "TO").address();
        assertThat(a.localPart()).isEqualTo("john smith");
        assertThat(a.toString()).isEqualTo("\"john smith\"@example.com");
        assertThat(EnvelopeParser.parse("TO:<\"a>b\"@example.com>", "TO").address().localPart()).isEqualTo("a>b");
    }

    @Test
    void utf8AddressesParseAndAreFlaggedNonAscii() throws Exception {
        MailAddress a = EnvelopeParser.parse("TO:<jürgen@bücher.example>", "TO").address();
        assertThat(a.isAscii()).isFalse();
        assertThat(a.domain()).isEqualTo("bücher.example");
    }

    @ParameterizedTest(name = "{0} is {1}")
    @CsvSource(delimiter = '|', value = {
            "TO:<user%remote.example@example.com>|PERCENT_HACK",
            "TO:<remote.example!user@example.com>|BANG_PATH",
            "TO:<@relay.example:user@example.com>|SOURCE_ROUTE",
            "TO:<@a.example,@b.example:user@example.com>|SOURCE_ROUTE",
            "TO:<user@remote.example@example.com>|DOUBLE_AT",
            "TO:<\"user@remote.example\"@example.com>|QUOTED_ROUTING",
            "TO:<\"user%remote.example\"@example.com>|QUOTED_ROUTING",
    })
    void routingTricksAreRecognised(String args, RoutingTrick trick) throws Exception {
        assertThat(EnvelopeParser.parse(args, "TO").trick()).isEqualTo(trick);
    }

    @ParameterizedTest
    @ValueSource(strings = {"TO:", "TO:<>x", "TO:<a@>", "TO:<@>", "TO:<a..b@example.com>", "TO:<.a@example.com>",
            "TO:<a@-example.com>", "TO:<a@exa_mple.com>", "TO:<a@example..com>", "FROM:<a@example.com>", "TO:<\"open@example.com>",
            "TO:<a@example.com> =1", "TO:<a@example.com> SIZE=1 SIZE=2", "TO:<a b@example.com>",
            "TO:<a@example.com"})
    void malformedArgumentsAreSyntaxErrors(String args) {
        assertThatThrownBy(() -> EnvelopeParser.parse(args, "TO")).isInstanceOf(EnvelopeParser.SyntaxException.class);
    }

    @Test
    void overlongPartsAreRefused() {
        assertThatThrownBy(() -> EnvelopeParser.parse("TO:<" + "a".repeat(65) + "@example.com>", "TO"))
                .isInstanceOf(EnvelopeParser.SyntaxException.class);
    }

    @Test
    void addressLiteralsParse() throws Exception {
        assertThat(EnvelopeParser.parse("TO:<a@[192.0.2.1]>", "TO").address().domain()).isEqualTo("[192.0.2.1]");
    }
}
