package io.sealmail.store;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SafeNameTest {

    @ParameterizedTest
    @ValueSource(strings = {"alice@example.com", "../../etc/passwd@x", ".", "..", "a/b@c", "bob+tag@example.org",
            "üser@exämple.de", "a%2Fb@c", ".hidden@x", "with space@x", "nul\u0000@x"})
    void accountNamesAreSingleSafeComponentsAndReversible(String account) {
        String dir = SafeName.encodeAccount(account);
        assertThat(dir).doesNotContain("/").doesNotStartWith(".").isNotIn(".", "..").isNotEmpty();
        assertThat(dir).matches("[a-z0-9@._+=%A-F-]+");
        assertThat(SafeName.decodeAccount(dir)).isEqualTo(account.strip().toLowerCase(java.util.Locale.ROOT));
    }

    @Test
    void accountNamesAreCaseInsensitiveAndDeterministic() {
        assertThat(SafeName.encodeAccount("Alice@Example.COM")).isEqualTo(SafeName.encodeAccount("alice@example.com"))
                .isEqualTo("alice@example.com");
        assertThat(SafeName.encodeAccount("a%b@x")).isNotEqualTo(SafeName.encodeAccount("a%25b@x"));
    }

    @Test
    void emptyOrOverlongNamesAreRefused() {
        assertThatThrownBy(() -> SafeName.encodeAccount(" ")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SafeName.encodeAccount("x".repeat(300) + "@x")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void folderComponentsEscapeTheMaildirSeparator() {
        assertThat(SafeName.encodeFolderComponent("Sent")).isEqualTo("Sent");
        assertThat(SafeName.encodeFolderComponent("a.b")).isEqualTo("a%2Eb");
        assertThat(SafeName.encodeFolderComponent("..")).isEqualTo("%2E%2E");
        assertThat(SafeName.encodeFolderComponent("Entwürfe")).isEqualTo("Entwürfe");
        assertThat(SafeName.decodeFolderComponent(SafeName.encodeFolderComponent("50% a.b/c"))).isEqualTo("50% a.b/c");
    }
}
