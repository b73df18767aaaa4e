package io.sealmail.engine.imap;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The {@code RETURN (...)} options of SEARCH and SORT: MIN, MAX, ALL, COUNT (RFC 4731 ESEARCH, RFC 5267 §3 ESORT),
 * SAVE (RFC 5182 SEARCHRES), and of RFC 5267 §4 the {@code PARTIAL m:n} window (positions m to n of the result,
 * 1-based, as clients page a large folder) and the {@code CONTEXT} hint, which asks for nothing and is accepted as
 * Dovecot accepts it. {@code UPDATE} (live ADDTO/REMOVEFROM updates) is not offered: BAD, and CONTEXT=SEARCH/SORT are
 * not advertised.
 *
 * @param names        the options given, upper case, CONTEXT left out; ALL when nothing else was asked
 * @param partialFirst first position of PARTIAL, 0 without PARTIAL
 * @param partialLast  last position of PARTIAL (at least {@code partialFirst})
 */
record ReturnOptions(Set<String> names, long partialFirst, long partialLast) {
    private static final Set<String> KNOWN = Set.of("MIN", "MAX", "ALL", "COUNT", "SAVE", "CONTEXT", "PARTIAL");

    boolean has(String name) {
        return names.contains(name);
    }

    boolean partial() {
        return partialFirst > 0;
    }

    /** RFC 5182 §1: SAVE alone asks for no ESEARCH response. */
    boolean saveOnly() {
        return names.equals(Set.of("SAVE"));
    }

    /** {@code m:n} as the client may send it back. */
    String range() {
        return partialFirst + ":" + partialLast;
    }

    /** The results at positions {@code partialFirst..partialLast} of {@code found} (fewer, or none, past its end). */
    <T> List<T> window(List<T> found) {
        if (partialFirst > found.size()) {
            return List.of();
        }
        return found.subList((int) partialFirst - 1, (int) Math.min(partialLast, found.size()));
    }

    /**
     * RFC 4731 §3.1: an empty list means ALL; an unknown option is an error. SAVE alone asks for no response at all;
     * beside others it changes nothing they return. PARTIAL takes one range {@code m:n} of positive numbers (given
     * either way round, as Dovecot takes it), once, and not beside ALL (RFC 5267 §4.4); Dovecot 2.3's wording of each
     * refusal is kept.
     */
    static ReturnOptions parse(ImapArg.ListArg options, ImapRequest r) {
        Set<String> out = new LinkedHashSet<>();
        long first = 0;
        long last = 0;
        List<ImapArg> items = options.items();
        for (int i = 0; i < items.size(); i++) {
            ImapArg o = items.get(i);
            String name = o instanceof ImapArg.Atom a ? a.upper() : null;
            if ("UPDATE".equals(name)) {
                throw r.args().bad("RETURN UPDATE is not offered (no CONTEXT=SEARCH or CONTEXT=SORT live updates)");
            }
            if (name == null || !KNOWN.contains(name)) {
                throw r.args().bad("Unknown RETURN option " + ImapArg.stringValue(o) + " (MIN MAX ALL COUNT SAVE PARTIAL CONTEXT)");
            }
            if (name.equals("PARTIAL")) {
                if (first > 0) {
                    throw r.args().bad("PARTIAL can be used only once");
                }
                if (i + 1 >= items.size() || !(items.get(i + 1) instanceof ImapArg.Atom range)) {
                    throw r.args().bad("PARTIAL range missing");
                }
                i++;
                long[] bounds = range(range.value());
                if (bounds == null) {
                    throw r.args().bad("PARTIAL range broken");
                }
                first = Math.min(bounds[0], bounds[1]);
                last = Math.max(bounds[0], bounds[1]);
            }
            if (!name.equals("CONTEXT")) {
                out.add(name);
            }
        }
        if (out.contains("PARTIAL") && out.contains("ALL")) {
            throw r.args().bad("PARTIAL conflicts with ALL");
        }
        if (out.isEmpty()) {
            out.add("ALL");
        }
        return new ReturnOptions(Set.copyOf(out), first, last);
    }

    /** {@code m:n} with both in 1..2^32-1, else null. */
    private static long[] range(String text) {
        int colon = text.indexOf(':');
        if (colon < 0) {
            return null;
        }
        long a = ImapNumber.parse(text.substring(0, colon), ImapNumber.MAX_NUMBER);
        long b = ImapNumber.parse(text.substring(colon + 1), ImapNumber.MAX_NUMBER);
        return a > 0 && b > 0 ? new long[] {a, b} : null;
    }

    /**
     * What {@code $} keeps (RFC 5182 §2.4): with ALL or COUNT everything found; else with MIN, MAX and/or PARTIAL
     * only those messages (Dovecot keeps the PARTIAL window, with MIN and MAX beside it); in the order of
     * {@code found}.
     */
    <T> List<T> kept(List<T> found) {
        if (found.isEmpty() || has("ALL") || has("COUNT") || !(has("MIN") || has("MAX") || partial())) {
            return found;
        }
        int n = found.size();
        boolean[] keep = new boolean[n];
        if (has("MIN")) {
            keep[0] = true;
        }
        if (has("MAX")) {
            keep[n - 1] = true;
        }
        if (partial() && partialFirst <= n) {
            for (long p = partialFirst; p <= Math.min(partialLast, n); p++) {
                keep[(int) p - 1] = true;
            }
        }
        List<T> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            if (keep[i]) {
                out.add(found.get(i));
            }
        }
        return out;
    }
}
