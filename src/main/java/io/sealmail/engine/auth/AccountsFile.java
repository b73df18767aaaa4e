package io.sealmail.engine.auth;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.HashSet;

/**
 * The parsed accounts file: one account per line, {@code address hash [scram]}, separated by spaces or tabs; the
 * optional third field holds the account's SCRAM-SHA-256 keys ({@link ScramCredentials}), derived from the same
 * password when it was hashed. Blank lines and
 * lines starting with {@code #} are ignored. A line that cannot be used (no hash, a bad address, a duplicate, an
 * unknown or garbled hash, a hash asking for too much work) is reported with its line number and skipped: one bad
 * line never locks everybody out.
 *
 * @param accounts address (lower case) to its hash, in file order
 * @param scram    address to its SCRAM-SHA-256 keys, for the accounts whose line has them
 * @param locked   addresses whose hash is unusable: they still receive mail (nothing bounces because of a typo in a
 *                 hash) but cannot log in until the line is fixed
 * @param problems one line each, {@code line N: ...}; hashes are never quoted in them
 */
public record AccountsFile(Map<String, PasswordHash> accounts, Map<String, ScramCredentials> scram, Set<String> locked,
                           List<String> problems) {
    /** Longest line read; a longer one is reported and skipped (a real line is under 200 characters). */
    static final int MAX_LINE = 4096;
    /** RFC 5321 §4.5.3.1.3: a path is at most 256 octets. */
    static final int MAX_ADDRESS = 254;

    public AccountsFile {
        accounts = Collections.unmodifiableMap(new LinkedHashMap<>(accounts));
        scram = Map.copyOf(scram);
        locked = Set.copyOf(locked);
        problems = List.copyOf(problems);
    }

    /** True when the address exists (usable or locked). */
    public boolean exists(String address) {
        return accounts.containsKey(address) || locked.contains(address);
    }

    public static AccountsFile parse(String content) {
        Map<String, PasswordHash> accounts = new LinkedHashMap<>();
        Map<String, ScramCredentials> scram = new LinkedHashMap<>();
        Map<String, Integer> firstLine = new LinkedHashMap<>();
        Set<String> locked = new HashSet<>();
        List<String> problems = new ArrayList<>();
        String[] lines = content.split("\r?\n", -1);
        for (int i = 0; i < lines.length; i++) {
            int number = i + 1;
            String line = lines[i].strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            if (line.length() > MAX_LINE) {
                problems.add("line " + number + ": longer than " + MAX_LINE + " characters; skipped");
                continue;
            }
            String[] fields = line.split("[ \t]+");
            if (fields.length != 2 && fields.length != 3) {
                problems.add("line " + number + ": expected 'address hash [scram]', found " + fields.length
                        + (fields.length == 1 ? " field" : " fields") + "; skipped");
                continue;
            }
            String address = fields[0].toLowerCase(Locale.ROOT);
            String addressProblem = addressProblem(address);
            if (addressProblem != null) {
                problems.add("line " + number + ": " + addressProblem + "; skipped");
                continue;
            }
            if (firstLine.containsKey(address)) {
                problems.add("line " + number + ": " + address + " is already defined on line " + firstLine.get(address) + "; skipped");
                continue;
            }
            firstLine.put(address, number);
            try {
                accounts.put(address, PasswordHash.parse(fields[1]));
            } catch (InvalidHashException e) {
                locked.add(address);
                problems.add("line " + number + ": " + address + ": " + e.getMessage() + "; this account cannot log in");
                continue;
            }
            if (fields.length == 3) {
                try {
                    scram.put(address, ScramCredentials.parse(fields[2]));
                } catch (InvalidHashException e) {
                    problems.add("line " + number + ": " + address + ": " + e.getMessage() + "; SCRAM-SHA-256 is off for this account");
                }
            }
        }
        return new AccountsFile(accounts, scram, locked, problems);
    }

    /** Null when the address is usable as an account name, else why not. Expects lower case. */
    public static String addressProblem(String address) {
        int at = address.lastIndexOf('@');
        if (at <= 0 || at == address.length() - 1 || address.indexOf('@') != at) {
            return "'" + printable(address) + "' is not an address (expected local-part@domain)";
        }
        if (address.length() > MAX_ADDRESS) {
            return "address longer than " + MAX_ADDRESS + " characters";
        }
        for (int i = 0; i < address.length(); i++) {
            char c = address.charAt(i);
            if (c < 0x21 || c == 0x7f || c == '<' || c == '>' || c == ',' || c == ';' || c == '"' || c == '\\') {
                return "'" + printable(address) + "' contains a character not allowed in an address";
            }
        }
        return null;
    }

    private static String printable(String s) {
        StringBuilder b = new StringBuilder();
        s.codePoints().limit(80).forEach(c -> b.appendCodePoint(c < 0x20 || c == 0x7f ? '?' : c));
        return b.toString();
    }
}
