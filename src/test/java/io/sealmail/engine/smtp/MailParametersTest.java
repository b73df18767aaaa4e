package io.sealmail.engine.smtp;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** MAIL FROM parameters as a table: what is accepted, and the exact reply for what is not. */
class MailParametersTest {
    private static final long MAX = 1000;

    /** "KEY=value KEY" as EnvelopeParser hands them over (keyword upper case, null when no value). */
    private static Map<String, String> params(String text) {
        Map<String, String> m = new LinkedHashMap<>();
        if (!text.isBlank()) {
            for (String p : text.split(" ")) {
                int eq = p.indexOf('=');
                m.put(eq < 0 ? p : p.substring(0, eq), eq < 0 ? null : p.substring(eq + 1));
            }
        }
        return m;
    }

    @ParameterizedTest(name = "{0} -> smtputf8={1}, size={2}")
    @CsvSource(delimiter = '|', value = {
            "''                            | false | -1",
            "SIZE=0                        | false | 0",
            "SIZE=1000                     | false | 1000",
            "BODY=7BIT                     | false | -1",
            "BODY=8bitmime                 | false | -1",
            "SMTPUTF8                      | true  | -1",
            "AUTH=<>                       | false | -1",
            "SIZE=10 BODY=8BITMIME SMTPUTF8 | true | 10",
    })
    void accepted(String text, boolean smtputf8, long size) {
        MailParameters.Outcome o = MailParameters.check(params(text), MAX);
        assertThat(o).isEqualTo(new MailParameters.Accepted(new MailParameters(smtputf8, size)));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
            "SIZE=1001                     | 552 5.3.4 Message size exceeds fixed limit of 1000 octets",
            "SIZE=99999999999999999999     | 501 5.5.4 Bad SIZE parameter",
            "SIZE=-1                       | 501 5.5.4 Bad SIZE parameter",
            "SIZE=+5                       | 501 5.5.4 Bad SIZE parameter",
            "SIZE                          | 501 5.5.4 Bad SIZE parameter",
            "BODY=BINARYMIME               | 555 5.5.4 Error: unsupported BODY type",
            "BODY                          | 555 5.5.4 Error: unsupported BODY type",
            "SMTPUTF8=yes                  | 501 5.5.4 SMTPUTF8 takes no value",
            "RET=FULL                      | 555 5.5.4 Error: parameter not recognized or not implemented",
            "BODY=7BIT ENVID=x             | 555 5.5.4 Error: parameter not recognized or not implemented",
    })
    void refused(String text, String reply) {
        MailParameters.Outcome o = MailParameters.check(params(text), MAX);
        assertThat(o).isInstanceOf(MailParameters.Refused.class);
        SmtpReply r = ((MailParameters.Refused) o).reply();
        assertThat(r.code() + " " + r.status() + " " + String.join(" ", r.lines())).isEqualTo(reply);
    }
}
