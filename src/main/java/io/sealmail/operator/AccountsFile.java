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
 * <p>
 * Secret keys cannot contain '@' (they match {@code [-._a-zA-Z0-9]+}), so the Secret says which address a password
 * belongs to in one of two ways, which may be mixed:
 * <ul>
 *   <li>one key per account: {@code alice_example.com} is alice@example.com. The key splits at its last '_', and only
 *   when what follows is one of {@code spec.domains} (domains cannot contain '_', so a local part may:
 *   {@code john_doe_example.com}). A key without '_' is a local part of the first domain ({@code alice}). Any other
 *   key ({@code john_doe}, {@code alice_example.net}) is refused, never guessed at.</li>
 *   <li>the key {@value #LIST_KEY}: lines {@code address password-or-hash}; blank lines and {@code #} comments are
 *   skipped.</li>
 * </ul>
 * An entry that names no usable address, has an empty password or repeats an address is skipped and reported.
 */
public final class AccountsFile {
    /** A user Secret key (with the list form: and line, from 1; else 0) that is not usable, and why. */
    public record Problem(String key, int line, String reason) {
        /** For status messages: "key alice_example.net: ..." or "key accounts, line 3: ...". */
        public String describe() {
            return where() + ": " + reason;
        }

        String where() {
            return "key " + key + (line > 0 ? ", line " + line : "");
        }
    }

    /** The accounts a user Secret gives (lower-case address to plaintext password or PHC hash), and its problems. */
    public record Entries(Map<String, String> passwords, List<Problem> problems) {
    }

    /** The addresses and their hashes, and the keys that were skipped. */
    public record Rendered(String content, List<String> addresses, List<Problem> problems) {
    }

    /** The key that holds accounts as lines {@code address password-or-hash}. */
    public static final String LIST_KEY = "accounts";

    // Part of RFC 5321's atext, without the characters a shell or a config file would trip over; dots checked apart.
    private static final java.util.regex.Pattern LOCAL_PART = java.util.regex.Pattern.compile("^[A-Za-z0-9._+_-]{1,64}$");

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
     * @param userData the user Secret's data (base64 values), may be null
     * @param existing the current accounts file, may be null
     */
    public Rendered render(Map<String, String> userData, String existing, List<String> domains) {
        Map<String, String> oldHashes = parse(existing);
        Entries entries = entries(userData, domains);
        Map<String, String> lines = new TreeMap<>();
        entries.passwords().forEach((address, value) -> {
            String phc;
            if (Argon2idHasher.isHash(value)) {
                phc = value;
            } else {
                String old = oldHashes.get(address);
                phc = old != null && stillMatches(value, old) ? old : remember(value, hasher.hash(value));
            }
            lines.put(address, phc);
        });
        StringBuilder out = new StringBuilder();
        lines.forEach((a, h) -> out.append(a).append(' ').append(h).append('\n'));
        return new Rendered(out.toString(), List.copyOf(lines.keySet()), entries.problems());
    }

    /** Reads the user's Secret; hashes nothing. */
    public static Entries entries(Map<String, String> userData, List<String> domains) {
        Map<String, String> passwords = new TreeMap<>();
        Map<String, Problem> source = new TreeMap<>();
        List<Problem> problems = new ArrayList<>();
        if (userData == null) {
            return new Entries(passwords, problems);
        }
        for (Map.Entry<String, String> e : new TreeMap<>(userData).entrySet()) {
            String key = e.getKey();
            String value = decode(e.getValue());
            if (key.equals(LIST_KEY)) {
                if (value == null) {
                    problems.add(new Problem(key, 0, "not UTF-8 text"));
                    continue;
                }
                String[] lines = value.split("\r?\n", -1);
                for (int i = 0; i < lines.length; i++) {
                    String line = lines[i].strip();
                    if (line.isEmpty() || line.startsWith("#")) {
                        continue;
                    }
                    String[] parts = line.split("\\s+", 2);
                    String address = parts[0];
                    String problem = addressProblem(address, domains);
                    if (problem == null && parts.length < 2) {
                        problem = "no password after the address";
                    }
                    if (problem != null) {
                        problems.add(new Problem(key, i + 1, problem));
                        continue;
                    }
                    add(passwords, source, problems, new Problem(key, i + 1, null), lower(address), parts[1].strip());
                }
                continue;
            }
            String address = address(key, domains);
            String problem = address == null ? keyProblem(key, domains) : addressProblem(address, domains);
            if (problem == null && (value == null || value.isBlank())) {
                problem = "the password is empty";
            }
            if (problem != null) {
                problems.add(new Problem(key, 0, problem));
                continue;
            }
            add(passwords, source, problems, new Problem(key, 0, null), lower(address), value.strip());
        }
        return new Entries(passwords, problems);
    }

    private static void add(Map<String, String> passwords, Map<String, Problem> source, List<Problem> problems,
                            Problem where, String address, String password) {
        Problem first = source.get(address);
        if (first != null) {
            problems.add(new Problem(where.key(), where.line(), address + " is already given by " + first.where()));
            return;
        }
        passwords.put(address, password);
        source.put(address, where);
    }

    /**
     * The address a per-account key stands for: split at the last '_' when what follows is one of the domains; a key
     * without '_' is a local part of the first domain; null for any other key.
     */
    public static String address(String key, List<String> domains) {
        int at = key.lastIndexOf('_');
        if (at < 0) {
            return key + "@" + domains.get(0);
        }
        String domain = lower(key.substring(at + 1));
        return domains.contains(domain) ? key.substring(0, at) + "@" + domain : null;
    }

    private static String keyProblem(String key, List<String> domains) {
        int at = key.lastIndexOf('_');
        String after = key.substring(at + 1);
        // "alice_example.net" most likely means another domain; "john_doe" a local part with an '_' in it.
        String local = after.contains(".") ? key.substring(0, at) : key;
        return "'" + after + "' after the last '_' is not one of spec.domains (" + String.join(", ", domains)
                + "): write the address with its '@' as '_' and a configured domain, e.g. " + local + "_" + domains.get(0)
                + ", or list it under the key '" + LIST_KEY + "'";
    }

    /** What is wrong with an address, or null. */
    static String addressProblem(String address, List<String> domains) {
        int at = address.lastIndexOf('@');
        if (at <= 0) {
            return "'" + address + "' is not an address (local-part@domain)";
        }
        String local = address.substring(0, at);
        String domain = lower(address.substring(at + 1));
        if (!LOCAL_PART.matcher(local).matches() || local.startsWith(".") || local.endsWith(".")
                || local.contains("..")) {
            return "'" + local + "' is not a valid local part";
        }
        if (!domains.contains(domain)) {
            return domain + " is not one of spec.domains (" + String.join(", ", domains) + ")";
        }
        return null;
    }

    public static List<Problem> problems(Map<String, String> userData, List<String> domains) {
        return entries(userData, domains).problems();
    }

    private static String lower(String s) {
        return s.toLowerCase(Locale.ROOT);
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
