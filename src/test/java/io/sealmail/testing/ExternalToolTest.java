package io.sealmail.testing;

import org.junit.jupiter.api.Test;
import org.opentest4j.TestAbortedException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ExternalToolTest {
    private static final String MISSING = "sealmail-no-such-program-" + ProcessHandle.current().pid();

    @Test
    void aMissingProgramSkipsWithItsNameAndWhereItComesFrom() {
        assertThatThrownBy(() -> ExternalTool.require(MISSING, "Debian package nothing", false))
                .isInstanceOf(TestAbortedException.class)
                .hasMessageContaining("'" + MISSING + "'")
                .hasMessageContaining("Debian package nothing");
    }

    @Test
    void aMissingProgramFailsWhereEveryProgramIsRequired() {
        assertThatThrownBy(() -> ExternalTool.require(MISSING, "Debian package nothing", true))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining(ExternalTool.REQUIRE);
    }

    @Test
    void aPresentProgramIsFoundOnThePath() {
        // sh is on every machine that can run the Maven wrapper.
        assertThat(ExternalTool.require("sh", "base system", true)).endsWith("/sh");
        assertThat(ExternalTool.present(MISSING)).isFalse();
    }

    @Test
    void aProgramWithoutAKnownProviderIsAMistakeInTheTest() {
        assertThatThrownBy(() -> ExternalTool.require(MISSING))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("ExternalTool.PROVIDERS");
    }
}
