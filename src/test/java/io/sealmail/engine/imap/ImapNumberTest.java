package io.sealmail.engine.imap;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

class ImapNumberTest {

    @ParameterizedTest(name = "\"{0}\" up to {1} is {2}")
    @CsvSource(delimiter = '|', value = {
            "0|4294967295|0",
            "4294967295|4294967295|4294967295",
            "4294967296|4294967295|-1",
            "0000000000000000000000001|4294967295|1",
            "9223372036854775807|9223372036854775807|9223372036854775807",
            "9223372036854775808|9223372036854775807|-1",
            "99999999999999999999999|9223372036854775807|-1",
            "''|4294967295|-1",
            "-1|4294967295|-1",
            "+1|4294967295|-1",
            "'1 '|4294967295|-1",
            "0x10|4294967295|-1",
            // Other Unicode digits: Character.isDigit and Long.parseLong take them, RFC 5234's DIGIT does not.
            "١٢|4294967295|-1",
            "1٢|4294967295|-1",
            "１|4294967295|-1",
    })
    void onlyAsciiDigitsWithinTheBound(String text, long max, long value) {
        assertThat(ImapNumber.parse(text, max)).isEqualTo(value);
    }
}
