package io.sealmail.store;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Turns account addresses and folder names into single, safe directory-name components and back.
 *
 * <p>Accounts: lower-cased (addresses compare case-insensitively), then every byte of the UTF-8 form outside
 * {@code [a-z0-9@._+=-]} is written as {@code %XX}, and so is a leading dot. The result can never be {@code .},
 * {@code ..}, contain a {@code /}, or collide with a Maildir++ folder or our own files; it is deterministic and
 * {@link #decodeAccount reversible}, so no separate record of the mapping is needed.
 *
 * <p>Folder name components (between hierarchy separators): case is kept, and only {@code .} (the Maildir++
 * separator on disk), {@code /}, {@code %} and control characters are escaped; other Unicode stays as UTF-8, as
 * mutt and {@code ls} show it.
 */
public final class SafeName {
    /** Longest encoded component; Linux allows 255 bytes per name, and Maildir++ adds a dot and children. */
    static final int MAX_LENGTH = 200;

    private SafeName() {
    }

    /** The directory name of an account; rejects empty and over-long names. */
    public static String encodeAccount(String account) {
        if (account == null || account.isBlank()) {
            throw new IllegalArgumentException("account name is empty");
        }
        String lowered = account.strip().toLowerCase(Locale.ROOT);
        StringBuilder out = new StringBuilder();
        byte[] bytes = lowered.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < bytes.length; i++) {
            int b = bytes[i] & 0xff;
            boolean plain = (b >= 'a' && b <= 'z') || (b >= '0' && b <= '9') || b == '@' || b == '_' || b == '+'
                    || b == '=' || b == '-' || (b == '.' && i > 0);
            if (plain) {
                out.append((char) b);
            } else {
                out.append('%').append(String.format("%02X", b));
            }
        }
        if (out.length() > MAX_LENGTH) {
            throw new IllegalArgumentException("account name too long: " + account);
        }
        return out.toString();
    }

    public static String decodeAccount(String directoryName) {
        return percentDecode(directoryName);
    }

    /** One folder-name component (no separator inside) for a Maildir++ directory name. */
    public static String encodeFolderComponent(String component) {
        if (component.isEmpty()) {
            throw new IllegalArgumentException("empty folder name component");
        }
        StringBuilder out = new StringBuilder();
        component.codePoints().forEach(cp -> {
            if (cp == '.' || cp == '/' || cp == '%' || cp < 0x20 || cp == 0x7f) {
                for (byte b : new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8)) {
                    out.append('%').append(String.format("%02X", b & 0xff));
                }
            } else {
                out.appendCodePoint(cp);
            }
        });
        if (out.toString().getBytes(StandardCharsets.UTF_8).length > MAX_LENGTH) {
            throw new IllegalArgumentException("folder name too long: " + component);
        }
        return out.toString();
    }

    public static String decodeFolderComponent(String encoded) {
        return percentDecode(encoded);
    }

    private static String percentDecode(String s) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        byte[] in = s.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < in.length; i++) {
            if (in[i] == '%' && i + 2 < in.length) {
                bytes.write(Integer.parseInt(new String(in, i + 1, 2, StandardCharsets.US_ASCII), 16));
                i += 2;
            } else {
                bytes.write(in[i]);
            }
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }
}
