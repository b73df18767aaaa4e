package io.sealmail.operator;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The engine's accounts file ({@code address PHC-hash}, one account per line, sorted) made from the user's accounts
 * Secret. An existing hash that still matches its password is kept, so an unchanged Secret renders the same bytes
 * and the reconcile writes nothing.
 */
public final class AccountsFile {
    /** A user Secret key that is not a usable address. */
    public record Problem(String key, String reason) {
    }

    /** The addresses and their hashes, and the keys that were skipped. */
    public record Rendered(String content, List<String> addresses, List<Problem> problems) {
    }

    private static final java.util.regex.Pattern LOCAL_PART = java.util.regex.Pattern.compile("^[A-Za-z0-9._+-]{1,64}$");

    private final Argon2idHasher hasher;
    /**
     * Remembers (hash, password) pairs already verified, so steady-state reconciles do not spend 20 MiB and tens of
     * milliseconds per account. Keys are SHA-256 digests; the plaintext is already in the operator's Secret cache.
     */
    private final Map<String, Boolean> verified = new ConcurrentHashMap<>();

    public AccountsFile(Argon2idHasher hasher) {
        this.hasher = hasher;
    }

    /**
     * Secret keys cannot contain '@': a key is the address with '@' written as '_' (domains have no '_', so the last
     * one splits), or a bare local part, which belongs to the first domain.
     */
    public static String address(String key, List<String> domains) {
        int at = key.lastIndexOf('_');
        String local = at < 0 ? key : key.substring(0, at);
        String domain = at < 0 ? domains.get(0) : key.substring(at + 1);
        return local + "@" + domain.toLowerCase(Locale.ROOT);
    }

    /**
     * @param userData the user Secret's data (base64 values), may be null
     * @param existing the current accounts file, may be null
     */
    public Rendered render(Map<String, String> userData, String existing, List<String> domains) {
        Map<String, String> oldHashes = parse(existing);
        Map<String, String> lines = new TreeMap<>();
        List<Problem> problems = new ArrayList<>();
        if (userData != null) {
            for (Map.Entry<String, String> e : new TreeMap<>(userData).entrySet()) {
                Problem problem = check(e.getKey(), e.getValue(), domains);
                if (problem != null) {
                    problems.add(problem);
                    continue;
                }
                String address = address(e.getKey(), domains);
                String value = decode(e.getValue()).strip();
                String phc;
                if (Argon2idHasher.isHash(value)) {
                    phc = value;
                } else {
                    String old = oldHashes.get(address);
                    phc = old != null && stillMatches(value, old) ? old : remember(value, hasher.hash(value));
                }
                lines.put(address.toLowerCase(Locale.ROOT), phc);
            }
        }
        StringBuilder out = new StringBuilder();
        lines.forEach((a, h) -> out.append(a).append(' ').append(h).append('\n'));
        return new Rendered(out.toString(), List.copyOf(lines.keySet()), problems);
    }

    /** What is wrong with one entry of the user's Secret, or null; hashes nothing. */
    public static Problem check(String key, String base64Value, List<String> domains) {
        String address = address(key, domains);
        String local = address.substring(0, address.lastIndexOf('@'));
        String domain = address.substring(address.lastIndexOf('@') + 1);
        if (!LOCAL_PART.matcher(local).matches() || local.startsWith(".") || local.endsWith(".")) {
            return new Problem(key, "'" + local + "' is not a valid local part");
        }
        if (!domains.contains(domain)) {
            return new Problem(key, domain + " is not one of spec.domains");
        }
        String value = decode(base64Value);
        if (value == null || value.isBlank()) {
            return new Problem(key, "the password is empty");
        }
        return null;
    }

    public static List<Problem> problems(Map<String, String> userData, List<String> domains) {
        List<Problem> problems = new ArrayList<>();
        if (userData != null) {
            new TreeMap<>(userData).forEach((k, v) -> {
                Problem p = check(k, v, domains);
                if (p != null) {
                    problems.add(p);
                }
            });
        }
        return problems;
    }

    /** address to hash, from an accounts file. */
    public static Map<String, String> parse(String content) {
        Map<String, String> map = new TreeMap<>();
        if (content == null) {
            return map;
        }
        for (String line : content.split("\n")) {
            String[] parts = line.trim().split("\\s+", 2);
            if (parts.length == 2 && !parts[0].startsWith("#")) {
                map.put(parts[0], parts[1]);
            }
        }
        return map;
    }

    private boolean stillMatches(String password, String phc) {
        String key = digest(phc + "\0" + password);
        if (verified.containsKey(key)) {
            return true;
        }
        boolean ok = hasher.matches(password, phc);
        if (ok) {
            remember(password, phc);
        }
        return ok;
    }

    private String remember(String password, String phc) {
        if (verified.size() > 100_000) {
            verified.clear();
        }
        verified.put(digest(phc + "\0" + password), Boolean.TRUE);
        return phc;
    }

    private static String digest(String s) {
        try {
            byte[] d = java.security.MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
            return Base64.getEncoder().encodeToString(d);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String decode(String base64) {
        if (base64 == null) {
            return null;
        }
        try {
            return new String(Base64.getDecoder().decode(base64), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
